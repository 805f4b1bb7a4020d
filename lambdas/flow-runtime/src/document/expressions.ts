import { JSONPath } from 'jsonpath-plus';
import { FlowWorkerError } from '../errors.js';

/**
 * Safe JSONPath expressions.
 *
 * A string value in a config is an expression iff it is `$` or `$$`, or starts with `$.`, `$[`,
 * `$$.` or `$$[`. `$…` reads the event (the envelope's `payload`), `$$…` the run context
 * `{ envelope, flow, steps }`. Every other string is a literal.
 *
 * Expressions are parsed by our own whitelist grammar, once per config version:
 * - plain paths (`$.a.b[0]`, `$['x y']`, `$["a"]`, `$.list[-1]`) compile to a direct accessor
 *   and never touch jsonpath-plus;
 * - wildcards (`*`), recursive descent (`..`), slices (`[0:2]`) and unions (`[0,1]`) fall back to
 *   jsonpath-plus with `eval: false` and always evaluate to an array (empty when nothing matches);
 * - filters and scripts (`?(`, `(@`, any parenthesis, `@`, backticks) are refused, at compile time
 *   and again right before any evaluation: config is customer-written and the worker runs with
 *   the platform's credentials.
 */

/** An expression that cannot be parsed by the grammar above. */
export class ExpressionSyntaxError extends FlowWorkerError {
  override name = 'ExpressionSyntaxError';
}

/** An expression containing a filter or script construct. Never evaluated. */
export class UnsafeExpressionError extends FlowWorkerError {
  override name = 'UnsafeExpressionError';
}

/** What `$` and `$$` read. */
export interface ExpressionScope {
  /** The event: the envelope's `payload`. */
  readonly event: unknown;
  /** The run context: `{ envelope, flow, steps }`. */
  readonly context: unknown;
}

export type ExpressionRoot = '$' | '$$';

/** One step of a path, as parsed. */
export type PathSegment =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'descent' }
  | { readonly kind: 'slice'; readonly text: string }
  | { readonly kind: 'union'; readonly text: string };

export interface CompiledExpression {
  /** The expression as written. */
  readonly source: string;
  readonly root: ExpressionRoot;
  readonly segments: readonly PathSegment[];
  /** True for wildcard / descent / slice / union paths: `evaluate` then returns an array. */
  readonly multi: boolean;
  /** `undefined` when a plain path selects nothing; `[]` when a multi path matches nothing. */
  evaluate(scope: ExpressionScope): unknown;
}

const EXPRESSION_PREFIXES = ['$.', '$[', '$$.', '$$['] as const;

/** True iff `value` is an expression (see module doc), false for every literal. */
export function isExpression(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (value === '$' || value === '$$' || EXPRESSION_PREFIXES.some((prefix) => value.startsWith(prefix)))
  );
}

/** Tokens that could make a JSONPath engine evaluate code or filters. Checked anywhere in the string. */
const UNSAFE_TOKENS = ['?(', '(@', '(', ')', '@', '`'] as const;

/**
 * Throws {@link UnsafeExpressionError} when `source` contains a filter or script construct.
 * Called by {@link compileExpression} and again before every jsonpath-plus evaluation.
 */
export function assertSafeExpression(source: string): void {
  const found = UNSAFE_TOKENS.find((token) => source.includes(token));
  if (found !== undefined) {
    throw new UnsafeExpressionError(
      `expression ${JSON.stringify(truncate(source))} contains ${JSON.stringify(found)}: filter and script ` +
        'expressions (?(…), (…), @, backticks) are not allowed; use a plain path and a filter step instead',
    );
  }
}

const NAME = /^[\p{L}\p{N}_-]+/u;
const INTEGER = /^-?\d+$/;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const SLICE = /^(-?\d+)?:(-?\d+)?(:\d+)?$/;
/** Names allowed inside brackets of a path handed to jsonpath-plus (its tokenizer treats others specially). */
const FALLBACK_SAFE_NAME = /^[\p{L}\p{N}_ -]*$/u;

/**
 * Parses and compiles an expression once.
 * @throws UnsafeExpressionError for filter/script constructs; ExpressionSyntaxError for anything
 * else outside the grammar.
 * @example compileExpression('$.payload.name').evaluate({ event, context })
 */
export function compileExpression(source: string): CompiledExpression {
  assertSafeExpression(source);
  if (!isExpression(source)) {
    throw syntaxError(source, 'an expression is "$" or "$$", or starts with "$.", "$[", "$$." or "$$["');
  }
  const root: ExpressionRoot = source.startsWith('$$') ? '$$' : '$';
  const segments = parseSegments(source, root.length);
  const multi = segments.some((s) => s.kind !== 'property' && s.kind !== 'index');
  if (!multi) {
    const steps = segments as readonly Extract<PathSegment, { kind: 'property' | 'index' }>[];
    const read = root === '$' ? readEvent : readContext;
    return {
      source,
      root,
      segments,
      multi,
      evaluate: (scope) => followPlainPath(read(scope), steps),
    };
  }
  for (const segment of segments) {
    if (segment.kind === 'property' && !FALLBACK_SAFE_NAME.test(segment.name)) {
      throw syntaxError(
        source,
        `in a path with wildcards, "..", slices or unions, names may contain only letters, digits, "_", "-" and spaces (got ${JSON.stringify(segment.name)})`,
      );
    }
  }
  // jsonpath-plus only knows "$" as its root: hand it the normalized event-rooted form.
  const engineText = '$' + segments.map(segmentText).join('');
  return {
    source,
    root,
    segments,
    multi,
    evaluate: (scope) => evaluateWithEngine(engineText, root === '$' ? scope.event : scope.context),
  };
}

/**
 * Compiles and evaluates in one call: for tools and tests. The hot path compiles once per config
 * version instead. Refuses unsafe expressions before anything is evaluated.
 */
export function evaluateExpression(source: string, scope: ExpressionScope): unknown {
  return compileExpression(source).evaluate(scope);
}

/** True when an evaluated expression selected nothing: `undefined`, or `[]` from a multi path. */
export function selectsNothing(expression: CompiledExpression, value: unknown): boolean {
  return value === undefined || (expression.multi && Array.isArray(value) && value.length === 0);
}

const readEvent = (scope: ExpressionScope): unknown => scope.event;
const readContext = (scope: ExpressionScope): unknown => scope.context;

function followPlainPath(
  start: unknown,
  steps: readonly Extract<PathSegment, { kind: 'property' | 'index' }>[],
): unknown {
  let current = start;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    if (step.kind === 'index' && Array.isArray(current)) {
      const index = step.index < 0 ? current.length + step.index : step.index;
      current = (current as unknown[])[index];
      continue;
    }
    const key = step.kind === 'index' ? String(step.index) : step.name;
    // JSON arrays have no named members (`$.list.length` selects nothing); own properties only, so
    // `$.constructor` or `$.__proto__` never reach the prototype chain.
    if (Array.isArray(current) && !ARRAY_INDEX.test(key)) return undefined;
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function evaluateWithEngine(engineText: string, json: unknown): unknown[] {
  // Defence in depth: the text was checked at compile time; check again right before the engine.
  assertSafeExpression(engineText);
  // jsonpath-plus returns undefined for falsy documents; a scalar or null has no children anyway.
  if (json === null || typeof json !== 'object') return [];
  const result: unknown = JSONPath({ path: engineText, json, eval: false, wrap: true });
  return Array.isArray(result) ? result : [];
}

function parseSegments(source: string, start: number): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = start;
  while (i < source.length) {
    const rest = source.slice(i);
    if (rest.startsWith('..')) {
      segments.push({ kind: 'descent' });
      i += 2;
      if (source[i] === '[') continue;
      i = parseDotted(source, i, segments);
    } else if (rest.startsWith('.')) {
      i = parseDotted(source, i + 1, segments);
    } else if (rest.startsWith('[')) {
      i = parseBracket(source, i, segments);
    } else {
      throw syntaxError(source, `unexpected ${JSON.stringify(rest[0])} at position ${i}`);
    }
  }
  return segments;
}

function parseDotted(source: string, i: number, segments: PathSegment[]): number {
  if (source[i] === '*') {
    segments.push({ kind: 'wildcard' });
    return i + 1;
  }
  const match = NAME.exec(source.slice(i));
  if (match === null) {
    throw syntaxError(source, `expected a property name at position ${i} (use ['…'] for other characters)`);
  }
  segments.push({ kind: 'property', name: match[0] });
  return i + match[0].length;
}

function parseBracket(source: string, open: number, segments: PathSegment[]): number {
  const quote = source[open + 1];
  if (quote === "'" || quote === '"') {
    const { value, end } = readQuoted(source, open + 1, quote);
    if (source[end] === ']') {
      segments.push({ kind: 'property', name: value });
      return end + 1;
    }
  }
  const close = source.indexOf(']', open);
  if (close === -1) throw syntaxError(source, `unclosed "[" at position ${open}`);
  const inner = source.slice(open + 1, close);
  if (inner === '*') segments.push({ kind: 'wildcard' });
  else if (INTEGER.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
  else if (SLICE.test(inner)) segments.push({ kind: 'slice', text: inner });
  else if (inner.includes(',')) segments.push({ kind: 'union', text: parseUnion(source, inner) });
  else throw syntaxError(source, `unsupported selector [${inner}]`);
  return close + 1;
}

/** A union of indexes or quoted names, normalized for jsonpath-plus. */
function parseUnion(source: string, inner: string): string {
  const parts = inner.split(',').map((part) => part.trim());
  return parts
    .map((part) => {
      if (INTEGER.test(part)) return part;
      const quoted = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(part);
      const name = quoted?.[1] ?? quoted?.[2];
      if (name === undefined || name === '' || !FALLBACK_SAFE_NAME.test(name)) {
        throw syntaxError(source, `unsupported union member ${JSON.stringify(part)}`);
      }
      return name;
    })
    .join(',');
}

function readQuoted(source: string, start: number, quote: string): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1];
      if (next !== quote && next !== '\\') {
        throw syntaxError(source, `only \\${quote} and \\\\ may be escaped (position ${i})`);
      }
      value += next;
      i += 2;
    } else if (char === quote) {
      return { value, end: i + 1 };
    } else {
      value += char;
      i += 1;
    }
  }
  throw syntaxError(source, `unterminated string starting at position ${start}`);
}

function segmentText(segment: PathSegment): string {
  switch (segment.kind) {
    case 'property':
      return `['${segment.name}']`;
    case 'index':
      return `[${segment.index}]`;
    case 'wildcard':
      return '[*]';
    case 'descent':
      return '..';
    case 'slice':
    case 'union':
      return `[${segment.text}]`;
  }
}

function syntaxError(source: string, reason: string): ExpressionSyntaxError {
  return new ExpressionSyntaxError(`expression ${JSON.stringify(truncate(source))} is invalid: ${reason}`);
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
