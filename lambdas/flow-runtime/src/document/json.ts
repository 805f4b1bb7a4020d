/**
 * Helpers for plain JSON values (what `JSON.parse` returns and configs and payloads are made of).
 * The one home of these checks: documents, the engine and the targets all read JSON the same way.
 *
 * Exact numbers: a JSON number that a double cannot hold exactly (`9007199254740993`, `1e400`,
 * `0.1000000000000000000001`), and an integer beyond ±(2^53−1) in general, is kept as its text, a
 * `JSON.rawJSON` value, by {@link parseJsonExact}.
 * Such a value is a scalar everywhere here (not an object), compares by its decimal value, and
 * `JSON.stringify` writes its original digits, so a target receives exactly what the producer sent.
 */

/** JSON values nested deeper than this are refused (payloads and configs); see {@link jsonDepthExceeds}. */
export const MAX_JSON_DEPTH = 512;

/** A JSON object: not `null`, not an array, not a number kept as text ({@link isRawNumber}). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !JSON.isRawJSON(value);
}

/** A JSON number kept as its original text because a double cannot hold it exactly. */
export function isRawNumber(value: unknown): value is RawJSON {
  return JSON.isRawJSON(value);
}

/** Sets an own, enumerable property, even for keys such as `__proto__` (which `=` would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Deep equality of JSON values: same type, same array order, same object keys (any order). Numbers
 * compare by value, also when kept as text ({@link isRawNumber}).
 */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aIsObject = typeof a === 'object' && a !== null;
  const bIsObject = typeof b === 'object' && b !== null;
  // Two different scalars (a number kept as text is an object): no further check needed.
  if (!aIsObject && !bIsObject) return false;
  if (isRawNumber(a) || isRawNumber(b)) {
    const left = decimalOf(a);
    return left !== undefined && left === decimalOf(b);
  }
  if (!aIsObject || !bIsObject) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEquals(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  const otherKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  return (
    keys.length === otherKeys.length &&
    keys.every((key) => Object.hasOwn(right, key) && jsonEquals(left[key], right[key]))
  );
}

/** The canonical decimal of a number or a raw number; `undefined` for anything else. */
function decimalOf(value: unknown): string | undefined {
  if (isRawNumber(value)) return canonicalDecimal(value.rawJSON);
  return typeof value === 'number' && Number.isFinite(value) ? canonicalDecimal(String(value)) : undefined;
}

/**
 * True when `value` is nested more than `max` levels deep (`{}` and `[]` are one level, a scalar
 * none). Iterative, so it answers for any depth without overflowing the stack, and stops at the
 * first branch that goes too deep.
 */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: { readonly node: unknown; readonly depth: number }[] = [{ node: value, depth: 0 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node, depth } = entry;
    if (typeof node !== 'object' || node === null || isRawNumber(node)) continue;
    if (depth + 1 > max) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * The path (keys and indexes from the top) to the first value nested more than `max` levels deep,
 * or `undefined` when there is none. Iterative, like {@link jsonDepthExceeds}.
 */
export function pathBeyondDepth(value: unknown, max: number): (string | number)[] | undefined {
  interface Visit {
    readonly node: unknown;
    readonly depth: number;
    readonly key: string | number | undefined;
    readonly parent: Visit | undefined;
  }
  const stack: Visit[] = [{ node: value, depth: 0, key: undefined, parent: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node, depth } = visit;
    if (typeof node !== 'object' || node === null || isRawNumber(node)) continue;
    if (depth + 1 > max) {
      const path: (string | number)[] = [];
      for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
      return path;
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((child, index): [number, unknown] => [index, child])
      : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i] ?? [0, undefined];
      stack.push({ node: child, depth: depth + 1, key, parent: visit });
    }
  }
  return undefined;
}

/**
 * Digits that might not fit a double: 16 or more significant digits, or a three-digit exponent.
 * Only texts that contain one are parsed with the (slower) source-aware reviver.
 */
const MAYBE_INEXACT = /\d(?:\.?\d){15}|[eE][+-]?\d{3}/;

/**
 * Checked first, because it is cheap: a number literal with 16 or more digits and at most one
 * point has eight digits in a row, and the exponent is the same test. Written out digit by digit,
 * it runs several times faster than `\d{8}` or {@link MAYBE_INEXACT} (V8's engine can scan for a
 * fixed sequence of classes, not for a repetition), and most bodies have no such run.
 */
const EIGHT_DIGITS_OR_EXPONENT = /\d\d\d\d\d\d\d\d|[eE][+-]?\d\d\d/;

/**
 * `JSON.parse`, except that a number a double cannot hold exactly is kept as its text (a
 * `JSON.rawJSON` value) instead of being rounded: `9007199254740993` stays `9007199254740993`.
 *
 * A value nested deeper than {@link MAX_JSON_DEPTH} comes back as `JSON.parse` gives it: V8 walks a
 * reviver recursively, so it would overflow the stack there, and every caller refuses such values
 * anyway (`jsonDepthExceeds`).
 * @throws SyntaxError as `JSON.parse` does.
 */
export function parseJsonExact(text: string): unknown {
  const plain: unknown = JSON.parse(text);
  if (!EIGHT_DIGITS_OR_EXPONENT.test(text) || !MAYBE_INEXACT.test(text)) return plain;
  if (jsonDepthExceeds(plain, MAX_JSON_DEPTH)) return plain;
  return JSON.parse(text, (_key, value, context) =>
    typeof value === 'number' && context.source !== undefined && !sameNumber(context.source, value)
      ? JSON.rawJSON(context.source)
      : value,
  );
}

/**
 * True when the double `value` stands for the JSON number text `source` exactly: the same decimal
 * value, and, for an integer written without a fraction or exponent, a safe integer, so that it is
 * written back with the same digits (`1000000000000000000000` would come back as `1e+21`).
 */
function sameNumber(source: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (INTEGER_LITERAL.test(source)) return Number.isSafeInteger(value);
  return canonicalDecimal(source) === canonicalDecimal(String(value));
}

const INTEGER_LITERAL = /^-?\d+$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** `-0012.300e1` → `-123e0`: sign, significant digits without leading/trailing zeros, exponent. */
function canonicalDecimal(text: string): string {
  const match = DECIMAL.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let power = BigInt(exponent) - BigInt(fraction.length);
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  power += BigInt(trailing);
  return `${sign}${digits}e${power}`;
}
