import { ExpressionSyntaxError, UnsafeExpressionError } from '../errors.js';
import { compileJsonPath, readSingular, type JsonPathAst, type SingularPath } from './jsonpath.js';

/**
 * Expressions: the JSONPath strings of a config (in `data`, `record_id`, `group_id`, condition
 * paths and `event_type_from`).
 *
 * A string value in a config is an expression iff it is `$` or `$$`, or `$` / `$$` followed, after
 * optional blank space, by `.` or `[` (`$.a`, `$[0]`, `$$.steps`, `$ .a`). Every other string is a
 * literal, so `"$5 off"` and `"$100"` stay text. `$…` reads the event (the envelope's `payload`),
 * `$$…` the run context `{ envelope, flow, steps }`.
 *
 * Expressions are RFC 9535 JSONPath without filters and function extensions (document/jsonpath.ts),
 * parsed once per config version: singular paths (names and indexes only) compile to a direct
 * accessor, every other path evaluates to an array (empty when nothing matches). Filters and
 * scripts are refused at compile time with an {@link UnsafeExpressionError}; nothing evaluates code.
 */

/** What `$` and `$$` read. */
export interface ExpressionScope {
  /** The event: the envelope's `payload`. */
  readonly event: unknown;
  /** The run context: `{ envelope, flow, steps }`. */
  readonly context: unknown;
}

export type ExpressionRoot = '$' | '$$';

export interface CompiledExpression {
  /** The expression as written. */
  readonly source: string;
  readonly root: ExpressionRoot;
  /** The parsed path. */
  readonly ast: JsonPathAst;
  /** True unless the path is singular (names and indexes only): `evaluate` then returns an array. */
  readonly multi: boolean;
  /** A singular path's selectors (see `readSingular`); `undefined` when `multi`. */
  readonly path: SingularPath | undefined;
  /**
   * `undefined` when a singular path selects nothing; `[]` when a multi path matches nothing.
   * @throws ExpressionLimitError (permanent) when one evaluation does too much work.
   */
  evaluate(scope: ExpressionScope): unknown;
}

/** `$` or `$$`, then optional blank space (RFC 9535: space, tab, LF, CR), then `.` or `[`. */
const EXPRESSION_START = /^\$\$?[ \t\n\r]*[.[]/;

/** True iff `value` is an expression (see module doc), false for every literal. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && (value === '$' || value === '$$' || EXPRESSION_START.test(value));
}

/**
 * Parses and compiles an expression once.
 * @throws UnsafeExpressionError for filters, function extensions and script constructs;
 * ExpressionSyntaxError for anything else outside RFC 9535 (or a literal).
 * @example compileExpression('$.payload.name').evaluate({ event, context })
 */
export function compileExpression(source: string): CompiledExpression {
  if (!isExpression(source)) {
    throw syntaxError(
      source,
      'an expression is "$" or "$$", or "$" / "$$" followed by "." or "["',
      undefined,
    );
  }
  let compiled: ReturnType<typeof compileJsonPath>;
  try {
    compiled = compileJsonPath(source);
  } catch (error) {
    if (error instanceof UnsafeExpressionError) {
      throw new UnsafeExpressionError(`expression ${quote(source)} is refused: ${error.message}`, {
        cause: error,
        position: error.position,
      });
    }
    if (error instanceof ExpressionSyntaxError) throw syntaxError(source, error.message, error);
    throw error;
  }
  const { ast, root } = compiled;
  const read = root === '$' ? readEvent : readContext;
  return {
    source,
    root,
    ast,
    multi: !compiled.singular,
    path: compiled.singular ? compiled.path : undefined,
    evaluate: (scope) => compiled.select(read(scope)),
  };
}

/**
 * Compiles and evaluates in one call: for tools and tests. The hot path compiles once per config
 * version instead.
 */
export function evaluateExpression(source: string, scope: ExpressionScope): unknown {
  return compileExpression(source).evaluate(scope);
}

/** True when an evaluated expression selected nothing: `undefined`, or `[]` from a multi path. */
export function selectsNothing(expression: CompiledExpression, value: unknown): boolean {
  return value === undefined || (expression.multi && Array.isArray(value) && value.length === 0);
}

/**
 * What the expression selects from the scope; `undefined` when it selects nothing (see
 * {@link selectsNothing}). A singular path is read by `readSingular` directly: one function for
 * every path of a config, where `evaluate` is a closure per expression, which the engine runs at
 * half the speed once a config has many flows (docs/performance.md, per record).
 */
export function selectedBy(expression: CompiledExpression, scope: ExpressionScope): unknown {
  if (expression.path !== undefined) {
    return readSingular(expression.path, expression.root === '$$' ? scope.context : scope.event);
  }
  const value = expression.evaluate(scope);
  return selectsNothing(expression, value) ? undefined : value;
}

const readEvent = (scope: ExpressionScope): unknown => scope.event;
const readContext = (scope: ExpressionScope): unknown => scope.context;

function syntaxError(
  source: string,
  reason: string,
  cause: ExpressionSyntaxError | undefined,
): ExpressionSyntaxError {
  const hint = bracketHint(source);
  return new ExpressionSyntaxError(
    `expression ${quote(source)} is invalid: ${reason}${hint === undefined ? '' : `; ${hint}`}`,
    cause === undefined ? {} : { cause, position: cause.position },
  );
}

/** Characters the former grammar allowed in a dot name (`$.first-name`, `$.1`). */
const LEGACY_DOT_NAME = /^[\p{L}\p{N}_-]+/u;
/** A dot name as RFC 9535 writes it: no leading digit, no `-`. */
const RFC_DOT_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * How to write the path when its dot names are not RFC 9535 names (`$.first-name` → `$['first-name']`,
 * `$.1` → `$[1]` or `$['1']`); `undefined` when that is not what is wrong with it.
 */
function bracketHint(source: string): string | undefined {
  let text = '';
  let rewritten = false;
  let numeric = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === "'" || char === '"') {
      const end = closingQuote(source, i);
      text += source.slice(i, end);
      i = end - 1;
      continue;
    }
    text += char;
    if (char !== '.') continue;
    const name = LEGACY_DOT_NAME.exec(source.slice(i + 1))?.[0];
    if (name === undefined || RFC_DOT_NAME.test(name)) continue;
    // `.name` becomes `['name']`; `..name` keeps its `..`: `..['name']`.
    text = (source[i - 1] === '.' ? text : text.slice(0, -1)) + `['${name}']`;
    numeric ||= /^\d+$/.test(name);
    rewritten = true;
    i += name.length;
  }
  if (!rewritten) return undefined;
  try {
    compileJsonPath(text);
  } catch {
    return undefined;
  }
  const member = `names with "-" or a leading digit are written in brackets: ${text}`;
  return numeric ? `${member} (or, for an array index, ${text.replace(/\['(\d+)'\]/g, '[$1]')})` : member;
}

/** The index just after the string literal opening at `open` (or the end of the text). */
function closingQuote(source: string, open: number): number {
  const quoteChar = source[open];
  for (let i = open + 1; i < source.length; i += 1) {
    if (source[i] === '\\') i += 1;
    else if (source[i] === quoteChar) return i + 1;
  }
  return source.length;
}

function quote(source: string): string {
  return JSON.stringify(source.length > 120 ? `${source.slice(0, 117)}...` : source);
}
