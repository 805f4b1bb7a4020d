import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainObject, jsonEquals, setOwn } from '@flow-worker/runtime';

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
