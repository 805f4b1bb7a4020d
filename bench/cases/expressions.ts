import { isDeepStrictEqual } from 'node:util';
import { JSONPath } from 'jsonpath-plus';
import { compileExpression, type ExpressionScope } from '@flow-worker/runtime';
import { ratio, verdict, type CaseResult } from '../lib/report.js';
import { runMicro } from '../lib/tinybench.js';
import type { BenchMode } from '../lib/mode.js';

const GOAL = 10;
/** Evaluations per measured iteration: one pass is far below the timer's resolution. */
const PASSES = 200;

/** Plain paths of the kind configs use: properties, indexes, a quoted name. */
const PATHS = [
  '$.company.name',
  '$.company.address.city',
  '$.company.tags[1]',
  "$.company['legal name']",
  '$.company.contacts[0].email',
] as const;

const EVENT = {
  company: {
    name: 'Acme',
    domain: 'acme.test',
    'legal name': 'Acme SAS',
    tags: ['b2b', 'priority'],
    address: { city: 'Lyon', country: 'FR' },
    contacts: [{ email: 'ops@acme.test' }],
  },
};

/**
 * Case 2: our compiled plain-path accessors against jsonpath-plus (`eval: false`, its safe mode)
 * evaluating the same paths on the same event.
 */
export async function expressionEvaluation(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const scope: ExpressionScope = { event: EVENT, context: {} };
  const compiled = PATHS.map((path) => compileExpression(path));
  const engine = (path: string): unknown => JSONPath({ path, json: EVENT, eval: false, wrap: false });

  // Same answers first, or the comparison means nothing.
  PATHS.forEach((path, index) => {
    const ours = compiled[index]?.evaluate(scope);
    const theirs = engine(path);
    if (ours === undefined || !isDeepStrictEqual(ours, theirs)) {
      throw new Error(
        `expression ${path}: compiled ${JSON.stringify(ours)} ≠ jsonpath-plus ${JSON.stringify(theirs)}`,
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
      for (const path of PATHS) if (engine(path) !== undefined) sink += 1;
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

  const perIteration = PASSES * PATHS.length;
  const ours = results.compiled;
  const theirs = results['jsonpath-plus'];
  if (ours === undefined || theirs === undefined) throw new Error('missing expression results');
  const nsPerEvaluation = (ms: number) => (ms * 1e6) / perIteration;
  const speedUp = theirs.mean / ours.mean;
  const rate = (ms: number) => `${(((perIteration / ms) * 1000) / 1e6).toFixed(2)} M evals/s`;
  return {
    id: 2,
    title: 'Expressions (plain paths)',
    parameters: {
      paths: PATHS.length,
      evaluationsPerIteration: perIteration,
      timePerTaskMs: mode.micro.timeMs,
    },
    data: {
      paths: PATHS,
      compiledNsPerEvaluation: nsPerEvaluation(ours.mean),
      jsonpathPlusNsPerEvaluation: nsPerEvaluation(theirs.mean),
      speedUp,
    },
    rows: [
      {
        metric: 'compiled accessor',
        value: `${nsPerEvaluation(ours.mean).toFixed(0)} ns/eval (${rate(ours.mean)})`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'jsonpath-plus eval:false',
        value: `${nsPerEvaluation(theirs.mean).toFixed(0)} ns/eval (${rate(theirs.mean)})`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'speed-up compiled vs jsonpath-plus',
        value: ratio(speedUp),
        goal: `≥ ${GOAL}×`,
        verdict: verdict(speedUp >= GOAL),
      },
    ],
    notes: [`paths: ${PATHS.join(', ')}; results checked equal before timing`],
    durationMs: performance.now() - started,
  };
}
