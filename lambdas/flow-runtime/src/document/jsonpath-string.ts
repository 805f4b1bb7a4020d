import { ExpressionSyntaxError } from '../errors.js';

/**
 * RFC 9535 string literals (§2.3.1.1): the quoted names of `['…']` / `["…"]`, with every JSON escape,
 * control characters refused and surrogates paired. Positions in errors are indexes into the path.
 */

/**
 * A string-literal in single or double quotes, with RFC 9535 escapes (§2.3.1.1), opening at
 * `open`: its value and the index just after its closing quote.
 * @throws ExpressionSyntaxError naming what is wrong and where
 */
export function readStringLiteral(
  text: string,
  open: number,
  quote: '"' | "'",
): { readonly value: string; readonly end: number } {
  let i = open + 1;
  let value = '';
  for (;;) {
    const code = text.charCodeAt(i);
    if (Number.isNaN(code)) throw fail(`string starting at position ${open} is not closed`, i);
    if (code === quote.charCodeAt(0)) return { value, end: i + 1 };
    if (code < 0x20) {
      throw fail(`control character ${describe(text, i)} must be escaped in a string (position ${i})`, i);
    }
    if (code === 0x5c) {
      const [decoded, next] = escape(text, i, quote);
      value += decoded;
      i = next;
      continue;
    }
    if (isSurrogate(code)) {
      const pair = text.codePointAt(i) ?? code;
      if (pair <= 0xffff) throw fail(`unpaired surrogate in a string (position ${i})`, i);
      value += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    value += text[i];
    i += 1;
  }
}

/** One escape sequence at `at` (the backslash): the decoded text and the index after it. */
function escape(text: string, at: number, quote: '"' | "'"): [string, number] {
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
      const unit = hex4(text, at + 2, at);
      if (isLowSurrogate(unit)) throw fail(`unpaired low surrogate \\u escape (position ${at})`, at);
      if (!isHighSurrogate(unit)) return [String.fromCharCode(unit), at + 6];
      if (text[at + 6] !== '\\' || text[at + 7] !== 'u') {
        throw fail(`high surrogate \\u escape must be followed by a low one (position ${at})`, at);
      }
      const low = hex4(text, at + 8, at + 6);
      if (!isLowSurrogate(low)) {
        throw fail(`high surrogate \\u escape must be followed by a low one (position ${at})`, at);
      }
      return [String.fromCharCode(unit, low), at + 12];
    }
  }
  const shown = char === undefined ? 'end of text' : describe(text, at + 1);
  throw fail(`invalid escape "\\" followed by ${shown} in a string (position ${at})`, at);
}

function hex4(text: string, from: number, escapeAt: number): number {
  const digits = text.slice(from, from + 4);
  if (!/^[0-9A-Fa-f]{4}$/.test(digits)) {
    throw fail(`\\u must be followed by 4 hex digits (position ${escapeAt})`, escapeAt);
  }
  return Number.parseInt(digits, 16);
}

function fail(message: string, position: number): ExpressionSyntaxError {
  return new ExpressionSyntaxError(message, { position });
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

/** The character at `index`, quoted as JSON (so control characters show as escapes). */
export function describe(text: string, index: number): string {
  const point = text.codePointAt(index);
  return point === undefined ? 'end of text' : JSON.stringify(String.fromCodePoint(point));
}
