import { ExpressionLimitError } from '../errors.js';
import { isPlainObject } from './json.js';
import { formatJsonPath } from './jsonpath-format.js';
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
 *
 * Work is bounded: one evaluation may select and visit at most {@link MAX_EXPRESSION_NODES} nodes in
 * all (every node a segment selects, and every node a descendant segment walks through), so a path
 * such as `$..*..*` over a deep value fails with an {@link ExpressionLimitError} instead of running
 * for seconds. A number kept as text (`JSON.rawJSON`, see json.ts) is a scalar here.
 */

type JsonObject = Record<string, unknown>;

/**
 * Nodes one evaluation may select and visit, in all. A 1 MiB payload has at most about 500,000
 * nodes, so `$..*` over the largest message fits; 1,000,000 nodes take about 0.2 s.
 */
export const MAX_EXPRESSION_NODES = 1_000_000;

export interface EvaluationLimits {
  /** @default {@link MAX_EXPRESSION_NODES} */
  readonly maxNodes?: number;
  /** The path as written, for the error message. @default the path in canonical form */
  readonly source?: string;
}

/** The work one evaluation may still do; {@link spend} throws {@link OVER_BUDGET} past it. */
interface Budget {
  left: number;
}

/**
 * Thrown inside one evaluation only, and turned into an `ExpressionLimitError` (which names the
 * path) at its top. One instance, made once: the walk's inner loops stay small.
 */
const OVER_BUDGET = new Error('over budget');

function spend(budget: Budget, nodes: number): void {
  budget.left -= nodes;
  if (budget.left < 0) throw OVER_BUDGET;
}

/**
 * The nodelist `ast` selects from `value` (which stands for the root, `$` or `$$`), as values.
 * @throws ExpressionLimitError when the evaluation goes past `limits.maxNodes`.
 */
export function evaluateJsonPath(ast: JsonPathAst, value: unknown, limits: EvaluationLimits = {}): unknown[] {
  const max = limits.maxNodes ?? MAX_EXPRESSION_NODES;
  const budget: Budget = { left: max };
  let nodes: unknown[] = [value];
  try {
    for (const segment of ast.segments) {
      if (nodes.length === 0) break;
      nodes = applySegment(segment, nodes, budget);
    }
  } catch (error) {
    if (error !== OVER_BUDGET) throw error;
    throw new ExpressionLimitError(
      `expression ${JSON.stringify(limits.source ?? formatJsonPath(ast))} selected or visited more than ` +
        `${max.toLocaleString('en-US')} nodes, the limit of one evaluation; write a more specific path ` +
        '(fewer ".." and "*")',
    );
  }
  return nodes;
}

function applySegment(segment: JsonPathSegment, nodes: readonly unknown[], budget: Budget): unknown[] {
  const out: unknown[] = [];
  const { selectors } = segment;
  if (segment.kind === 'child') {
    for (const node of nodes) selectAll(selectors, node, out, budget);
    return out;
  }
  // Pre-order walk: a node, then each child's subtree in order. The stack holds nodes still to visit,
  // children pushed in reverse so the first child is visited next.
  const stack: unknown[] = [];
  for (const node of nodes) {
    stack.push(node);
    while (stack.length > 0) {
      const current = stack.pop();
      spend(budget, 1);
      selectAll(selectors, current, out, budget);
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

/** Applies each selector to `node`, charging what each one selects. */
function selectAll(
  selectors: readonly JsonPathSelector[],
  node: unknown,
  out: unknown[],
  budget: Budget,
): void {
  for (const selector of selectors) {
    const before = out.length;
    select(selector, node, out);
    spend(budget, out.length - before);
  }
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
  if (step > 0) {
    const lower = Math.min(Math.max(normalize(slice.start ?? 0, length), 0), length);
    const upper = Math.min(Math.max(normalize(slice.end ?? length, length), 0), length);
    for (let i = lower; i < upper; i += step) out.push(array[i]);
  } else {
    const upper = Math.min(Math.max(normalize(slice.start ?? length - 1, length), -1), length - 1);
    const lower = Math.min(Math.max(normalize(slice.end ?? -length - 1, length), -1), length - 1);
    for (let i = upper; lower < i; i += step) out.push(array[i]);
  }
}

/** A slice bound counted from the end when negative (no closure: this runs per evaluation). */
function normalize(index: number, length: number): number {
  return index >= 0 ? index : length + index;
}

/** A JSON object: not null, not an array, not a number kept as text. */
const isObject = isPlainObject;

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

/**
 * A singular query's selectors in order: a name (a string) or an index (a number). Plain data, so
 * one reader ({@link readSingular}) serves every path: with many flows, one function seen by the
 * engine stays fast where a closure per path did not (docs/performance.md, per record).
 */
export type SingularPath = readonly (string | number)[];

/**
 * The selectors of a singular query.
 * @throws TypeError when `ast` is not singular (see {@link isSingularQuery}).
 */
export function singularPathOf(ast: JsonPathAst): SingularPath {
  if (!isSingularQuery(ast))
    throw new TypeError('a singular path needs a singular query (names and indexes only)');
  return ast.segments.map((segment) => {
    const selector = segment.selectors[0] as Extract<JsonPathSelector, { kind: 'name' | 'index' }>;
    return selector.kind === 'name' ? selector.name : selector.index;
  });
}

/**
 * What a singular path selects from `root`: the one value, or `undefined` when it selects nothing.
 * Same semantics as {@link evaluateJsonPath} (own members of objects, indexes of arrays) for JSON
 * data, which is what every expression scope holds: plain objects and arrays, no functions.
 */
export function readSingular(path: SingularPath, root: unknown): unknown {
  let current = root;
  for (let i = 0; i < path.length; i += 1) {
    if (current === null || typeof current !== 'object') return undefined;
    const step = path[i];
    if (typeof step === 'string') {
      if (Array.isArray(current)) return undefined;
      if (step === '__proto__' || step === 'rawJSON') {
        // Read with care: `__proto__` is the prototype unless a JSON member has that name, and a
        // number kept as text has one own member, `rawJSON`, that is not data.
        if (!Object.hasOwn(current, step) || (step === 'rawJSON' && JSON.isRawJSON(current)))
          return undefined;
        current = (current as JsonObject)[step];
      } else {
        // Any other name reads an own member or one of Object.prototype, all of which are
        // functions, which no JSON value is: no own-member check is needed (it was about a third
        // of resolving a mapping).
        const value = (current as JsonObject)[step];
        if (typeof value === 'function') return undefined;
        current = value;
      }
    } else {
      if (!Array.isArray(current)) return undefined;
      const index = (step as number) < 0 ? current.length + (step as number) : (step as number);
      if (index < 0 || index >= current.length) return undefined;
      current = current[index] as unknown;
    }
  }
  return current;
}

/**
 * A direct accessor for a singular query (see {@link readSingular}).
 * @throws TypeError when `ast` is not singular (see {@link isSingularQuery}).
 */
export function compileSingular(ast: JsonPathAst): (root: unknown) => unknown {
  const path = singularPathOf(ast);
  return (root) => readSingular(path, root);
}
