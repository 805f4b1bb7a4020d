import {
  compileSingular,
  evaluateJsonPath,
  isSingularQuery,
  readSingular,
  singularPathOf,
  type SingularPath,
} from './jsonpath-evaluate.js';
import { parseJsonPath } from './jsonpath-parse.js';
import type { JsonPathAst, JsonPathRoot } from './jsonpath-parse.js';

/**
 * JSONPath as RFC 9535 defines it, without filter selectors and function extensions, plus one
 * extension: the root is `$` (the event) or `$$` (the run context).
 *
 * - {@link parseJsonPath}: text → AST, or an `ExpressionSyntaxError` naming what and where (its
 *   `position`); filters, function extensions and script constructs throw its subclass
 *   `UnsafeExpressionError` ("filter expressions are not allowed; use a filter step").
 * - {@link evaluateJsonPath}: AST + value → nodelist (array of values), at most
 *   {@link MAX_EXPRESSION_NODES} nodes of work per evaluation (`ExpressionLimitError` beyond).
 * - {@link compileSingular}: a direct accessor for singular queries (`$.a[0]['b']`).
 * - {@link compileJsonPath}: all of it once per config version.
 * - {@link formatJsonPath}: the canonical text of a path.
 *
 * Nothing here evaluates code, and nothing calls jsonpath-plus. Measured on the RFC 9535
 * compliance suite and on documents outside it (test/unit/document/jsonpath-compliance.test.ts),
 * jsonpath-plus 11.3 with `eval: false` selects nothing for negative indexes (`$[-1]`), reads
 * names on arrays and strings (`$.length`, `$['0']`), indexes on objects, takes names such as
 * `'*'` or `'..'` for syntax, returns nothing for a falsy root and overflows the stack on `..`
 * over deep documents (from about 2,000 levels): no shape of path is right on every document.
 */

export {
  compileSingular,
  evaluateJsonPath,
  isSingularQuery,
  MAX_EXPRESSION_NODES,
  readSingular,
  singularPathOf,
} from './jsonpath-evaluate.js';
export type { EvaluationLimits, SingularPath } from './jsonpath-evaluate.js';
export { formatJsonPath } from './jsonpath-format.js';
export { parseJsonPath } from './jsonpath-parse.js';
export type { JsonPathAst, JsonPathRoot, JsonPathSegment, JsonPathSelector } from './jsonpath-parse.js';

interface CompiledJsonPathBase {
  /** The path as written. */
  readonly source: string;
  readonly ast: JsonPathAst;
  /** Which value `select` expects: `$` the event, `$$` the run context. */
  readonly root: JsonPathRoot;
}

/** A singular query (names and indexes only): `select` returns the one value or `undefined`. */
export interface CompiledSingularJsonPath extends CompiledJsonPathBase {
  readonly singular: true;
  /** Its selectors, for {@link readSingular}. */
  readonly path: SingularPath;
  select(root: unknown): unknown;
}

/** Any other query: `select` returns the nodelist, `[]` when nothing matches. */
export interface CompiledMultiJsonPath extends CompiledJsonPathBase {
  readonly singular: false;
  select(root: unknown): unknown[];
}

export type CompiledJsonPath = CompiledSingularJsonPath | CompiledMultiJsonPath;

/**
 * Parses once and returns the fastest evaluator for the path's shape.
 * @throws UnsafeExpressionError for filters and function extensions; ExpressionSyntaxError for
 * anything else outside RFC 9535.
 * @example compileJsonPath('$.items[*].sku').select(event) // ['p-1', 'p-2']
 */
export function compileJsonPath(source: string): CompiledJsonPath {
  const ast = parseJsonPath(source);
  if (isSingularQuery(ast)) {
    const path = singularPathOf(ast);
    return { source, ast, root: ast.root, singular: true, path, select: (root) => readSingular(path, root) };
  }
  return { source, ast, root: ast.root, singular: false, select: compileMulti(ast, source) };
}

/**
 * A multi-node path's evaluator: its leading singular segments (`$.company.contacts` of
 * `$.company.contacts[*].email`) are read with a direct accessor, the rest by the evaluator.
 */
function compileMulti(ast: JsonPathAst, source: string): (root: unknown) => unknown[] {
  const limits = { source };
  const split = ast.segments.findIndex(
    (_segment, index) => !isSingularQuery({ root: ast.root, segments: ast.segments.slice(index, index + 1) }),
  );
  if (split <= 0) return (root) => evaluateJsonPath(ast, root, limits);
  const prefix = compileSingular({ root: ast.root, segments: ast.segments.slice(0, split) });
  const rest: JsonPathAst = { root: ast.root, segments: ast.segments.slice(split) };
  return (root) => {
    const start = prefix(root);
    return start === undefined ? [] : evaluateJsonPath(rest, start, limits);
  };
}
