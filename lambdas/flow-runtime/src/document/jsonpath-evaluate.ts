import type { JsonPathAst, JsonPathSegment, JsonPathSelector } from './jsonpath-parse.js';

/**
 * RFC 9535 evaluation of a parsed path (§2.3–§2.5) over a JSON value (what `JSON.parse` returns).
 *
 * - A name selects an own member of an object only: never an array element, a string's character
 *   or anything on the prototype chain (`$.constructor`, `$.__proto__` on `{}` select nothing).
 * - An index selects an array element only (negative counts from the end), never an object member.
 * - Slices follow §2.3.4.2.2, including negative steps; step 0 selects nothing.
 * - A descendant segment visits the node itself, then its children recursively, arrays in order
 *   and objects in key order; duplicates are kept.
 *
 * Both the evaluator and the descendant walk are loops with explicit work lists: no recursion, so
 * no document is too deep for them.
 */

type JsonObject = Record<string, unknown>;

/** The nodelist `ast` selects from `value` (which stands for the root, `$` or `$$`), as values. */
export function evaluateJsonPath(ast: JsonPathAst, value: unknown): unknown[] {
  let nodes: unknown[] = [value];
  for (const segment of ast.segments) {
    if (nodes.length === 0) break;
    nodes = applySegment(segment, nodes);
  }
  return nodes;
}

function applySegment(segment: JsonPathSegment, nodes: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const { selectors } = segment;
  if (segment.kind === 'child') {
    for (const node of nodes) {
      for (const selector of selectors) select(selector, node, out);
    }
    return out;
  }
  // Pre-order walk: a node, then each child's subtree in order. The stack holds nodes still to visit,
  // children pushed in reverse so the first child is visited next.
  const stack: unknown[] = [];
  for (const node of nodes) {
    stack.push(node);
    while (stack.length > 0) {
      const current = stack.pop();
      for (const selector of selectors) select(selector, current, out);
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i -= 1) pushIfContainer(stack, current[i]);
      } else if (isObject(current)) {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i -= 1) pushIfContainer(stack, current[keys[i] as string]);
      }
    }
  }
  return out;
}

/** Scalars have no descendants and no selector selects anything from them: skip them early. */
function pushIfContainer(stack: unknown[], value: unknown): void {
  if (value !== null && typeof value === 'object') stack.push(value);
}

function select(selector: JsonPathSelector, node: unknown, out: unknown[]): void {
  switch (selector.kind) {
    case 'name':
      if (isObject(node) && Object.hasOwn(node, selector.name)) out.push(node[selector.name]);
      return;
    case 'wildcard':
      if (Array.isArray(node)) {
        for (const item of node) out.push(item);
      } else if (isObject(node)) {
        for (const key of Object.keys(node)) out.push(node[key]);
      }
      return;
    case 'index':
      if (Array.isArray(node)) {
        const index = selector.index < 0 ? node.length + selector.index : selector.index;
        if (index >= 0 && index < node.length) out.push(node[index]);
      }
      return;
    case 'slice':
      if (Array.isArray(node)) selectSlice(selector, node, out);
      return;
  }
}

/** RFC 9535 §2.3.4.2.2: defaults, normalization and bounds, for either sign of step. */
function selectSlice(
  slice: Extract<JsonPathSelector, { kind: 'slice' }>,
  array: readonly unknown[],
  out: unknown[],
): void {
  const step = slice.step ?? 1;
  if (step === 0) return;
  const length = array.length;
  const normalize = (i: number) => (i >= 0 ? i : length + i);
  if (step > 0) {
    const lower = Math.min(Math.max(normalize(slice.start ?? 0), 0), length);
    const upper = Math.min(Math.max(normalize(slice.end ?? length), 0), length);
    for (let i = lower; i < upper; i += step) out.push(array[i]);
  } else {
    const upper = Math.min(Math.max(normalize(slice.start ?? length - 1), -1), length - 1);
    const lower = Math.min(Math.max(normalize(slice.end ?? -length - 1), -1), length - 1);
    for (let i = upper; lower < i; i += step) out.push(array[i]);
  }
}

/** A JSON object: not null, not an array. */
function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * True when `ast` selects at most one node from any value (RFC 9535 §2.3.5.1, singular query): every
 * segment is a child segment with one name or index selector.
 */
export function isSingularQuery(ast: JsonPathAst): boolean {
  return ast.segments.every(
    (segment) =>
      segment.kind === 'child' &&
      segment.selectors.length === 1 &&
      (segment.selectors[0]?.kind === 'name' || segment.selectors[0]?.kind === 'index'),
  );
}

/** A singular query's one step. */
type Step = { readonly name: string; readonly index?: undefined } | { readonly index: number };

/**
 * A direct accessor for a singular query: the one selected value, or `undefined` when it selects
 * nothing. Same semantics as {@link evaluateJsonPath} (own members of objects, indexes of arrays).
 * @throws TypeError when `ast` is not singular (see {@link isSingularQuery}).
 */
export function compileSingular(ast: JsonPathAst): (root: unknown) => unknown {
  if (!isSingularQuery(ast))
    throw new TypeError('compileSingular needs a singular query (names and indexes only)');
  const steps: Step[] = ast.segments.map((segment) => {
    const selector = segment.selectors[0] as Extract<JsonPathSelector, { kind: 'name' | 'index' }>;
    return selector.kind === 'name' ? { name: selector.name } : { index: selector.index };
  });
  return (root) => {
    let current = root;
    for (const step of steps) {
      if (current === null || typeof current !== 'object') return undefined;
      if (step.index === undefined) {
        if (Array.isArray(current) || !Object.hasOwn(current, step.name)) return undefined;
        current = (current as JsonObject)[step.name];
      } else {
        if (!Array.isArray(current)) return undefined;
        const index = step.index < 0 ? current.length + step.index : step.index;
        if (index < 0 || index >= current.length) return undefined;
        current = current[index] as unknown;
      }
    }
    return current;
  };
}
