import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isPlainObject,
  isRawNumber,
  jsonDepthExceeds,
  jsonEquals,
  MAX_JSON_DEPTH,
  parseJsonExact,
  setOwn,
} from '@flow-worker/runtime';

/** A reference model of JSON equality: the same text once object keys are sorted. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isPlainObject(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** Keys that reorder an object without changing it. */
function shuffledKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffledKeys(item, seed));
  if (!isPlainObject(value)) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffledKeys(v, seed)] as const);
  if (seed % 2 === 1) entries.reverse();
  return Object.fromEntries(entries);
}

describe('jsonEquals', () => {
  it('agrees with comparing canonical JSON text, for any two JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(jsonEquals(a, b)).toBe(canonical(a) === canonical(b));
      }),
    );
  });

  it('ignores the order of object keys but not of array items', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(jsonEquals(value, shuffledKeys(value, seed))).toBe(true);
      }),
    );
    expect(jsonEquals([1, 2], [2, 1])).toBe(false);
  });

  it('tells arrays, objects and null apart', () => {
    expect(jsonEquals([1], { 0: 1 })).toBe(false);
    expect(jsonEquals([], {})).toBe(false);
    expect(jsonEquals(null, {})).toBe(false);
    expect(jsonEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});

describe('isPlainObject', () => {
  it('is true for JSON objects only', () => {
    expect([{}, { a: 1 }, Object.create(null)].map(isPlainObject)).toEqual([true, true, true]);
    expect([null, [], 'x', 1, true, undefined].map(isPlainObject)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('setOwn', () => {
  it('sets "__proto__" as an own enumerable key instead of changing the prototype', () => {
    // Prepare
    const target: Record<string, unknown> = {};

    // Act
    setOwn(target, '__proto__', { polluted: true });

    // Assess
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('parseJsonExact', () => {
  it('gives a value equal to what JSON.parse gives, written back as the same text, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Prepare
        const text = JSON.stringify(value);
        // Act
        const parsed = parseJsonExact(text);
        // Assess
        expect(jsonEquals(parsed, JSON.parse(text))).toBe(true);
        expect(JSON.stringify(parsed)).toBe(text);
      }),
    );
  });

  it('writes any integer back digit for digit, however long (BigInt is the reference)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.constant(10n ** 21n)),
        (integer) => {
          // Act
          const parsed = parseJsonExact(`{"id":${integer}}`);
          // Assess
          expect(JSON.stringify(parsed)).toBe(`{"id":${integer}}`);
        },
      ),
    );
  });

  it.each([
    ['9007199254740993', true],
    ['-9007199254740993', true],
    ['12345678901234567890', true],
    ['1e400', true],
    ['-1e400', true],
    ['1e-400', true],
    ['0.1000000000000000055511151231257827', true],
    ['9007199254740992', true],
    ['100000000000000000000000000000', true],
    ['9007199254740991', false],
    ['0.30000000000000004', false],
    ['1e21', false],
    ['1.5e-7', false],
    ['1e29', false],
    ['-0', false],
  ])('keeps %s as written when a double cannot hold it (%s)', (text, kept) => {
    // Act
    const parsed = parseJsonExact(`[${text}]`) as unknown[];
    // Assess
    expect(isRawNumber(parsed[0])).toBe(kept);
    expect(kept ? JSON.stringify(parsed) : String(parsed[0])).toBe(kept ? `[${text}]` : String(Number(text)));
  });

  it('keeps the exact decimal value of any number literal, long or short, with or without exponent', () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
    const literal = fc
      .record({
        sign: fc.constantFrom('', '-'),
        whole: fc.oneof(
          fc.constant('0'),
          fc.tuple(fc.stringMatching(/^[1-9]$/), digits(0, 24)).map(([a, b]) => a + b),
        ),
        fraction: fc.option(digits(1, 24), { nil: undefined }),
        exponent: fc.option(fc.integer({ min: -420, max: 420 }), { nil: undefined }),
      })
      .map(
        ({ sign, whole, fraction, exponent }) =>
          `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`,
      );
    fc.assert(
      fc.property(literal, (text) => {
        const [parsed] = parseJsonExact(`[${text}]`) as unknown[];
        // Either kept as written, or a double whose decimal is the literal's: never a rounded one.
        expect(jsonEquals(parsed, JSON.rawJSON(text))).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('leaves digits inside strings alone', () => {
    expect(parseJsonExact('{"phone":"12345678901234567890"}')).toEqual({ phone: '12345678901234567890' });
  });

  it('treats a number kept as text as a scalar, never as an object', () => {
    // Act
    const [big] = parseJsonExact('[9007199254740993]') as unknown[];
    // Assess
    expect(isPlainObject(big)).toBe(false);
    expect(jsonDepthExceeds([big], 1)).toBe(false);
  });
});

describe('jsonEquals on numbers kept as text', () => {
  const [big, same, other] = parseJsonExact(
    '[9007199254740993, 9007199254740993e0, 9007199254740995]',
  ) as unknown[];

  it('compares them by decimal value', () => {
    expect(jsonEquals(big, same)).toBe(true);
    expect(jsonEquals(big, other)).toBe(false);
    expect(jsonEquals({ id: big }, { id: same })).toBe(true);
  });

  it('never equates one with the double it would round to', () => {
    expect(jsonEquals(big, 9007199254740992)).toBe(false);
    expect(jsonEquals(9007199254740992, big)).toBe(false);
    expect(jsonEquals(big, '9007199254740993')).toBe(false);
  });
});

describe('jsonDepthExceeds', () => {
  /** Reference model: the recursive definition (fine for the small values fast-check makes). */
  const depthOf = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 0;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    return 1 + Math.max(0, ...children.map(depthOf));
  };

  it('agrees with the recursive depth for any JSON value and limit', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 6 }), (value, max) => {
        expect(jsonDepthExceeds(value, max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it(`answers for a value 100,000 levels deep without overflowing the stack (limit ${MAX_JSON_DEPTH})`, () => {
    // Prepare
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = { a: [deep] };
    // Act
    const exceeds = jsonDepthExceeds(deep, MAX_JSON_DEPTH);
    // Assess
    expect(exceeds).toBe(true);
  });
});

describe('parseJsonExact on deep texts', () => {
  it('parses a 100,000-deep text that has long numbers without overflowing the stack', () => {
    // Prepare
    const text = `{"id":9007199254740993,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    // Act
    const parsed = parseJsonExact(text);
    // Assess
    expect(jsonDepthExceeds(parsed, MAX_JSON_DEPTH)).toBe(true);
  });

  it(`keeps long numbers exact in a text nested ${MAX_JSON_DEPTH} levels, the most accepted`, () => {
    // Prepare
    const text = `${'['.repeat(MAX_JSON_DEPTH - 1)}[9007199254740993]${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    // Act
    const parsed = parseJsonExact(text);
    // Assess
    expect(JSON.stringify(parsed)).toBe(text);
  });
});
