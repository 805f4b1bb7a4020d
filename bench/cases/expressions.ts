import { isDeepStrictEqual } from 'node:util';
import { JSONPath } from 'jsonpath-plus';
import { compileExpression, type ExpressionScope } from '@flow-worker/runtime';
import { ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { runMicro } from '../lib/tinybench.js';
import type { BenchMode } from '../lib/mode.js';

const GOAL = 10;
/** Evaluations per measured iteration: one pass is far below the timer's resolution. */
const PASSES = 200;

/** Plain paths of the kind configs use: properties, indexes, a quoted name. */
const PLAIN_PATHS = [
  '$.company.name',
  '$.company.address.city',
  '$.company.tags[1]',
  "$.company['legal name']",
  '$.company.contacts[0].email',
] as const;

/**
 * Multi-node paths on which jsonpath-plus gives the RFC 9535 result (child wildcards, a positive
 * slice, a union, a descendant name): the shapes where it could have stayed the engine.
 */
const MULTI_PATHS = [
  '$.company.contacts[*].email',
  '$.company.tags[0:2]',
  "$.company['name','domain']",
  '$..city',
  '$.company.address.*',
] as const;

const EVENT = {
  company: {
    name: 'Acme',
    domain: 'acme.test',
    'legal name': 'Acme SAS',
    tags: ['b2b', 'priority'],
    address: { city: 'Lyon', country: 'FR' },
    contacts: [{ email: 'ops@acme.test' }, { email: 'sales@acme.test' }],
  },
};

interface Comparison {
  readonly compiledNs: number;
  readonly jsonpathPlusNs: number;
}

/** Times our compiled expressions and jsonpath-plus on the same paths, after checking they agree. */
async function compare(paths: readonly string[], wrap: boolean, mode: BenchMode): Promise<Comparison> {
  const scope: ExpressionScope = { event: EVENT, context: {} };
  const compiled = paths.map((path) => compileExpression(path));
  const engine = (path: string): unknown => JSONPath({ path, json: EVENT, eval: false, wrap });

  // Same answers first, or the comparison means nothing.
  paths.forEach((path, index) => {
    const ours = compiled[index]?.evaluate(scope);
    const theirs = engine(path);
    if (ours === undefined || !isDeepStrictEqual(ours, theirs)) {
      throw new Error(
        `expression ${path}: ours ${JSON.stringify(ours)} ≠ jsonpath-plus ${JSON.stringify(theirs)}`,
      );
    }
  });

  let sink = 0;
  const compiledTask = () => {
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (const expression of compiled) if (expression.evaluate(scope) !== undefined) sink += 1;
    }
  };
  const engineTask = () => {
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (const path of paths) if (engine(path) !== undefined) sink += 1;
    }
  };
  const results = await runMicro(
    [
      ['compiled', compiledTask],
      ['jsonpath-plus', engineTask],
    ],
    mode.micro,
  );
  if (sink < 0) console.log(sink);
  const ours = results.compiled;
  const theirs = results['jsonpath-plus'];
  if (ours === undefined || theirs === undefined) throw new Error('missing expression results');
  const perIteration = PASSES * paths.length;
  return { compiledNs: (ours.mean * 1e6) / perIteration, jsonpathPlusNs: (theirs.mean * 1e6) / perIteration };
}

/** `goal`: the speed-up the plain paths are held to; the multi-node paths are informational. */
function rowsOf(label: string, result: Comparison, goal: number | undefined): ResultRow[] {
  const rate = (ns: number) => `${(1e3 / ns).toFixed(2)} M evals/s`;
  const speedUp = result.jsonpathPlusNs / result.compiledNs;
  return [
    {
      metric: `${label}: ours`,
      value: `${result.compiledNs.toFixed(0)} ns/eval (${rate(result.compiledNs)})`,
      goal: '—',
      verdict: 'info',
    },
    {
      metric: `${label}: jsonpath-plus eval:false`,
      value: `${result.jsonpathPlusNs.toFixed(0)} ns/eval (${rate(result.jsonpathPlusNs)})`,
      goal: '—',
      verdict: 'info',
    },
    {
      metric: `${label}: speed-up ours vs jsonpath-plus`,
      value: ratio(speedUp),
      goal: goal === undefined ? '—' : `≥ ${goal}×`,
      verdict: goal === undefined ? 'info' : verdict(speedUp >= goal),
    },
  ];
}

/**
 * Case 2: our compiled RFC 9535 expressions against jsonpath-plus (`eval: false`, its safe mode)
 * evaluating the same paths on the same event: plain paths (our direct accessors) and multi-node
 * paths (our iterative evaluator), each on paths where both give the same result.
 */
export async function expressionEvaluation(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const plain = await compare(PLAIN_PATHS, false, mode);
  const multi = await compare(MULTI_PATHS, true, mode);
  return {
    id: 2,
    title: 'Expressions',
    parameters: {
      paths: PLAIN_PATHS.length + MULTI_PATHS.length,
      evaluationsPerIteration: PASSES * PLAIN_PATHS.length,
      timePerTaskMs: mode.micro.timeMs,
    },
    data: {
      plainPaths: PLAIN_PATHS,
      multiPaths: MULTI_PATHS,
      plain: { ...plain, speedUp: plain.jsonpathPlusNs / plain.compiledNs },
      multi: { ...multi, speedUp: multi.jsonpathPlusNs / multi.compiledNs },
    },
    rows: [...rowsOf('plain paths', plain, GOAL), ...rowsOf('multi-node paths', multi, undefined)],
    notes: [
      `plain: ${PLAIN_PATHS.join(', ')}; multi-node: ${MULTI_PATHS.join(', ')}; results checked equal before timing`,
    ],
    durationMs: performance.now() - started,
  };
}
