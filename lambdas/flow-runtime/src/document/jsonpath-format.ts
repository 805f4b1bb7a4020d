import type { JsonPathAst, JsonPathSelector } from './jsonpath-parse.js';

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
