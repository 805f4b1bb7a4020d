import { parseJsonExact } from '@flow-worker/runtime';
import { JsonSyntaxError } from './errors.js';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;

/**
 * The offset of the first JSON syntax error in `text`, or `undefined` when it is valid JSON.
 * `JSON.parse` does not always say where it stopped (`Unexpected token ']'` has no position), so
 * a small scanner finds the place to show the user. It is a loop with a stack of open brackets,
 * not a recursive descent, so no nesting depth can overflow it.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  const open: ('{' | '[')[] = [];
  let expectValue = true;
  for (;;) {
    scanner.skipWhitespace();
    if (expectValue) {
      const opened = scanner.openContainer();
      if (opened === 'empty') expectValue = false;
      else if (opened !== undefined) {
        open.push(opened);
        if (opened === '{' && !scanner.key()) return scanner.at;
      } else if (scanner.scalar()) expectValue = false;
      else return scanner.at;
      continue;
    }
    const top = open.at(-1);
    if (top === undefined) return scanner.at < text.length ? scanner.at : undefined;
    if (scanner.take(',')) {
      if (top === '{' && !scanner.key()) return scanner.at;
      expectValue = true;
    } else if (scanner.take(top === '{' ? '}' : ']')) open.pop();
    else return scanner.at;
  }
}

/** The scanner's position and the tokens it reads; each read returns false where it fails. */
class Scanner {
  at = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    while (this.at < this.text.length && WHITESPACE.has(this.text[this.at] as string)) this.at += 1;
  }

  take(char: string): boolean {
    if (this.text[this.at] !== char) return false;
    this.at += 1;
    return true;
  }

  /** `{` or `[` opened (`'empty'` when it closed right away, `{}` / `[]`), else `undefined`. */
  openContainer(): '{' | '[' | 'empty' | undefined {
    const char = this.text[this.at];
    if (char !== '{' && char !== '[') return undefined;
    this.at += 1;
    this.skipWhitespace();
    if (this.take(char === '{' ? '}' : ']')) return 'empty';
    return char;
  }

  /** An object key and its colon. */
  key(): boolean {
    this.skipWhitespace();
    if (this.text[this.at] !== '"' || !this.string()) return false;
    this.skipWhitespace();
    return this.take(':');
  }

  scalar(): boolean {
    if (this.text[this.at] === '"') return this.string();
    NUMBER.lastIndex = this.at;
    if (NUMBER.test(this.text)) {
      this.at = NUMBER.lastIndex;
      return true;
    }
    const literal = LITERALS.find((word) => this.text.startsWith(word, this.at));
    if (literal === undefined) return false;
    this.at += literal.length;
    return true;
  }

  private string(): boolean {
    const { text } = this;
    this.at += 1;
    while (this.at < text.length) {
      const char = text[this.at] as string;
      if (char === '"') {
        this.at += 1;
        return true;
      }
      if (char === '\\') {
        this.at += 1;
        const escape = text[this.at] ?? '';
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.at + 1, this.at + 5))) return false;
          this.at += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') return false;
      } else if (char < ' ') return false;
      this.at += 1;
    }
    return false;
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
