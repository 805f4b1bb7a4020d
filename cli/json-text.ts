import { parseJsonExact } from '@flow-worker/runtime';
import { JsonSyntaxError } from './errors.js';

/** Unwinds the scanner to where the syntax error is. */
class Stop extends Error {
  constructor(readonly at: number) {
    super(`JSON syntax error at offset ${at}`);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;

/**
 * The offset of the first JSON syntax error in `text`, or `undefined` when it is valid JSON.
 * `JSON.parse` does not always say where it stopped (`Unexpected token ']'` has no position), so
 * a small scanner finds the place to show the user.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i] as string)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        const escape = text[i] ?? '';
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') fail();
      } else if (ch < ' ') fail();
      i++;
    }
    fail();
  };
  const members = (close: string, member: () => void) => {
    i++;
    skipWhitespace();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) return void i++;
      fail();
    }
  };
  const value = (): void => {
    skipWhitespace();
    const ch = text[i];
    if (ch === '{') {
      return members('}', () => {
        skipWhitespace();
        if (text[i] !== '"') fail();
        string();
        skipWhitespace();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    }
    if (ch === '[') return members(']', value);
    if (ch === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    const literal = LITERALS.find((word) => text.startsWith(word, i));
    if (literal === undefined) fail();
    i += (literal as string).length;
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** V8's message without its position and input excerpt, which we replace with line:column. */
function cleanMessage(message: string): string {
  return message
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ at position \d+.*$/s, '');
}

/**
 * Parses JSON text from `file` (a name for messages).
 * @throws JsonSyntaxError naming the line and column of the first syntax error
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    // Numbers a double cannot hold stay as written, so `validate` can point at them instead of
    // letting them be rounded into another value.
    return parseJsonExact(text);
  } catch (error) {
    const offset = jsonErrorOffset(text) ?? 0;
    const { line, column } = lineColumn(text, offset);
    throw new JsonSyntaxError(file, line, column, cleanMessage((error as Error).message));
  }
}
