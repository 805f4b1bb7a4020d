/**
 * RFC 9535 JSONPath parser, without filter selectors and function extensions.
 *
 * The grammar after the root is exactly RFC 9535 §2.2–§2.5 (ABNF in its Appendix A): blank space
 * (space, tab, LF, CR) between segments and inside brackets, dot shorthand names, string literals
 * with every escape, integers without leading zeros in ±(2^53−1), slices with any step, unions,
 * descendant segments. One extension: the root may be `$` (the event) or `$$` (the run context).
 *
 * The parser is a single loop over the text: it never recurses, so no path, however long, can
 * overflow the stack (filter-free JSONPath has no nesting).
 *
 * Errors are the runtime's own: {@link ExpressionSyntaxError} with the `position` where parsing
 * stopped, and its subclass {@link UnsafeExpressionError} for filters, function extensions and
 * script constructs.
 */
import { ExpressionSyntaxError, UnsafeExpressionError } from '../errors.js';

export type JsonPathRoot = '$' | '$$';

export type JsonPathSelector =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'index'; readonly index: number }
  | {
      readonly kind: 'slice';
      /** Absent when omitted in the text: the default then depends on the step's sign. */
      readonly start?: number;
      readonly end?: number;
      readonly step?: number;
    };

export interface JsonPathSegment {
  /** `child`: `.name`, `.*`, `[…]`; `descendant`: `..name`, `..*`, `..[…]`. */
  readonly kind: 'child' | 'descendant';
  /** At least one; more than one only for a union `[a, b, …]`. */
  readonly selectors: readonly JsonPathSelector[];
}

export interface JsonPathAst {
  readonly root: JsonPathRoot;
  readonly segments: readonly JsonPathSegment[];
}

/** RFC 9535 §2.1: integers in paths are within the I-JSON range. */
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

const FILTER_HINT = 'filter expressions are not allowed; use a filter step';

/**
 * Parses `text` from `start` (default 0) to its end. The root is `$` or `$$`; after it, RFC 9535
 * segments only. Positions in errors are indexes into `text`.
 * @throws UnsafeExpressionError for filters, function extensions and script constructs;
 * ExpressionSyntaxError for anything else outside the grammar.
 * @example parseJsonPath("$.items[*]['sku']")
 */
export function parseJsonPath(text: string, start = 0): JsonPathAst {
  return new Parser(text, start).parse();
}

class Parser {
  private pos: number;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  parse(): JsonPathAst {
    const { text } = this;
    if (text[this.pos] !== '$') {
      throw this.fail(
        this.pos >= text.length
          ? `a path starts with "$" or "$$" (position ${this.pos})`
          : `a path starts with "$" or "$$", not ${describe(text, this.pos)} (position ${this.pos})`,
      );
    }
    this.pos += 1;
    let root: JsonPathRoot = '$';
    if (text[this.pos] === '$') {
      root = '$$';
      this.pos += 1;
    }
    const segments: JsonPathSegment[] = [];
    for (;;) {
      const blankStart = this.pos;
      this.skipBlank();
      if (this.pos >= text.length) {
        if (this.pos > blankStart) {
          throw this.fail(`blank space at the end of a path (position ${blankStart})`, blankStart);
        }
        return { root, segments };
      }
      segments.push(this.segment());
    }
  }

  /** child-segment / descendant-segment (RFC 9535 §2.5). */
  private segment(): JsonPathSegment {
    const { text } = this;
    const char = text[this.pos];
    if (char === '[') return { kind: 'child', selectors: this.bracketed() };
    if (char !== '.') throw this.unexpected('a segment (".name", ".*", "[…]" or "..")');
    if (text[this.pos + 1] === '.') {
      this.pos += 2;
      if (text[this.pos] === '[') return { kind: 'descendant', selectors: this.bracketed() };
      return { kind: 'descendant', selectors: [this.shorthand('..')] };
    }
    this.pos += 1;
    return { kind: 'child', selectors: [this.shorthand('.')] };
  }

  /** `*` or member-name-shorthand after `.` or `..`. */
  private shorthand(after: string): JsonPathSelector {
    const { text } = this;
    if (text[this.pos] === '*') {
      this.pos += 1;
      return { kind: 'wildcard' };
    }
    const nameStart = this.pos;
    let end = this.pos;
    for (;;) {
      const point = text.codePointAt(end);
      if (point === undefined || !isNameChar(point) || (end === nameStart && isDigit(point))) break;
      end += point > 0xffff ? 2 : 1;
    }
    if (end === nameStart) {
      throw this.unexpected(`a name or "*" after "${after}" (names with other characters are written ['…'])`);
    }
    this.pos = end;
    if (text[end] === '(') {
      throw this.notAllowed(
        `function extensions belong in filter expressions: ${FILTER_HINT} (position ${end})`,
      );
    }
    return { kind: 'name', name: text.slice(nameStart, end) };
  }

  /** bracketed-selection: "[" S selector *(S "," S selector) S "]". */
  private bracketed(): JsonPathSelector[] {
    const { text } = this;
    const open = this.pos;
    this.pos += 1;
    const selectors: JsonPathSelector[] = [];
    for (;;) {
      this.skipBlank();
      if (this.pos >= text.length) throw this.fail(`"[" at position ${open} is not closed`);
      selectors.push(this.selector());
      this.skipBlank();
      const char = text[this.pos];
      if (char === ']') {
        this.pos += 1;
        return selectors;
      }
      if (char === ',') {
        this.pos += 1;
        continue;
      }
      if (char === undefined) throw this.fail(`"[" at position ${open} is not closed`);
      throw this.unexpected('"," or "]"');
    }
  }

  private selector(): JsonPathSelector {
    const char = this.text[this.pos];
    if (char === "'" || char === '"') return { kind: 'name', name: this.stringLiteral(char) };
    if (char === '*') {
      this.pos += 1;
      return { kind: 'wildcard' };
    }
    if (char === '?') throw this.notAllowed(`${FILTER_HINT} (position ${this.pos})`);
    if (char === '(' || char === '@') {
      throw this.notAllowed(`script expressions are not JSONPath; ${FILTER_HINT} (position ${this.pos})`);
    }
    if (char === '-' || char === ':' || isDigit(char?.charCodeAt(0) ?? -1)) return this.indexOrSlice();
    throw this.unexpected('a selector (a quoted name, "*", an index or a slice)');
  }

  /** index-selector / slice-selector: [start S] ":" S [end S] [":" [S step]]. */
  private indexOrSlice(): JsonPathSelector {
    const start = this.optionalInteger();
    this.skipBlank();
    if (this.text[this.pos] !== ':') {
      if (start === undefined) throw this.unexpected('an index or a slice');
      return { kind: 'index', index: start };
    }
    this.pos += 1;
    this.skipBlank();
    const end = this.optionalInteger();
    this.skipBlank();
    let step: number | undefined;
    if (this.text[this.pos] === ':') {
      this.pos += 1;
      this.skipBlank();
      step = this.optionalInteger();
    }
    return { kind: 'slice', start, end, step };
  }

  /** int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53−1); undefined when no integer starts here. */
  private optionalInteger(): number | undefined {
    const { text } = this;
    const intStart = this.pos;
    let end = intStart;
    if (text[end] === '-') end += 1;
    const digitsStart = end;
    while (isDigit(text.charCodeAt(end))) end += 1;
    if (end === digitsStart) {
      if (end > intStart) throw this.fail(`"-" must be followed by a digit (position ${intStart})`);
      return undefined;
    }
    const digits = text.slice(digitsStart, end);
    if (digits.length > 1 && digits.startsWith('0')) {
      throw this.fail(`leading zeros are not allowed in an integer (position ${intStart})`);
    }
    if (digits === '0' && digitsStart > intStart) {
      throw this.fail(`"-0" is not allowed; write 0 (position ${intStart})`);
    }
    const value = Number(text.slice(intStart, end));
    if (Math.abs(value) > MAX_INTEGER) {
      throw this.fail(`integer out of range ±(2^53−1) (position ${intStart})`);
    }
    this.pos = end;
    return value;
  }

  /** string-literal in single or double quotes, with RFC 9535 escapes (§2.3.1.1). */
  private stringLiteral(quote: '"' | "'"): string {
    const { text } = this;
    const open = this.pos;
    let i = open + 1;
    let value = '';
    for (;;) {
      const code = text.charCodeAt(i);
      if (Number.isNaN(code)) throw this.fail(`string starting at position ${open} is not closed`, i);
      if (code === quote.charCodeAt(0)) {
        this.pos = i + 1;
        return value;
      }
      if (code < 0x20) {
        throw this.fail(
          `control character ${describe(text, i)} must be escaped in a string (position ${i})`,
          i,
        );
      }
      if (code === 0x5c) {
        const [decoded, next] = this.escape(i, quote);
        value += decoded;
        i = next;
        continue;
      }
      if (isSurrogate(code)) {
        const pair = text.codePointAt(i) ?? code;
        if (pair <= 0xffff) throw this.fail(`unpaired surrogate in a string (position ${i})`, i);
        value += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      value += text[i];
      i += 1;
    }
  }

  /** One escape sequence at `at` (the backslash): the decoded text and the index after it. */
  private escape(at: number, quote: '"' | "'"): [string, number] {
    const { text } = this;
    const char = text[at + 1];
    switch (char) {
      case 'b':
        return ['\b', at + 2];
      case 'f':
        return ['\f', at + 2];
      case 'n':
        return ['\n', at + 2];
      case 'r':
        return ['\r', at + 2];
      case 't':
        return ['\t', at + 2];
      case '/':
      case '\\':
        return [char, at + 2];
      case "'":
      case '"':
        if (char === quote) return [char, at + 2];
        break;
      case 'u': {
        const unit = this.hex4(at + 2, at);
        if (isLowSurrogate(unit)) throw this.fail(`unpaired low surrogate \\u escape (position ${at})`, at);
        if (!isHighSurrogate(unit)) return [String.fromCharCode(unit), at + 6];
        if (text[at + 6] !== '\\' || text[at + 7] !== 'u') {
          throw this.fail(`high surrogate \\u escape must be followed by a low one (position ${at})`, at);
        }
        const low = this.hex4(at + 8, at + 6);
        if (!isLowSurrogate(low)) {
          throw this.fail(`high surrogate \\u escape must be followed by a low one (position ${at})`, at);
        }
        return [String.fromCharCode(unit, low), at + 12];
      }
    }
    const shown = char === undefined ? 'end of text' : describe(text, at + 1);
    throw this.fail(`invalid escape "\\" followed by ${shown} in a string (position ${at})`, at);
  }

  private hex4(from: number, escapeAt: number): number {
    const digits = this.text.slice(from, from + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(digits)) {
      throw this.fail(`\\u must be followed by 4 hex digits (position ${escapeAt})`, escapeAt);
    }
    return Number.parseInt(digits, 16);
  }

  private skipBlank(): void {
    while (isBlank(this.text.charCodeAt(this.pos))) this.pos += 1;
  }

  private unexpected(expected: string): ExpressionSyntaxError {
    const { text, pos } = this;
    if (pos >= text.length)
      return this.fail(`unexpected end of path at position ${pos}: expected ${expected}`);
    return this.fail(`unexpected ${describe(text, pos)} at position ${pos}: expected ${expected}`);
  }

  private fail(message: string, position = this.pos): ExpressionSyntaxError {
    return new ExpressionSyntaxError(message, { position });
  }

  private notAllowed(message: string): UnsafeExpressionError {
    return new UnsafeExpressionError(message, { position: this.pos });
  }
}

/** The character at `index`, quoted as JSON (so control characters show as escapes). */
function describe(text: string, index: number): string {
  const point = text.codePointAt(index);
  return point === undefined ? 'end of text' : JSON.stringify(String.fromCodePoint(point));
}

/** B = %x20 / %x09 / %x0A / %x0D */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** name-char = ALPHA / "_" / %x80-D7FF / %xE000-10FFFF / DIGIT (the caller excludes a leading digit). */
function isNameChar(point: number): boolean {
  return (
    (point >= 0x61 && point <= 0x7a) ||
    (point >= 0x41 && point <= 0x5a) ||
    point === 0x5f ||
    isDigit(point) ||
    (point >= 0x80 && point <= 0xd7ff) ||
    (point >= 0xe000 && point <= 0x10ffff)
  );
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
