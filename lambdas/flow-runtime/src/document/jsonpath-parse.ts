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
import { describe, readStringLiteral } from './jsonpath-string.js';

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
    if (char === "'" || char === '"') {
      const { value, end } = readStringLiteral(this.text, this.pos, char);
      this.pos = end;
      return { kind: 'name', name: value };
    }
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
