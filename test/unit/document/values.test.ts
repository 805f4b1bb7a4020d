import { describe, expect, it } from 'vitest';
import { compileValue, expressionsIn, type ExpressionScope } from '@flow-worker/runtime';

const scope = (event: unknown, context: unknown = {}): ExpressionScope => ({ event, context });

describe('compileValue', () => {
  it('evaluates an expression against the event, and $$ against the run context', () => {
    const event = { payload: { name: 'Acme' } };
    expect(compileValue('$.payload.name')(scope(event))).toBe('Acme');
    expect(compileValue('$$.flow.name')(scope(event, { flow: { name: 'f' } }))).toBe('f');
  });

  it('leaves out a mapped field whose expression selects nothing, and keeps literals as written', () => {
    const resolve = compileValue({
      name: '$.name',
      missing: '$.nope',
      source: 'compass',
      count: 3,
      on: true,
    });

    expect(resolve(scope({ name: 'Acme' }))).toEqual({ name: 'Acme', source: 'compass', count: 3, on: true });
  });

  it('keeps array positions: an element that selects nothing becomes null', () => {
    expect(compileValue(['$.a', '$.nope', 'x'])(scope({ a: 1 }))).toEqual([1, null, 'x']);
  });

  it('maps nested objects recursively', () => {
    const resolve = compileValue({ company: { name: '$.name', tags: ['$.tag'] } });

    expect(resolve(scope({ name: 'Acme', tag: 'b2b' }))).toEqual({
      company: { name: 'Acme', tags: ['b2b'] },
    });
  });

  it('writes a "__proto__" mapping key as an own field, not as the prototype', () => {
    const resolved = compileValue({ ['__proto__']: '$.x' })(scope({ x: { admin: true } })) as Record<
      string,
      unknown
    >;

    expect(Object.keys(resolved)).toEqual(['__proto__']);
    expect((resolved as { admin?: boolean }).admin).toBeUndefined();
  });

  it('resolves a multi path to its array of matches, and to nothing when it matches none', () => {
    expect(compileValue('$.items[*].id')(scope({ items: [{ id: 1 }, { id: 2 }] }))).toEqual([1, 2]);
    expect(compileValue({ ids: '$.items[*].id' })(scope({ items: [] }))).toEqual({});
  });
});

describe('expressionsIn', () => {
  it('lists every expression of a spec with its path, skipping literals', () => {
    expect(expressionsIn({ a: '$.x', b: ['lit', '$$.steps.s'], 'odd key': { c: '$.y' } }, '.data')).toEqual([
      { path: '.data.a', expression: '$.x' },
      { path: '.data.b[1]', expression: '$$.steps.s' },
      { path: '.data["odd key"].c', expression: '$.y' },
    ]);
  });
});
