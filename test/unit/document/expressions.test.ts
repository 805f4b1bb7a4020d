import { JSONPath } from 'jsonpath-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compileExpression,
  evaluateExpression,
  ExpressionSyntaxError,
  isExpression,
  UnsafeExpressionError,
} from '@flow-worker/runtime';

const event = {
  event: 'upsert_company',
  payload: { name: 'Acme', domain: 'acme.test', tags: ['a', 'b', 'c'], 'x y': 1, "it's": 2, 'a"b': 3 },
  items: [
    { id: 1, sku: 'p-1' },
    { id: 2, sku: 'p-2' },
  ],
  zero: 0,
  nothing: null,
};
const context = { envelope: { event_id: 'evt-1' }, flow: { name: 'f' }, steps: { first: { id: 'hs-1' } } };
const scope = { event, context };

describe('isExpression', () => {
  it.each(['$', '$$', '$.a', '$[0]', '$$.steps', "$$['flow']"])('treats %s as an expression', (value) => {
    expect(isExpression(value)).toBe(true);
  });

  it.each(['', 'hello', '$100', '$$$', '$a', ' $.a', 'a.$', 42, null])('treats %s as a literal', (value) => {
    expect(isExpression(value)).toBe(false);
  });
});

describe('plain paths compile to direct accessors', () => {
  it.each([
    ['$', event],
    ['$.payload.name', 'Acme'],
    ['$.payload.tags[0]', 'a'],
    ['$.payload.tags[-1]', 'c'],
    ["$.payload['x y']", 1],
    ['$.payload["x y"]', 1],
    ["$['payload']['it\\'s']", 2],
    ['$.payload["a\\"b"]', 3],
    ['$.items[1].sku', 'p-2'],
    ['$.zero', 0],
    ['$.nothing', null],
  ])('%s reads the event', (path, expected) => {
    // Act
    const compiled = compileExpression(path);
    // Assess
    expect(compiled.multi).toBe(false);
    expect(compiled.evaluate(scope)).toEqual(expected);
  });

  it('reads the run context with $$', () => {
    expect(evaluateExpression('$$.steps.first.id', scope)).toBe('hs-1');
    expect(evaluateExpression("$$['envelope'].event_id", scope)).toBe('evt-1');
    expect(evaluateExpression('$$', scope)).toBe(context);
  });

  it.each(['$.missing', '$.payload.name.first', '$.payload.tags[7]', '$.nothing.x', '$.zero.x'])(
    '%s selects nothing (undefined)',
    (path) => {
      expect(evaluateExpression(path, scope)).toBeUndefined();
    },
  );

  it('never reaches the prototype chain', () => {
    expect(evaluateExpression('$.constructor', scope)).toBeUndefined();
    expect(evaluateExpression('$.__proto__', scope)).toBeUndefined();
    expect(evaluateExpression('$.payload.tags.length', scope)).toBeUndefined();
  });

  it('does not call jsonpath-plus for plain paths', () => {
    // Prepare
    const spy = vi.spyOn(JSONPath.prototype, 'evaluate');
    // Act
    evaluateExpression('$.payload.tags[0]', scope);
    // Assess
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('wildcards, recursive descent, slices and unions', () => {
  it.each([
    ['$.items[*].id', [1, 2]],
    ['$.items.*.sku', ['p-1', 'p-2']],
    ['$..sku', ['p-1', 'p-2']],
    ['$.payload.tags[0:2]', ['a', 'b']],
    ['$.payload.tags[0,2]', ['a', 'c']],
    ["$.items[0]['id','sku']", [1, 'p-1']],
    ['$$.steps.*.id', ['hs-1']],
    ['$.missing[*]', []],
    ['$.zero.*', []],
  ])('%s evaluates to an array', (path, expected) => {
    const compiled = compileExpression(path);
    expect(compiled.multi).toBe(true);
    expect(compiled.evaluate(scope)).toEqual(expected);
  });
});

describe('literals', () => {
  it('are not expressions, so compileExpression refuses them', () => {
    expect(() => compileExpression('hello')).toThrow(ExpressionSyntaxError);
  });
});

describe('syntax errors', () => {
  it.each(['$.', '$..', '$.a b', '$[', "$['a'", '$[abc]', "$['a]", '$.a[1', "$.a['b\\c']", "$.*['a.b']"])(
    'rejects %s with a clear message',
    (path) => {
      expect(() => compileExpression(path)).toThrow(ExpressionSyntaxError);
      expect(() => compileExpression(path)).toThrow(/^expression ".*" is invalid: /);
    },
  );
});

describe('hostile expressions', () => {
  const globals = globalThis as { pwned?: unknown };
  afterEach(() => {
    delete globals.pwned;
    vi.restoreAllMocks();
  });

  const hostile = [
    '$..[?(@.x)]',
    '$[(@.length-1)]',
    '$.a[?(globalThis.pwned = 1)]',
    '$[(globalThis.pwned = 1)]',
    '$..[?(globalThis.pwned = 1)]',
    '$.`pwned',
    "$['`globalThis']",
    '$.a[?(true)]',
    '$.a@string()',
    "$['a(b)']",
    '$$..[?(@.id)]',
  ];

  it.each(hostile)('%s is rejected at compile time', (path) => {
    expect(() => compileExpression(path)).toThrow(UnsafeExpressionError);
    expect(() => compileExpression(path)).toThrow(/filter and script expressions .* are not allowed/);
  });

  it.each(hostile)('%s is never executed, even when handed straight to the evaluator', (path) => {
    // Prepare
    const engine = vi.spyOn(JSONPath.prototype, 'evaluate');
    const fn = vi.spyOn(globalThis, 'Function');
    // Act
    const act = () => evaluateExpression(path, { event: { a: [{ x: 1 }], length: 1 }, context: {} });
    // Assess
    expect(act).toThrow(UnsafeExpressionError);
    expect(globals.pwned).toBeUndefined();
    expect(engine).not.toHaveBeenCalled();
    expect(fn).not.toHaveBeenCalled();
  });
});
