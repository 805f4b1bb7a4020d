import { compileSingular, evaluateJsonPath, isSingularQuery } from './jsonpath-evaluate.js';
import { parseJsonPath } from './jsonpath-parse.js';
import type { JsonPathAst, JsonPathRoot, JsonPathSelector } from './jsonpath-parse.js';

/**
 * JSONPath as RFC 9535 defines it, without filter selectors and function extensions, plus one
 * extension: the root is `$` (the event) or `$$` (the run context).
 *
 * - {@link parseJsonPath}: text → AST, or a {@link JsonPathSyntaxError} naming what and where;
 *   filters, function extensions and script constructs throw its subclass
 *   {@link JsonPathNotAllowedError} ("filter expressions are not allowed; use a filter step").
 * - {@link evaluateJsonPath}: AST + value → nodelist (array of values).
 * - {@link compileSingular}: a direct accessor for singular queries (`$.a[0]['b']`).
 * - {@link compileJsonPath}: all of it once per config version.
 *
 * Nothing here evaluates code, and nothing calls jsonpath-plus: measured over the RFC 9535
 * compliance suite and on documents outside it, jsonpath-plus 10.4 (with `eval: false`) gets
 * negative indexes, negative and zero slice steps, `[:0]`, names on arrays and strings (`$.length`,
 * `$['0']`), indexes on objects and strings, falsy roots and names such as `'*'` or `'a,b'` wrong,
 * and overflows the stack on `..` over deep documents (from about 2,000 levels). What it does get
 * right (child paths of wildcards, positive-step slices and plain names) this evaluator does
 * 10–30× faster.
 * See test/unit/document/jsonpath-compliance.test.ts for the measurement.
 */

export { compileSingular, evaluateJsonPath, isSingularQuery } from './jsonpath-evaluate.js';
export { JsonPathNotAllowedError, JsonPathSyntaxError, parseJsonPath } from './jsonpath-parse.js';
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
 * @throws JsonPathNotAllowedError for filters and function extensions; JsonPathSyntaxError for
 * anything else outside RFC 9535.
 * @example compileJsonPath('$.items[*].sku').select(event) // ['p-1', 'p-2']
 */
export function compileJsonPath(source: string): CompiledJsonPath {
  const ast = parseJsonPath(source);
  if (isSingularQuery(ast)) {
    return { source, ast, root: ast.root, singular: true, select: compileSingular(ast) };
  }
  return { source, ast, root: ast.root, singular: false, select: (root) => evaluateJsonPath(ast, root) };
}

/**
 * The canonical text of a path: every selector in brackets, names in single quotes escaped as in
 * RFC 9535 Normalized Paths (§2.7), no blank space. `parseJsonPath(formatJsonPath(ast))` equals
 * `ast`, and spellings of one path (`$.a`, `$[ "a" ]`) format alike.
 */
export function formatJsonPath(ast: JsonPathAst): string {
  let text: string = ast.root;
  for (const segment of ast.segments) {
    if (segment.kind === 'descendant') text += '..';
    text += `[${segment.selectors.map(formatSelector).join(',')}]`;
  }
  return text;
}

function formatSelector(selector: JsonPathSelector): string {
  switch (selector.kind) {
    case 'name':
      return `'${escapeName(selector.name)}'`;
    case 'wildcard':
      return '*';
    case 'index':
      return String(selector.index);
    case 'slice': {
      const step = selector.step === undefined ? '' : `:${selector.step}`;
      return `${selector.start ?? ''}:${selector.end ?? ''}${step}`;
    }
  }
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  "'": "\\'",
  '\\': '\\\\',
};

/** RFC 9535 §2.7 normal-single-quoted: short escapes where they exist, else \u00xx for controls. */
function escapeName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return name.replace(/[\u0000-\u001f'\\]/g, (char) => {
    const short = SHORT_ESCAPES[char];
    return short ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
