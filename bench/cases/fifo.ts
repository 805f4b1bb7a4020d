import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSRecord } from 'aws-lambda';
import { processFifoBatch, sleep } from '@flow-worker/runtime';
import { sqsRecord } from '../lib/fixtures.js';
import { millis, ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { elapsedMs, median } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';

const TARGET_MS = 20;
const BATCH = 10;
const GOAL_SPEED_UP = 5;

type RecordHandler = (record: SQSRecord) => Promise<void>;

interface Run {
  readonly wallMs: number;
  /** Message ids in the order the handler started them. */
  readonly order: readonly string[];
  readonly failures: number;
}

/** The one record handler both processors run: a target call that takes 20 ms. */
function recordHandler(order: string[]): RecordHandler {
  return async (record) => {
    order.push(record.messageId);
    await sleep(TARGET_MS);
  };
}

async function ours(records: readonly SQSRecord[]): Promise<Run> {
  const order: string[] = [];
  const handle = recordHandler(order);
  const start = process.hrtime.bigint();
  const outcomes = await processFifoBatch(records, async (record) => {
    await handle(record);
    return { status: 'succeeded' };
  });
  const wallMs = elapsedMs(start);
  return { wallMs, order, failures: outcomes.filter((o) => o.status === 'failed').length };
}

async function powertools(records: readonly SQSRecord[]): Promise<Run> {
  const order: string[] = [];
  const handle = recordHandler(order);
  const start = process.hrtime.bigint();
  // skipGroupOnError: a failure blocks only its own group, like ours (the default blocks the batch).
  const response = await processPartialResponse(
    { Records: [...records] },
    handle,
    new SqsFifoPartialProcessorAsync(),
    {
      skipGroupOnError: true,
    },
  );
  const wallMs = elapsedMs(start);
  return { wallMs, order, failures: response.batchItemFailures.length };
}

function batchOf(groups: number): SQSRecord[] {
  return Array.from({ length: BATCH }, (_, i) => sqsRecord(`{"n":${i}}`, `m-${i}`, `group-${i % groups}`));
}

/** Records of each group in the order they were started, to compare with batch order. */
function orderWithinGroups(records: readonly SQSRecord[], order: readonly string[]): boolean {
  const groupOf = new Map(records.map((r) => [r.messageId, r.attributes.MessageGroupId ?? r.messageId]));
  const expected = new Map<string, string[]>();
  for (const record of records) {
    const group = groupOf.get(record.messageId) ?? '';
    expected.set(group, [...(expected.get(group) ?? []), record.messageId]);
  }
  const seen = new Map<string, string[]>();
  for (const id of order) {
    const group = groupOf.get(id) ?? '';
    seen.set(group, [...(seen.get(group) ?? []), id]);
  }
  return [...expected].every(([group, ids]) => JSON.stringify(seen.get(group)) === JSON.stringify(ids));
}

/**
 * Case 3: a batch of 10 records whose target call takes 20 ms, in 10 groups and in 1 group, through
 * `processFifoBatch` and through Powertools' `SqsFifoPartialProcessorAsync`, alternating runs.
 */
export async function fifoConcurrency(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const data: Record<string, unknown> = {};
  const rows: ResultRow[] = [];
  for (const groups of [10, 1]) {
    const records = batchOf(groups);
    const runs: { ours: Run[]; powertools: Run[] } = { ours: [], powertools: [] };
    await ours(records); // warm both code paths once
    await powertools(records);
    for (let i = 0; i < mode.fifoRepeats; i += 1) {
      runs.ours.push(await ours(records));
      runs.powertools.push(await powertools(records));
    }
    const oursMs = median(runs.ours.map((r) => r.wallMs));
    const theirsMs = median(runs.powertools.map((r) => r.wallMs));
    const speedUp = theirsMs / oursMs;
    const ordered = [...runs.ours, ...runs.powertools].every((r) => orderWithinGroups(records, r.order));
    const failures = [...runs.ours, ...runs.powertools].reduce((sum, r) => sum + r.failures, 0);
    data[`${groups}groups`] = { oursMs, powertoolsMs: theirsMs, speedUp, orderPreserved: ordered, failures };
    rows.push({
      metric: `${groups} group${groups === 1 ? '' : 's'}: ours / Powertools wall`,
      value: `${millis(oursMs)} / ${millis(theirsMs)}`,
      goal: '—',
      verdict: 'info',
    });
    rows.push(
      groups === 1
        ? {
            metric: '1 group: Powertools / ours; order kept by both',
            value: `${ratio(speedUp)}; ${ordered ? 'yes' : 'NO'}`,
            goal: 'in order (≈ 1×)',
            verdict: verdict(ordered && failures === 0),
          }
        : {
            metric: `${groups} groups: speed-up vs Powertools`,
            value: ratio(speedUp),
            goal: `≥ ${GOAL_SPEED_UP}×`,
            verdict: verdict(speedUp >= GOAL_SPEED_UP && ordered && failures === 0),
          },
    );
  }
  return {
    id: 3,
    title: 'FIFO batch concurrency',
    parameters: { batch: BATCH, targetMs: TARGET_MS, repeats: mode.fifoRepeats },
    data,
    rows,
    notes: [
      'Powertools 2.35 SqsFifoPartialProcessorAsync (the async variant of SqsFifoPartialProcessor; the sync one cannot await a 20 ms call) with skipGroupOnError, via processPartialResponse; medians of alternating runs',
    ],
    durationMs: performance.now() - started,
  };
}
