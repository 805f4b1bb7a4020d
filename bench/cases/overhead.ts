import {
  compileConfig,
  parseEnvelope,
  runFlows,
  validateConfig,
  RecordingEmitter,
  type CompiledConfig,
  type MessageMeta,
  type Target,
  type TargetFactory,
} from '@flow-worker/runtime';
import { envelopeBody, pairOf, threeStepConfig } from '../lib/fixtures.js';
import { micros, ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { runMicro } from '../lib/tinybench.js';
import type { Fn } from 'tinybench';
import type { BenchMode } from '../lib/mode.js';

const FLOW_COUNTS = [10, 1_000, 10_000] as const;
const POOL_SIZE = 64;
const GOAL_GROWTH = 1.5;

/** A target that does nothing: the case measures the runtime, not I/O. */
const noopTargets: TargetFactory = (definition): Target => ({
  name: definition.name,
  kind: definition.kind,
  execute: () => Promise.resolve({ id: 'noop-1', created: false }),
});

/** Bodies spread over the whole config, so lookups are not all for the same few keys. */
function bodyPool(flows: number): string[] {
  return Array.from({ length: POOL_SIZE }, (_, j) => {
    const { source, eventType } = pairOf(Math.floor((j * flows) / POOL_SIZE) % flows);
    return envelopeBody('bench', source, eventType, j);
  });
}

/**
 * Case 1: per-message runtime overhead (parse envelope, match, run a transform → filter → upsert
 * flow on a no-op target) with 10, 1,000 and 10,000 flows, against the floor `JSON.parse` + one
 * `Map` lookup.
 */
export async function perMessageOverhead(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const meta: MessageMeta = { messageId: 'm-1', messageGroupId: 'g-1' };
  const deps = { emitter: new RecordingEmitter() };
  const tasks: [string, Fn][] = [];

  const floorPool = bodyPool(10_000);
  const floorIndex = new Map<string, number>();
  for (let i = 0; i < 10_000; i += 1) {
    const { source, eventType } = pairOf(i);
    floorIndex.set(`${source}\u0000${eventType}`, i);
  }
  let floorCursor = 0;
  let sink = 0;
  tasks.push([
    'floor',
    () => {
      const body = floorPool[floorCursor++ % POOL_SIZE] as string;
      const value = JSON.parse(body) as { source_name: string; event_type: string };
      sink += floorIndex.get(`${value.source_name}\u0000${value.event_type}`) ?? 0;
    },
  ]);

  const compileSeconds: Record<string, number> = {};
  for (const flows of FLOW_COUNTS) {
    const compileStart = performance.now();
    const compiled: CompiledConfig = compileConfig(
      validateConfig(threeStepConfig({ connectorId: 'bench', flows })),
      { targetFactory: noopTargets },
    );
    compileSeconds[String(flows)] = (performance.now() - compileStart) / 1000;
    const pool = bodyPool(flows);
    // Sanity: every body matches exactly one flow and runs all three steps.
    const check = await runFlows(compiled, parseEnvelope(pool[0] as string), meta, deps);
    if (check.report.status !== 'ok' || check.report.flows[0]?.steps.length !== 3) {
      throw new Error(
        `overhead fixture with ${flows} flows did not run its flow: ${JSON.stringify(check.report)}`,
      );
    }
    let cursor = 0;
    tasks.push([
      `${flows} flows`,
      async () => {
        const envelope = parseEnvelope(pool[cursor++ % POOL_SIZE] as string);
        await runFlows(compiled, envelope, meta, deps);
      },
    ]);
  }

  const results = await runMicro(tasks, mode.micro);
  if (sink < 0) console.log(sink); // keeps the floor's lookups observable

  const floor = results.floor;
  if (floor === undefined) throw new Error('missing floor result');
  const stats = Object.fromEntries(FLOW_COUNTS.map((flows) => [flows, results[`${flows} flows`]]));
  const small = stats[10];
  const large = stats[10_000];
  if (small === undefined || large === undefined) throw new Error('missing overhead results');
  const growth = large.p50 / small.p50;

  const rows: ResultRow[] = [
    {
      metric: 'floor JSON.parse + Map.get: p50 / p99',
      value: `${micros(floor.p50)} / ${micros(floor.p99)}`,
      goal: '—',
      verdict: 'info',
    },
    ...FLOW_COUNTS.map((flows): ResultRow => {
      const s = stats[flows];
      return {
        metric: `${flows.toLocaleString('en-US')} flows: p50 / p99 (× floor p50)`,
        value: s === undefined ? 'n/a' : `${micros(s.p50)} / ${micros(s.p99)} (${ratio(s.p50 / floor.p50)})`,
        goal: '—',
        verdict: 'info',
      };
    }),
    {
      metric: 'p50 ratio 10,000 / 10 flows',
      value: ratio(growth),
      goal: `≤ ${GOAL_GROWTH}`,
      verdict: verdict(growth <= GOAL_GROWTH),
    },
    {
      metric: 'p99 ratio 10,000 / 10 flows',
      value: ratio(large.p99 / small.p99),
      goal: '—',
      verdict: 'info',
    },
  ];
  return {
    id: 1,
    title: 'Per-message overhead',
    parameters: { timePerTaskMs: mode.micro.timeMs, rounds: mode.micro.rounds, bodies: POOL_SIZE },
    data: { floorMs: floor, flowsMs: stats, growthP50: growth, compileSeconds },
    rows,
    notes: [
      'parseEnvelope + runFlows (match, transform → filter → upsert on a no-op target); each message matches one flow',
      `config validate+compile time: ${Object.entries(compileSeconds)
        .map(([flows, seconds]) => `${flows} flows ${seconds.toFixed(2)} s`)
        .join(', ')}`,
    ],
    durationMs: performance.now() - started,
  };
}
