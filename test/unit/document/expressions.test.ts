import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compileExpression,
  evaluateExpression,
  ExpressionLimitError,
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
  it.each(['$', '$$', '$.a', '$[0]', '$$.steps', "$$['flow']", '$ .a', '$\t[0]', '$$ \n.steps', '$..a'])(
    'treats %j as an expression',
    (value) => {
      expect(isExpression(value)).toBe(true);
    },
  );

  it.each(['', 'hello', '$100', '$5 off', '$ ', '$ 5', '$$$', '$a', ' $.a', 'a.$', 42, null])(
    'treats %j as a literal',
    (value) => {
      expect(isExpression(value)).toBe(false);
    },
  );
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

  it('selects as RFC 9535 says: a name never reads an array element, an index never an object member', () => {
    // Prepare
    const local = { event: { list: ['x'], map: { 0: 'y' } }, context: {} };
    // Act
    const nameOnArray = evaluateExpression("$.list['0']", local);
    const indexOnObject = evaluateExpression('$.map[0]', local);
    const nameOnObject = evaluateExpression("$.map['0']", local);
    // Assess
    expect(nameOnArray).toBeUndefined();
    expect(indexOnObject).toBeUndefined();
    expect(nameOnObject).toBe('y');
  });

  it.each([
    ['$ .payload .name', 'Acme'],
    ["$[ 'payload' ][ 'tags' ][ -1 ]", 'c'],
    ["$['\\u0041cme']", undefined],
    ["$.payload['\\u006eame']", 'Acme'],
    ['$.données', undefined],
  ])('accepts RFC 9535 blank space, escapes and non-ASCII names: %s', (path, expected) => {
    expect(evaluateExpression(path, scope)).toEqual(expected);
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
    ['$.payload.tags[::-1]', ['c', 'b', 'a']],
    ['$.payload.tags[-2:]', ['b', 'c']],
    ['$.payload.tags[1:2:0]', []],
    ['$.payload.tags[*,0]', ['a', 'b', 'c', 'a']],
    ['$.items[-1,0].id', [2, 1]],
  ])('%s evaluates to an array', (path, expected) => {
    const compiled = compileExpression(path);
    expect(compiled.multi).toBe(true);
    expect(compiled.evaluate(scope)).toEqual(expected);
  });
});

describe('syntax errors', () => {
  it.each([
    '$.',
    '$..',
    '$.a b',
    '$[',
    "$['a'",
    '$[abc]',
    "$['a]",
    '$.a[1',
    "$.a['b\\c']",
    '$[01]',
    '$[-0]',
    '$ ',
  ])('rejects %s with a clear message', (path) => {
    expect(() => compileExpression(path)).toThrow(ExpressionSyntaxError);
    expect(() => compileExpression(path)).toThrow(/^expression ".*" is invalid: /);
  });

  it.each([
    ['$[9007199254740992]', 'integer out of range ±(2^53−1) (position 2)'],
    ['$[-9007199254740992]', 'integer out of range ±(2^53−1) (position 2)'],
  ])('rejects the index %s, beyond what JSON numbers hold exactly', (path, reason) => {
    expect(() => compileExpression(path)).toThrow(`expression "${path}" is invalid: ${reason}`);
  });

  it.each([
    ['$.first-name', "$['first-name']"],
    ['$.contact.first-name.value', "$.contact['first-name'].value"],
    ['$..first-name', "$..['first-name']"],
    ["$['a.b'].x-y", "$['a.b']['x-y']"],
  ])('says how to write the dot name of %s in brackets', (path, suggestion) => {
    expect(() => compileExpression(path)).toThrow(
      `names with "-" or a leading digit are written in brackets: ${suggestion}`,
    );
  });

  it('suggests both the member name and the array index for a numeric dot name', () => {
    expect(() => compileExpression('$.items.0.sku')).toThrow(
      'names with "-" or a leading digit are written in brackets: $.items[\'0\'].sku (or, for an array index, $.items[0].sku)',
    );
  });

  it('says what an expression looks like when given a literal', () => {
    expect(() => compileExpression('hello')).toThrow(
      'expression "hello" is invalid: an expression is "$" or "$$", or "$" / "$$" followed by "." or "["',
    );
  });
});

describe('work per evaluation', () => {
  it('stops an evaluation that visits too many nodes with a permanent error naming the expression', () => {
    // Prepare
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i += 1) deep = { a: deep };
    const compiled = compileExpression('$..*..*');
    // Act
    const act = () => compiled.evaluate({ event: deep, context: {} });
    // Assess
    expect(act).toThrow(ExpressionLimitError);
    expect(act).toThrow('expression "$..*..*" selected or visited more than 1,000,000 nodes');
  });
});

describe('hostile expressions', () => {
  const globals = globalThis as { pwned?: unknown };
  afterEach(() => {
    delete globals.pwned;
    vi.restoreAllMocks();
  });

  const filters = [
    '$..[?(@.x)]',
    '$[(@.length-1)]',
    '$.a[?(globalThis.pwned = 1)]',
    '$[(globalThis.pwned = 1)]',
    '$..[?(globalThis.pwned = 1)]',
    '$.a[?(true)]',
    '$$..[?(@.id)]',
    '$.a.length()',
    '$[@.a]',
  ];
  const junk = ['$.`pwned', '$.a@string()', '$.a^', '$.a~'];

  it.each(filters)('%s is refused at compile time as a filter or script', (path) => {
    expect(() => compileExpression(path)).toThrow(UnsafeExpressionError);
    expect(() => compileExpression(path)).toThrow(
      /^expression ".*" is refused: .*filter expressions are not allowed; use a filter step/,
    );
  });

  it.each(junk)('%s is rejected at compile time as outside the grammar', (path) => {
    expect(() => compileExpression(path)).toThrow(ExpressionSyntaxError);
  });

  it.each([...filters, ...junk])(
    '%s is never executed, even when handed straight to the evaluator',
    (path) => {
      // Prepare
      const fn = vi.spyOn(globalThis, 'Function');
      // Act
      const act = () => evaluateExpression(path, { event: { a: [{ x: 1 }], length: 1 }, context: {} });
      // Assess
      expect(act).toThrow(ExpressionSyntaxError);
      expect(globals.pwned).toBeUndefined();
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it.each([
    ["$['a(b)']", 'a(b)'],
    ["$['?']", '?'],
    ["$['@']", '@'],
    ["$['`globalThis']", '`globalThis'],
    ["$['?(@.x)']", '?(@.x)'],
  ])('%s is an ordinary member name, read as data', (path, key) => {
    // Act
    const selected = evaluateExpression(path, { event: { [key]: 'value' }, context: {} });
    // Assess
    expect(selected).toBe('value');
    expect(globals.pwned).toBeUndefined();
  });
});
