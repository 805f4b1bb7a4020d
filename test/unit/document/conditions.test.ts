import { describe, expect, it } from 'vitest';
import { compileCondition, type Condition } from '@flow-worker/runtime';

const scope = {
  event: { kind: 'customer', size: 5, tags: ['a', 'b'], address: { city: 'Oslo', zip: '0150' }, none: null },
  context: { steps: { check: { passed: true } } },
};
const holds = (condition: Condition) => compileCondition(condition)(scope);

describe('compileCondition', () => {
  it.each<[string, Condition, boolean]>([
    ['equals a string', { path: '$.kind', equals: 'customer' }, true],
    ['equals fails on another value', { path: '$.kind', equals: 'lead' }, false],
    [
      'equals compares objects deeply, key order aside',
      { path: '$.address', equals: { zip: '0150', city: 'Oslo' } },
      true,
    ],
    ['equals compares arrays in order', { path: '$.tags', equals: ['b', 'a'] }, false],
    ['equals does not coerce types', { path: '$.size', equals: '5' }, false],
    ['equals null matches null, not a missing field', { path: '$.missing', equals: null }, false],
    ['equals null on a null field', { path: '$.none', equals: null }, true],
    ['not_equals', { path: '$.kind', not_equals: 'lead' }, true],
    ['not_equals holds when the path selects nothing', { path: '$.missing', not_equals: 'x' }, true],
    ['in', { path: '$.kind', in: ['lead', 'customer'] }, true],
    ['in compares deeply', { path: '$.tags', in: [['a', 'b']] }, true],
    ['in fails when nothing is selected', { path: '$.missing', in: [null] }, false],
    ['exists: true', { path: '$.address.city', exists: true }, true],
    ['exists: true on a null value', { path: '$.none', exists: true }, true],
    ['exists: false', { path: '$.address.street', exists: false }, true],
    ['exists on a wildcard with no match', { path: '$.missing[*]', exists: true }, false],
    ['reads the run context', { path: '$$.steps.check.passed', equals: true }, true],
    [
      'all',
      {
        all: [
          { path: '$.kind', equals: 'customer' },
          { path: '$.size', in: [5, 6] },
        ],
      },
      true,
    ],
    [
      'all fails when one fails',
      {
        all: [
          { path: '$.kind', equals: 'customer' },
          { path: '$.size', equals: 6 },
        ],
      },
      false,
    ],
    [
      'any',
      {
        any: [
          { path: '$.kind', equals: 'lead' },
          { path: '$.size', equals: 5 },
        ],
      },
      true,
    ],
    ['any fails when none holds', { any: [{ path: '$.kind', equals: 'lead' }] }, false],
    [
      'nests',
      {
        all: [
          {
            any: [
              { path: '$.kind', equals: 'x' },
              { path: '$.tags[0]', equals: 'a' },
            ],
          },
          { path: '$.size', exists: true },
        ],
      },
      true,
    ],
  ])('%s', (_, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it('refuses an unsafe path at compile time', () => {
    expect(() => compileCondition({ path: '$..[?(@.x)]', exists: true })).toThrow(/not allowed/);
  });
});
