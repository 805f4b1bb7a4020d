import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compileJsonPath,
  compileSingular,
  evaluateJsonPath,
  ExpressionLimitError,
  ExpressionSyntaxError,
  formatJsonPath,
  isSingularQuery,
  MAX_EXPRESSION_NODES,
  parseJsonPath,
  PermanentError,
  UnsafeExpressionError,
  type JsonPathAst,
  type JsonPathSelector,
} from '@flow-worker/runtime';

/** The error `parseJsonPath(text)` throws; fails the test when it accepts the text. */
function rejectionOf(text: string, start?: number): ExpressionSyntaxError {
  try {
    parseJsonPath(text, start);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

const select = (path: string, value: unknown): unknown[] => evaluateJsonPath(parseJsonPath(path), value);

/** `{ a: { a: … { a: leaf } } }`, `depth` levels deep, built without recursion. */
function nested(depth: number, leaf: unknown = 'leaf'): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('parseJsonPath accepts RFC 9535 paths', () => {
  it('turns dot, bracket, descendant, wildcard, index and slice syntax into segments and selectors', () => {
    // Act
    const ast = parseJsonPath("$.a[0]['b']..c[*][1:2:-1]..*");
    // Assess
    expect(ast).toEqual({
      root: '$',
      segments: [
        { kind: 'child', selectors: [{ kind: 'name', name: 'a' }] },
        { kind: 'child', selectors: [{ kind: 'index', index: 0 }] },
        { kind: 'child', selectors: [{ kind: 'name', name: 'b' }] },
        { kind: 'descendant', selectors: [{ kind: 'name', name: 'c' }] },
        { kind: 'child', selectors: [{ kind: 'wildcard' }] },
        { kind: 'child', selectors: [{ kind: 'slice', start: 1, end: 2, step: -1 }] },
        { kind: 'descendant', selectors: [{ kind: 'wildcard' }] },
      ],
    });
  });

  it('reads $$ as the run-context root, our one extension to the RFC', () => {
    expect(parseJsonPath('$$.steps.first')).toEqual({
      root: '$$',
      segments: [
        { kind: 'child', selectors: [{ kind: 'name', name: 'steps' }] },
        { kind: 'child', selectors: [{ kind: 'name', name: 'first' }] },
      ],
    });
    expect(parseJsonPath('$$')).toEqual({ root: '$$', segments: [] });
  });

  it.each([
    ['$ .a', '$.a'],
    ["$['a'] ['b']", "$['a']['b']"],
    ['$[ \'a\' , "b" ]', "$['a','b']"],
    ['$[\t1\n:\r2 ]', '$[1:2]'],
    ['$[ * , 1 ]', '$[*,1]'],
    ['$..[ 0 ]', '$..[0]'],
  ])('allows blank space where the RFC does: %j is %s', (spaced, compact) => {
    expect(parseJsonPath(spaced)).toEqual(parseJsonPath(compact));
  });

  it.each([
    ["$['\\u00e9']", 'é'],
    ["$['\\u00E9']", 'é'],
    ["$['\\uD83D\\uDE00']", '😀'],
    ["$['\\b\\f\\n\\r\\t\\/\\\\']", '\b\f\n\r\t/\\'],
    ["$['it\\'s']", "it's"],
    ['$["say \\"hi\\""]', 'say "hi"'],
    ['$["it\'s"]', "it's"],
    ['$[\'say "hi"\']', 'say "hi"'],
    ['$.é', 'é'],
    ['$.☺', '☺'],
    ['$._x9', '_x9'],
    ['$.😀', '😀'],
  ])('decodes the name in %s as %j', (path, name) => {
    expect(parseJsonPath(path).segments[0]?.selectors).toEqual([{ kind: 'name', name }]);
  });

  it.each(["$['a(b)']", "$['`x']", "$['?']", "$['@']", "$['$']", "$['*']", "$['']"])(
    'treats %s as a plain name, since quoted text is never code',
    (path) => {
      expect(parseJsonPath(path).segments[0]?.selectors[0]?.kind).toBe('name');
    },
  );

  it('accepts integers up to ±(2^53−1)', () => {
    expect(parseJsonPath('$[9007199254740991]').segments[0]?.selectors).toEqual([
      { kind: 'index', index: 9007199254740991 },
    ]);
    expect(parseJsonPath('$[-9007199254740991:]').segments[0]?.selectors).toEqual([
      { kind: 'slice', start: -9007199254740991 },
    ]);
  });

  it('parses from a start offset and reports positions in the whole text', () => {
    // Act
    const ast = parseJsonPath('name = $.a', 7);
    const error = rejectionOf('name = $.1', 7);
    // Assess
    expect(ast).toEqual(parseJsonPath('$.a'));
    expect(error.position).toBe(9);
  });
});

describe('parseJsonPath rejects everything else, saying what and where', () => {
  const SHORTHAND_HINT = "(names with other characters are written ['…'])";

  it.each([
    ['$.a x', 'unexpected "x" at position 4: expected a segment (".name", ".*", "[…]" or "..")', 4],
    ['$[01]', 'leading zeros are not allowed in an integer (position 2)', 2],
    ['$[-01]', 'leading zeros are not allowed in an integer (position 2)', 2],
    ['$[-0]', '"-0" is not allowed; write 0 (position 2)', 2],
    ['$[9007199254740992]', 'integer out of range ±(2^53−1) (position 2)', 2],
    ['$[-9007199254740992]', 'integer out of range ±(2^53−1) (position 2)', 2],
    ['$.1', `unexpected "1" at position 2: expected a name or "*" after "." ${SHORTHAND_HINT}`, 2],
    ['$. a', `unexpected " " at position 2: expected a name or "*" after "." ${SHORTHAND_HINT}`, 2],
    ['$.. a', `unexpected " " at position 3: expected a name or "*" after ".." ${SHORTHAND_HINT}`, 3],
    ['$ ', 'blank space at the end of a path (position 1)', 1],
    [' $', 'a path starts with "$" or "$$", not " " (position 0)', 0],
    ['a.b', 'a path starts with "$" or "$$", not "a" (position 0)', 0],
    ['', 'a path starts with "$" or "$$" (position 0)', 0],
    ['$[', '"[" at position 1 is not closed', 2],
    ["$['a'", '"[" at position 1 is not closed', 5],
    ["$['a", 'string starting at position 2 is not closed', 4],
    ["$['a\u0001']", 'control character "\\u0001" must be escaped in a string (position 4)', 4],
    ['$["\\\'"]', 'invalid escape "\\" followed by "\'" in a string (position 3)', 3],
    ["$['\\x']", 'invalid escape "\\" followed by "x" in a string (position 3)', 3],
    ["$['\\u00G0']", '\\u must be followed by 4 hex digits (position 3)', 3],
    ["$['\\uD800']", 'high surrogate \\u escape must be followed by a low one (position 3)', 3],
    ["$['\\uDC00']", 'unpaired low surrogate \\u escape (position 3)', 3],
    ['$[1 2]', 'unexpected "2" at position 4: expected "," or "]"', 4],
    ['$[]', 'unexpected "]" at position 2: expected a selector (a quoted name, "*", an index or a slice)', 2],
    ['$[-]', '"-" must be followed by a digit (position 2)', 2],
    ['$.a~', 'unexpected "~" at position 3: expected a segment (".name", ".*", "[…]" or "..")', 3],
  ])('rejects %j: %s', (path, message, position) => {
    // Act
    const error = rejectionOf(path);
    // Assess
    expect(error.name).toBe('ExpressionSyntaxError');
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
  });

  it('rejects an unpaired surrogate written into a name', () => {
    expect(rejectionOf("$['\uD800']").message).toBe('unpaired surrogate in a string (position 3)');
    expect(rejectionOf('$.a\uDC00').position).toBe(3);
  });
});

describe('filters, function extensions and script constructs are refused by design', () => {
  it.each([
    ['$[?@.a]', 2],
    ['$..[?(@.id)]', 4],
    ['$$..[?(@.id)]', 5],
    ['$[0, ?@.a == 1]', 5],
    ["$[?match(@.a, 'x')]", 2],
  ])('refuses the filter %s', (path, position) => {
    // Act
    const error = rejectionOf(path);
    // Assess
    expect(error).toBeInstanceOf(UnsafeExpressionError);
    expect(error.name).toBe('UnsafeExpressionError');
    expect(error.message).toBe(
      `filter expressions are not allowed; use a filter step (position ${position})`,
    );
    expect(error.position).toBe(position);
  });

  it.each([
    ['$.a.length()', 'function extensions belong in filter expressions: '],
    ['$.count(@.a)', 'function extensions belong in filter expressions: '],
    ['$[(@.length-1)]', 'script expressions are not JSONPath; '],
    ['$[@.a]', 'script expressions are not JSONPath; '],
  ])('refuses %s, pointing at filters', (path, prefix) => {
    // Act
    const error = rejectionOf(path);
    // Assess
    expect(error).toBeInstanceOf(UnsafeExpressionError);
    expect(error.message).toMatch(`${prefix}filter expressions are not allowed; use a filter step`);
  });
});

describe('evaluateJsonPath selects as RFC 9535 says', () => {
  it('selects nothing with a name on an array or an index on an object', () => {
    expect(select("$['0']", ['x'])).toEqual([]);
    expect(select('$.length', [1, 2])).toEqual([]);
    expect(select('$[0]', { 0: 'x' })).toEqual([]);
    expect(select('$[0]', 'abc')).toEqual([]);
    expect(select('$.length', 'abc')).toEqual([]);
  });

  it('counts negative indexes from the end and selects nothing out of range', () => {
    expect(select('$[-1]', [1, 2, 3])).toEqual([3]);
    expect(select('$[-3]', [1, 2, 3])).toEqual([1]);
    expect(select('$[-4]', [1, 2, 3])).toEqual([]);
    expect(select('$[3]', [1, 2, 3])).toEqual([]);
  });

  it.each([
    ['$[1:2:0]', [0, 1, 2], []],
    ['$[::-1]', [0, 1, 2], [2, 1, 0]],
    ['$[::2]', [0, 1, 2, 3, 4], [0, 2, 4]],
    ['$[5:0:-2]', [0, 1, 2, 3, 4, 5], [5, 3, 1]],
    ['$[-2:]', [0, 1, 2], [1, 2]],
    ['$[:0]', [0, 1, 2], []],
    ['$[-9007199254740991:9007199254740991]', [0, 1], [0, 1]],
    ['$[1:3]', { 1: 'x' }, []],
  ])('slices %s of %j as %j', (path, value, expected) => {
    expect(select(path, value)).toEqual(expected);
  });

  it('keeps duplicates and selector order in a union', () => {
    expect(select("$[0,0,-1,'a',1:]", [1, 2, 3])).toEqual([1, 1, 3, 2, 3]);
    expect(select("$['b','a','b']", { a: 1, b: 2 })).toEqual([2, 1, 2]);
  });

  it('visits a descendant segment in document order: the node, then each child subtree in turn', () => {
    // Prepare
    const value = { a: [1, { b: 2 }], c: 3 };
    // Act
    const all = select('$..*', value);
    // Assess
    expect(all).toEqual([[1, { b: 2 }], 3, 1, { b: 2 }, 2]);
    expect(select('$..b', { b: 1, x: { b: 2, y: [{ b: 3 }] } })).toEqual([1, 2, 3]);
    expect(select('$..[0]', { a: { 0: 'x' }, b: ['y', ['z']] })).toEqual(['y', 'z']);
  });

  it('never reaches the prototype chain, but does read a JSON member named __proto__', () => {
    expect(select('$.constructor', {})).toEqual([]);
    expect(select('$.__proto__', {})).toEqual([]);
    expect(select('$.toString', { a: 1 })).toEqual([]);
    expect(select("$['__proto__']", JSON.parse('{"__proto__": 1}'))).toEqual([1]);
  });

  it('selects the root itself whatever it is, and nothing below a scalar', () => {
    expect(select('$', false)).toEqual([false]);
    expect(select('$', null)).toEqual([null]);
    expect(select('$$', 0)).toEqual([0]);
    expect(select('$.a', null)).toEqual([]);
    expect(select('$[*]', 'abc')).toEqual([]);
    expect(select('$..*', 7)).toEqual([]);
  });

  it('selects values, including null and false, not just truthy ones', () => {
    expect(select('$[*]', { a: null, b: false, c: 0, d: '' })).toEqual([null, false, 0, '']);
  });
});

describe('singular queries compile to a direct accessor', () => {
  it('returns the one value, undefined when nothing is selected, and keeps null', () => {
    // Prepare
    const read = compileSingular(parseJsonPath("$.a[-1]['b c']"));
    // Act & Assess
    expect(read({ a: [0, { 'b c': 'x' }] })).toBe('x');
    expect(read({ a: [0, { 'b c': null }] })).toBeNull();
    expect(read({ a: [] })).toBeUndefined();
    expect(read({ a: { '-1': { 'b c': 'x' } } })).toBeUndefined();
    expect(read('a')).toBeUndefined();
  });

  it('reads own members of objects and indexes of arrays only', () => {
    expect(compileSingular(parseJsonPath('$.constructor'))({})).toBeUndefined();
    expect(compileSingular(parseJsonPath('$.__proto__'))({})).toBeUndefined();
    expect(compileSingular(parseJsonPath('$.length'))([1])).toBeUndefined();
    expect(compileSingular(parseJsonPath("$['0']"))(['x'])).toBeUndefined();
    expect(compileSingular(parseJsonPath('$[0]'))({ 0: 'x' })).toBeUndefined();
    expect(compileSingular(parseJsonPath('$.toString'))({ a: 1 })).toBeUndefined();
    expect(compileSingular(parseJsonPath('$.a.hasOwnProperty'))({ a: {} })).toBeUndefined();
  });

  it('reads JSON members named __proto__ or rawJSON, but not the inside of a number kept as text', () => {
    expect(compileSingular(parseJsonPath("$['__proto__']"))(JSON.parse('{"__proto__": 1}'))).toBe(1);
    expect(compileSingular(parseJsonPath('$.rawJSON'))({ rawJSON: 'x' })).toBe('x');
    expect(
      compileSingular(parseJsonPath('$.n.rawJSON'))({ n: JSON.rawJSON('12345678901234567890') }),
    ).toBeUndefined();
  });

  it.each(['$[*]', '$..a', '$[0,1]', '$[0:1]', "$['a','b']"])(
    'knows %s is not singular and refuses it',
    (path) => {
      // Prepare
      const ast = parseJsonPath(path);
      // Act & Assess
      expect(isSingularQuery(ast)).toBe(false);
      expect(() => compileSingular(ast)).toThrow(TypeError);
    },
  );

  it('agrees with evaluateJsonPath for any singular path on any value', () => {
    // Names of Object.prototype's members and of a raw number's one member, beside plain ones.
    const key = fc.constantFrom(
      'a',
      'b',
      '0',
      '1',
      'length',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'rawJSON',
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false, 0, 1, '', 'ab', JSON.rawJSON('12345678901234567890')),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3 }),
      ),
    }));
    const step = fc.oneof(
      key.map((name): JsonPathSelector => ({ kind: 'name', name })),
      fc.integer({ min: -3, max: 3 }).map((index): JsonPathSelector => ({ kind: 'index', index })),
    );
    const path = fc.array(step, { maxLength: 4 }).map((selectors): JsonPathAst => ({
      root: '$',
      segments: selectors.map((selector) => ({ kind: 'child', selectors: [selector] })),
    }));
    fc.assert(
      fc.property(path, value, (ast, root) => {
        // Act
        const nodes = evaluateJsonPath(ast, root);
        // Assess
        expect(nodes.length).toBeLessThanOrEqual(1);
        expect(compileSingular(ast)(root)).toBe(nodes[0]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('compileJsonPath', () => {
  it('gives singular paths a value-or-undefined select and the others an array', () => {
    // Prepare
    const value = { items: [{ sku: 'p-1' }, { sku: 'p-2' }] };
    // Act
    const one = compileJsonPath('$.items[1].sku');
    const many = compileJsonPath('$.items[*].sku');
    const none = compileJsonPath('$.missing[*]');
    // Assess
    expect(one.singular).toBe(true);
    expect(one.select(value)).toBe('p-2');
    expect(many.singular).toBe(false);
    expect(many.select(value)).toEqual(['p-1', 'p-2']);
    expect(none.select(value)).toEqual([]);
  });

  it('keeps the source and the root, so the caller knows which value to pass', () => {
    // Act
    const compiled = compileJsonPath('$$.steps.first.id');
    // Assess
    expect(compiled.source).toBe('$$.steps.first.id');
    expect(compiled.root).toBe('$$');
    expect(compiled.select({ steps: { first: { id: 'hs-1' } } })).toBe('hs-1');
  });
});

describe('formatJsonPath', () => {
  it('writes the canonical form: brackets, single-quoted names, no blank space', () => {
    expect(formatJsonPath(parseJsonPath('$.a ..b[*][1:2:-1][ "x" , 0 ][::]..*[\'\\u00e9\']'))).toBe(
      "$['a']..['b'][*][1:2:-1]['x',0][:]..[*]['é']",
    );
    expect(formatJsonPath(parseJsonPath('$$'))).toBe('$$');
  });

  it('escapes names as RFC 9535 normalized paths do', () => {
    expect(formatJsonPath(parseJsonPath('$["a\'b\\\\c\\n\\u0001\\u001f"]'))).toBe(
      "$['a\\'b\\\\c\\n\\u0001\\u001f']",
    );
  });

  it('round-trips any path through parseJsonPath', () => {
    const integer = fc.maxSafeInteger().map((i) => i || 0);
    const optional = fc.option(integer, { nil: undefined });
    const selector = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 6 }).map((name): JsonPathSelector => ({ kind: 'name', name })),
      fc.constant<JsonPathSelector>({ kind: 'wildcard' }),
      integer.map((index): JsonPathSelector => ({ kind: 'index', index })),
      fc
        .tuple(optional, optional, optional)
        .map(([start, end, step]): JsonPathSelector => ({ kind: 'slice', start, end, step })),
    );
    const ast = fc.record({
      root: fc.constantFrom<'$' | '$$'>('$', '$$'),
      segments: fc.array(
        fc.record({
          kind: fc.constantFrom<'child' | 'descendant'>('child', 'descendant'),
          selectors: fc.array(selector, { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(ast, (original) => {
        expect(parseJsonPath(formatJsonPath(original))).toEqual(original);
      }),
      { numRuns: 500 },
    );
  });
});

describe('depth and length: nothing recurses, so no value or path is too deep', () => {
  it('walks a 10,000-deep value with a descendant segment', () => {
    // Prepare
    const deep = nested(10_000);
    // Act
    const names = select('$..a', deep);
    const all = select('$..*', deep);
    // Assess
    expect(names).toHaveLength(10_000);
    expect(names.at(-1)).toBe('leaf');
    expect(all).toHaveLength(10_000);
  });

  it('reads 10,000 levels down with a 10,000-segment singular path', () => {
    // Prepare
    const path = '$' + '.a'.repeat(10_000);
    // Act
    const compiled = compileJsonPath(path);
    // Assess
    expect(compiled.singular).toBe(true);
    expect(compiled.select(nested(10_000))).toBe('leaf');
    expect(select(path, nested(10_000))).toEqual(['leaf']);
  });

  it('parses and evaluates a path of 100,000 segments', () => {
    // Prepare
    const path = '$' + '.a'.repeat(100_000);
    // Act
    const ast = parseJsonPath(path);
    // Assess
    expect(ast.segments).toHaveLength(100_000);
    expect(evaluateJsonPath(ast, { a: { a: 1 } })).toEqual([]);
    expect(compileSingular(ast)(nested(100_000))).toBe('leaf');
  });

  it('rejects 10,000 nested brackets as a syntax error, not a stack overflow', () => {
    // Act
    const error = rejectionOf('$' + '['.repeat(10_000));
    // Assess
    expect(error.message).toBe(
      'unexpected "[" at position 2: expected a selector (a quoted name, "*", an index or a slice)',
    );
  });
});

describe('work per evaluation is bounded', () => {
  it(`stops $..*..* over a 10,000-deep value after ${MAX_EXPRESSION_NODES.toLocaleString('en-US')} nodes with a permanent error naming the path`, () => {
    // Prepare
    const compiled = compileJsonPath('$..*..*');
    // Act
    const act = () => compiled.select(nested(10_000));
    // Assess
    expect(act).toThrow(ExpressionLimitError);
    expect(act).toThrow(PermanentError);
    expect(act).toThrow(
      'expression "$..*..*" selected or visited more than 1,000,000 nodes, the limit of one evaluation; ' +
        'write a more specific path (fewer ".." and "*")',
    );
  });

  it.each([
    ['a descendant walk', '$..a', nested(101)],
    ['a wide wildcard', '$[*]', Array.from({ length: 101 }, (_, i) => i)],
    ['a union that repeats itself', `$[${Array.from({ length: 101 }, () => 0).join(',')}]`, [1]],
  ])('counts every node %s selects or visits against the limit', (_what, path, value) => {
    // Prepare
    const ast = parseJsonPath(path);
    // Act
    const act = () => evaluateJsonPath(ast, value, { maxNodes: 100 });
    // Assess
    expect(act).toThrow(ExpressionLimitError);
    expect(act).toThrow(
      `expression ${JSON.stringify(formatJsonPath(ast))} selected or visited more than 100 nodes`,
    );
  });

  it('lets an evaluation that stays within the limit through, up to the last node', () => {
    // Prepare
    const value = Array.from({ length: 100 }, (_, i) => i);
    // Act
    const selected = evaluateJsonPath(parseJsonPath('$[*]'), value, { maxNodes: 100 });
    // Assess
    expect(selected).toEqual(value);
  });
});

describe('hostile paths', () => {
  const globals = globalThis as { pwned?: unknown };
  afterEach(() => {
    delete globals.pwned;
    vi.restoreAllMocks();
  });

  it('never evaluate code', () => {
    // Prepare
    const fn = vi.spyOn(globalThis, 'Function');
    const value = { a: [{ x: 1 }], length: 1, 'globalThis.pwned = 1': 2 };
    const hostile = [
      '$.a[?(globalThis.pwned = 1)]',
      '$[(globalThis.pwned = 1)]',
      '$..[?(globalThis.pwned = 1)]',
      '$.a[?@.x == 1]',
      '$.`pwned',
      '$.a@string()',
      '$.a^',
      '$.a~',
    ];
    const harmless = ["$['globalThis.pwned = 1']", "$['`globalThis']", "$['?(1)']", '$..*', '$.a[*].x'];
    // Act
    for (const path of hostile) expect(() => compileJsonPath(path)).toThrow(ExpressionSyntaxError);
    const selected = harmless.map((path) => compileJsonPath(path).select(value));
    // Assess
    expect(selected[0]).toBe(2);
    expect(selected[4]).toEqual([1]);
    expect(globals.pwned).toBeUndefined();
    expect(fn).not.toHaveBeenCalled();
  });
});
