import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import {
  compileJsonPath,
  evaluateJsonPath,
  ExpressionSyntaxError,
  parseJsonPath,
  UnsafeExpressionError,
  type JsonPathAst,
  type JsonPathSelector,
} from '@flow-worker/runtime';

/**
 * The JSONPath Compliance Test Suite for RFC 9535, vendored in test/fixtures/jsonpath-compliance
 * (BSD-2-Clause, Copyright 2020 VMware, Inc.; origin and commit in its README.md).
 *
 * Every case runs: filter-free valid selectors must give one of the RFC's results, invalid
 * selectors must be rejected, and selectors with filters (and so function extensions, which RFC
 * 9535 only allows inside filters) must be refused by design.
 */

interface ComplianceCase {
  readonly name: string;
  readonly selector: string;
  readonly document?: unknown;
  /** The nodelist, when the order is fixed. */
  readonly result?: unknown[];
  /** Every acceptable nodelist, when the order is not fixed (object member order). */
  readonly results?: unknown[][];
  readonly invalid_selector?: true;
}

const suite = JSON.parse(
  readFileSync(new URL('../../fixtures/jsonpath-compliance/cts.json', import.meta.url), 'utf8'),
) as { tests: ComplianceCase[] };
const cases = suite.tests;

/** True when the selector has a `?` outside string literals: a filter selector (RFC 9535 §2.3.5). */
function hasFilter(selector: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < selector.length; i += 1) {
    const char = selector[i];
    if (quote === undefined) {
      if (char === '?') return true;
      if (char === "'" || char === '"') quote = char;
    } else if (char === '\\') {
      i += 1;
    } else if (char === quote) {
      quote = undefined;
    }
  }
  return false;
}

const invalidCases = cases.filter((c) => c.invalid_selector === true);
const filterCases = cases.filter((c) => c.invalid_selector !== true && hasFilter(c.selector));
const filterFreeCases = cases.filter((c) => c.invalid_selector !== true && !hasFilter(c.selector));

const expectedResults = (c: ComplianceCase): unknown[][] => c.results ?? (c.result ? [c.result] : []);

type Outcome = 'right' | 'wrong' | 'valid refused' | 'invalid accepted' | 'rejected' | 'refused by design';

/** What our module does with one case, in the terms of the summary line. */
function outcomeOf(c: ComplianceCase): Outcome {
  let ast: JsonPathAst;
  try {
    ast = parseJsonPath(c.selector);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    if (c.invalid_selector) return 'rejected';
    if (error instanceof UnsafeExpressionError && hasFilter(c.selector)) return 'refused by design';
    return 'valid refused';
  }
  if (c.invalid_selector) return 'invalid accepted';
  const nodelist = evaluateJsonPath(ast, c.document);
  return expectedResults(c).some((result) => isDeepStrictEqual(result, nodelist)) ? 'right' : 'wrong';
}

describe('the RFC 9535 compliance suite', () => {
  it.each(filterFreeCases)('$name: $selector selects one of the RFC results', (c) => {
    // Act
    const nodelist = evaluateJsonPath(parseJsonPath(c.selector), c.document);
    // Assess
    expect(expectedResults(c)).toContainEqual(nodelist);
  });

  it.each(filterFreeCases)('$name: $selector compiles to a select() that agrees with the nodelist', (c) => {
    // Prepare
    const compiled = compileJsonPath(c.selector);
    // Act
    const selected = compiled.select(c.document);
    // Assess
    const nodelist = evaluateJsonPath(compiled.ast, c.document);
    if (compiled.singular) expect(selected === undefined ? [] : [selected]).toEqual(nodelist);
    else expect(selected).toEqual(nodelist);
  });

  it.each(invalidCases)('$name: $selector is rejected', (c) => {
    expect(() => parseJsonPath(c.selector)).toThrow(ExpressionSyntaxError);
  });

  it.each(filterCases)('$name: $selector is refused by design (filter)', (c) => {
    expect(() => parseJsonPath(c.selector)).toThrow(UnsafeExpressionError);
    expect(() => parseJsonPath(c.selector)).toThrow('filter expressions are not allowed; use a filter step');
  });

  it('has 0 wrong results, 0 invalid accepted and 0 filter-free valid selectors refused', () => {
    // Act
    const counts = new Map<Outcome, number>();
    for (const c of cases) {
      const outcome = outcomeOf(c);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    const count = (outcome: Outcome) => counts.get(outcome) ?? 0;
    console.info(
      `RFC 9535 compliance suite: ${cases.length} cases, ${count('wrong')} wrong, ` +
        `${count('invalid accepted')} invalid accepted, ${count('valid refused')} valid refused, ` +
        `${count('refused by design')} filter cases refused by design ` +
        `(${count('right')} valid selected right, ${count('rejected')} invalid rejected)`,
    );
    // Assess
    expect({
      wrong: count('wrong'),
      invalidAccepted: count('invalid accepted'),
      validRefused: count('valid refused'),
      refusedByDesign: count('refused by design'),
      right: count('right'),
      rejected: count('rejected'),
    }).toEqual({
      wrong: 0,
      invalidAccepted: 0,
      validRefused: 0,
      refusedByDesign: filterCases.length,
      right: filterFreeCases.length,
      rejected: invalidCases.length,
    });
    expect(filterCases.length + filterFreeCases.length + invalidCases.length).toBe(cases.length);
  });
});

/**
 * The measurement behind "nothing is routed to jsonpath-plus" (see document/jsonpath.ts): the
 * runtime no longer depends on it; it stays a dev dependency as the reference we measure against
 * (here and in bench case 2). It runs jsonpath-plus 11.3 with `eval: false` over the same
 * filter-free cases, on a path text generated from our AST (never the case's own text). If this
 * fails after a jsonpath-plus upgrade, re-measure and update the numbers in docs/config.md.
 */
describe('jsonpath-plus over the same suite (why nothing is routed to it)', () => {
  /** jsonpath-plus's own bracket syntax: quoted names alone, bare names inside a union. */
  const jsonpathPlusText = (ast: JsonPathAst): string => {
    const selector = (s: JsonPathSelector, inUnion: boolean): string => {
      switch (s.kind) {
        case 'name':
          return inUnion ? s.name : `'${s.name.replace(/[\\']/g, '\\$&')}'`;
        case 'wildcard':
          return '*';
        case 'index':
          return String(s.index);
        case 'slice':
          return `${s.start ?? ''}:${s.end ?? ''}${s.step === undefined ? '' : `:${s.step}`}`;
      }
    };
    return (
      '$' +
      ast.segments
        .map((g) => {
          const inner = g.selectors.map((s) => selector(s, g.selectors.length > 1)).join(',');
          return `${g.kind === 'descendant' ? '..' : ''}[${inner}]`;
        })
        .join('')
    );
  };
  const jsonpathPlus = (path: string, json: unknown): unknown =>
    JSONPath({ path, json: json as object, eval: false, wrap: true });

  it('gets every suite case right except negative indexes and a name containing a double quote', () => {
    // Act
    const wrong: string[] = [];
    for (const c of filterFreeCases) {
      const result = jsonpathPlus(jsonpathPlusText(parseJsonPath(c.selector)), c.document);
      if (!expectedResults(c).some((expected) => isDeepStrictEqual(expected, result))) wrong.push(c.selector);
    }
    console.info(
      `jsonpath-plus 11.3 on ${filterFreeCases.length} filter-free suite cases: ` +
        `${filterFreeCases.length - wrong.length} right, ${wrong.length} wrong: ${wrong.join(' ')}`,
    );
    // Assess
    expect(filterFreeCases).toHaveLength(167);
    expect(wrong).toEqual(['$[-1]', '$[-2]', '$["\\""]']);
  });

  it.each([
    ['$.length', "$['length']", [1, 2], [2]],
    ['$.length', "$['length']", 'abc', [3]],
    ["$['0']", "$['0']", ['x'], ['x']],
    ['$[0]', '$[0]', { 0: 'x' }, ['x']],
    ['$[0]', '$[0]', 'abc', ['a']],
    ['$[0,1]', '$[0,1]', { 0: 'a', 1: 'b' }, ['a', 'b']],
    ['$..[0]', '$..[0]', { a: { 0: 'x' }, b: ['y'] }, ['x', 'y']],
    ["$['*']", "$['*']", { '*': 1, b: 2 }, [1, 2]],
    ["$['\"']", "$['\"']", { '"': 1 }, []],
    ['$[-1]', '$[-1]', ['a', 'b'], []],
    ["$['..']", "$['..']", { '..': 1 }, [{ '..': 1 }]],
    ['$', '$', false, undefined],
  ])('outside the suite, %s on %j differs from the RFC', (rfcPath, plusPath, document, plusResult) => {
    // Act
    const fromPlus = jsonpathPlus(plusPath, document);
    const fromRfc = evaluateJsonPath(parseJsonPath(rfcPath), document);
    // Assess
    expect(fromPlus).toEqual(plusResult);
    expect(fromPlus).not.toEqual(fromRfc);
  });

  it('overflows the stack on a descendant segment over a 10,000-deep document, where ours does not', () => {
    // Prepare
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i += 1) deep = { a: deep };
    // Act
    const ours = evaluateJsonPath(parseJsonPath('$..a'), deep);
    // Assess
    expect(ours).toHaveLength(10_000);
    expect(() => jsonpathPlus('$..a', deep)).toThrow(RangeError);
  });
});
