import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SQSRecord } from 'aws-lambda';
import {
  GroupBlockedError,
  PermanentError,
  PoisonMessageError,
  RetryableError,
  deadLetterOrFail,
  processFifoBatch,
  toSettledResults,
  type DeadLetterQueue,
  type RecordOutcome,
} from '@flow-worker/runtime';
import { anSqsRecord } from './sqs-fixtures.js';

const succeed = (): Promise<RecordOutcome> => Promise.resolve({ status: 'succeeded' });
const fail = (): Promise<RecordOutcome> =>
  Promise.resolve({ status: 'failed', error: new RetryableError('503') });

describe('processFifoBatch', () => {
  it('runs the records of one group in batch order, one at a time', async () => {
    const records = ['m1', 'm2', 'm3'].map((messageId) => anSqsRecord({ body: '{}', messageId }));
    const started: string[] = [];
    let active = 0;
    let maxActive = 0;

    await processFifoBatch(records, async (record) => {
      started.push(record.messageId);
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      active -= 1;
      return { status: 'succeeded' };
    });

    expect(started).toEqual(['m1', 'm2', 'm3']);
    expect(maxActive).toBe(1);
  });

  it('runs different groups concurrently', async () => {
    // Group a's record waits for group b's: a sequential implementation would never finish.
    let releaseA!: () => void;
    const bRan = new Promise<void>((resolve) => (releaseA = resolve));
    const records = [
      anSqsRecord({ body: '{}', messageId: 'a1', groupId: 'a' }),
      anSqsRecord({ body: '{}', messageId: 'b1', groupId: 'b' }),
    ];

    const outcomes = await processFifoBatch(records, async (record) => {
      if (record.messageId === 'a1') await bRan;
      else releaseA();
      return { status: 'succeeded' };
    });

    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('reports every later record of a group failed, without running it, after the first failure', async () => {
    const records = [
      anSqsRecord({ body: '{}', messageId: 'a1', groupId: 'a' }),
      anSqsRecord({ body: '{}', messageId: 'a2', groupId: 'a' }),
      anSqsRecord({ body: '{}', messageId: 'b1', groupId: 'b' }),
      anSqsRecord({ body: '{}', messageId: 'a3', groupId: 'a' }),
    ];
    const ran: string[] = [];

    const outcomes = await processFifoBatch(records, (record) => {
      ran.push(record.messageId);
      return record.messageId === 'a1' ? fail() : succeed();
    });

    expect(ran.sort()).toEqual(['a1', 'b1']);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'succeeded', 'failed']);
    expect(outcomes[1]).toMatchObject({ skipped: true, error: expect.any(GroupBlockedError) as unknown });
    expect((outcomes[3] as { error: Error }).error.message).toContain('a1');
  });

  it('does not block a group behind a dead-lettered record', async () => {
    const records = [
      anSqsRecord({ body: '{}', messageId: 'a1' }),
      anSqsRecord({ body: '{}', messageId: 'a2' }),
    ];

    const outcomes = await processFifoBatch(records, (record) =>
      Promise.resolve<RecordOutcome>(
        record.messageId === 'a1'
          ? { status: 'dead-lettered', errorClass: 'poison' }
          : { status: 'succeeded' },
      ),
    );

    expect(outcomes.map((o) => o.status)).toEqual(['dead-lettered', 'succeeded']);
  });

  it('treats records without a MessageGroupId (standard queue) as independent', async () => {
    const records = [
      anSqsRecord({ body: '{}', messageId: 's1', groupId: null }),
      anSqsRecord({ body: '{}', messageId: 's2', groupId: null }),
    ];

    const outcomes = await processFifoBatch(records, (record) =>
      record.messageId === 's1' ? fail() : succeed(),
    );

    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded']);
  });

  it('runs at most maxConcurrentGroups groups at a time', async () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      anSqsRecord({ body: '{}', groupId: null, messageId: `s${i}` }),
    );
    let active = 0;
    let maxActive = 0;

    const outcomes = await processFifoBatch(
      records,
      async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 1));
        active -= 1;
        return { status: 'succeeded' };
      },
      { maxConcurrentGroups: 3 },
    );

    expect(maxActive).toBe(3);
    expect(outcomes.every((o) => o.status === 'succeeded')).toBe(true);
  });

  it('counts a processor that throws as a failed record', async () => {
    const records = [
      anSqsRecord({ body: '{}', messageId: 'x1' }),
      anSqsRecord({ body: '{}', messageId: 'x2' }),
    ];

    const outcomes = await processFifoBatch(records, () => Promise.reject(new Error('bug')));

    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(outcomes[1]).toMatchObject({ skipped: true });
  });

  it('maps outcomes to the settled results the partial-batch middleware expects', () => {
    const error = new RetryableError('503');

    const settled = toSettledResults([
      { status: 'succeeded' },
      { status: 'failed', error },
      { status: 'dead-lettered', errorClass: 'permanent' },
    ]);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toEqual({ status: 'rejected', reason: error });
  });
});

// ---- property: the concurrent implementation against a sequential reference model ----

type Behaviour = 'ok' | 'retryable' | 'permanent' | 'poison';
interface Spec {
  readonly group: string | null;
  readonly behaviour: Behaviour;
  readonly dlqFails: boolean;
  readonly delayTicks: number;
}

const specArbitrary = fc.record({
  group: fc.constantFrom('a', 'b', 'c', 'd', null),
  behaviour: fc.constantFrom<Behaviour>('ok', 'ok', 'retryable', 'permanent', 'poison'),
  dlqFails: fc.boolean(),
  delayTicks: fc.integer({ min: 0, max: 3 }),
});

function errorFor(behaviour: Exclude<Behaviour, 'ok'>): Error {
  if (behaviour === 'retryable') return new RetryableError('HTTP 503');
  if (behaviour === 'permanent') return new PermanentError('HTTP 400', { context: { flow: 'f', step: 's' } });
  return new PoisonMessageError('message body is not JSON');
}

type ModelOutcome = 'succeeded' | 'failed' | 'skipped' | 'dead-lettered';

/** The specification, written the obvious way: groups one after another, records in order. */
function referenceModel(specs: readonly Spec[]): { outcomes: ModelOutcome[]; runs: Map<string, number[]> } {
  const outcomes: ModelOutcome[] = [];
  const runs = new Map<string, number[]>();
  const blocked = new Set<string>();
  specs.forEach((spec, index) => {
    const key = spec.group ?? `standalone-${index}`;
    if (blocked.has(key)) {
      outcomes[index] = 'skipped';
      return;
    }
    runs.set(key, [...(runs.get(key) ?? []), index]);
    const outcome: ModelOutcome =
      spec.behaviour === 'ok'
        ? 'succeeded'
        : spec.behaviour === 'retryable' || spec.dlqFails
          ? 'failed'
          : 'dead-lettered';
    outcomes[index] = outcome;
    if (outcome === 'failed') blocked.add(key);
  });
  return { outcomes, runs };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('processFifoBatch (property)', () => {
  it('ends every record exactly as a sequential model does, keeping order within each group', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArbitrary, { maxLength: 20 }),
        fc.integer({ min: 1, max: 6 }),
        async (specs, maxConcurrentGroups) => {
          const records = specs.map((spec, index) =>
            anSqsRecord({ body: '{}', messageId: `m${index}`, groupId: spec.group }),
          );
          const specOf = (record: SQSRecord) => specs[Number(record.messageId.slice(1))]!;
          const runs = new Map<string, number[]>();
          const activeGroups = new Set<string>();
          const deadLettered: string[] = [];
          const dlq: DeadLetterQueue = {
            send: (record) => {
              if (specOf(record).dlqFails) return Promise.reject(new Error('SQS unavailable'));
              deadLettered.push(record.messageId);
              return Promise.resolve();
            },
          };

          const outcomes = await processFifoBatch(
            records,
            async (record) => {
              const index = Number(record.messageId.slice(1));
              const spec = specOf(record);
              const key = spec.group ?? `standalone-${index}`;
              expect(activeGroups.has(key)).toBe(false); // never two records of a group at once
              activeGroups.add(key);
              runs.set(key, [...(runs.get(key) ?? []), index]);
              for (let i = 0; i < spec.delayTicks; i += 1) await tick();
              activeGroups.delete(key);
              return spec.behaviour === 'ok'
                ? { status: 'succeeded' }
                : deadLetterOrFail(record, errorFor(spec.behaviour), dlq);
            },
            { maxConcurrentGroups },
          );

          const model = referenceModel(specs);
          const actual = outcomes.map((o) =>
            o.status === 'failed' && o.skipped === true ? 'skipped' : o.status,
          );
          expect(actual).toEqual(model.outcomes);
          expect(runs).toEqual(model.runs);
          expect(deadLettered.sort()).toEqual(
            model.outcomes.flatMap((o, i) => (o === 'dead-lettered' ? [`m${i}`] : [])).sort(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
