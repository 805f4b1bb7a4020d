import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError } from '../../cli/errors.js';
import { jsonErrorOffset, parseJsonText } from '../../cli/json-text.js';

function locate(text: string): { line: number; column: number } {
  try {
    parseJsonText(text, 'x.json');
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { line: error.line, column: error.column };
    throw error;
  }
  throw new Error('parsed');
}

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a":[1,2.5e3,true,null,"\\u00e9"]}', 'x.json')).toEqual({
      a: [1, 2500, true, null, 'é'],
    });
  });

  it.each([
    ['a trailing comma in an array', '{\n  "flows": [1,]\n}', { line: 2, column: 15 }],
    ['an unquoted value', '{"a": x}', { line: 1, column: 7 }],
    ['a trailing comma in an object', '{\n  "a": 1,\n}', { line: 3, column: 1 }],
    ['a missing colon', '{"a" 1}', { line: 1, column: 6 }],
    ['text after the value', '{}\n\n  x', { line: 3, column: 3 }],
    ['a bad escape', '{"a":"b\\q"}', { line: 1, column: 9 }],
    ['an unterminated string', '{"a":"b', { line: 1, column: 8 }],
    ['empty input', '', { line: 1, column: 1 }],
  ])('names line and column of %s', (_, text, where) => {
    expect(locate(text)).toEqual(where);
  });

  it('finds no error in valid JSON (the scanner agrees with JSON.parse)', () => {
    expect(jsonErrorOffset(' {"a": [ {}, [], -0.5, "x\\"y" ] } ')).toBeUndefined();
  });

  it('keeps V8 detail without its position or input excerpt', () => {
    expect(() => parseJsonText('[1,]', 'x.json')).toThrow("x.json:1:4: not valid JSON: Unexpected token ']'");
  });

  it('finds no error in any JSON text JSON.stringify writes (fast-check)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        expect(jsonErrorOffset(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
    );
  });

  it('locates an error 100,000 brackets deep without overflowing the stack', () => {
    // Prepare
    const unclosed = '['.repeat(100_000);
    const wrong = `${'{"a":'.repeat(100_000)}x`;
    // Act & Assess
    expect(jsonErrorOffset(unclosed)).toBe(100_000);
    expect(jsonErrorOffset(wrong)).toBe(wrong.length - 1);
    expect(jsonErrorOffset('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(() => parseJsonText(unclosed, 'deep.json')).toThrow(JsonSyntaxError);
  });
});
