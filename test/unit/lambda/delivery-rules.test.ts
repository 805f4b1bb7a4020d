import { describe, expect, it } from 'vitest';
import {
  compileConfig,
  createRecordingTargets,
  createSqsHandler,
  METRICS,
  RetryableError,
  validateConfig,
  type ConnectorConfigInput,
  type DeadLetterReason,
  type RunCheckpoint,
  type RunStateStore,
  type SqsHandlerDeps,
  type VisibilityChange,
} from '@flow-worker/runtime';
import {
  aLambdaContext,
  anEnvelopeBody,
  anSqsEvent,
  anSqsRecord,
  captureLogs,
  captureMetrics,
} from './sqs-fixtures.js';

/**
 * The handler's delivery rules with in-memory stand-ins for the run-state store, the dead-letter
 * queue and the visibility changes (the same rules against dynalite and the local SQS are in
 * test/integration/lambda/delivery.test.ts).
 */

const CONFIG: ConnectorConfigInput = {
  connector_id: 'acme',
  version: 1,
  sources: [{ name: 'compass_inbound' }],
  targets: [
    { name: 'ledger', kind: 'http', base_url: 'https://ledger.example.test/api' },
    { name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' },
  ],
  flows: [
    {
      name: 'accounts',
      source: 'compass_inbound',
      event_type: 'upsert_company',
      steps: [
        {
          id: 'record',
          action: 'create',
          target: 'ledger',
          entity: 'entries',
          data: { domain: '$.payload.domain' },
        },
        {
          id: 'sync',
          action: 'upsert',
          target: 'erp',
          entity: 'accounts',
          id_property: 'domain',
          data: '$.payload',
        },
      ],
    },
  ],
};
const SCHEDULE = { baseSeconds: 30, maxSeconds: 900 };

/** An in-memory run-state store that logs its calls. */
function memoryStore(faults: { load?: boolean; save?: boolean } = {}) {
  const items = new Map<string, RunCheckpoint>();
  const calls: string[] = [];
  const store: RunStateStore = {
    load: (runId) => {
      calls.push('load');
      if (faults.load === true) return Promise.reject(new RetryableError('DynamoDB throttled'));
      return Promise.resolve(items.get(runId));
    },
    save: (runId, checkpoint) => {
      calls.push('save');
      if (faults.save === true) return Promise.reject(new RetryableError('DynamoDB throttled'));
      items.set(runId, checkpoint);
      return Promise.resolve();
    },
    clear: (runId) => {
      calls.push('clear');
      items.delete(runId);
      return Promise.resolve();
    },
  };
  return { store, items, calls };
}

function setUp(
  options: { deadLetterFails?: boolean; visibilityFails?: boolean; store?: RunStateStore } = {},
) {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(CONFIG), { targetFactory: recording.factory });
  const deadLettered: { messageId: string; reason: DeadLetterReason }[] = [];
  const changes: VisibilityChange[] = [];
  const logs = captureLogs();
  const metrics = captureMetrics();
  const deps: SqsHandlerDeps = {
    configs: { get: () => Promise.resolve(compiled) },
    emitter: recording.emitter,
    deadLetter: {
      send: (record, reason) => {
        if (options.deadLetterFails === true) return Promise.reject(new Error('SQS is down'));
        deadLettered.push({ messageId: record.messageId, reason });
        return Promise.resolve();
      },
    },
    visibility: {
      change: (planned) => {
        changes.push(...planned);
        const failed = options.visibilityFails === true ? planned : [];
        return Promise.resolve({
          failed: failed.map((c) => ({ messageId: c.record.messageId, reason: 'AccessDenied' })),
        });
      },
    },
    backoff: SCHEDULE,
    random: () => 0,
    maxReceiveCount: 5,
    logger: logs,
    metrics,
    retry: { sleep: () => Promise.resolve(), maxAttempts: 1 },
    ...(options.store === undefined ? {} : { runState: options.store }),
  };
  return { handler: createSqsHandler(deps), recording, deadLettered, changes, logs, metrics, deps };
}

const body = (domain: string) =>
  anEnvelopeBody({ event_id: `evt-${domain}`, payload: { payload: { domain } } });
const failures = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);
const delaysOf = (changes: readonly VisibilityChange[]) =>
  Object.fromEntries(changes.map((c) => [c.record.messageId, c.seconds]));

describe('delivery rules of the handler', () => {
  it('hides a failed record for the backoff of its receive count, and the records skipped behind it for the same', async () => {
    // Prepare
    const { handler, recording, changes } = setUp();
    recording.failNext('erp', new RetryableError('HTTP 503'), 10);
    const records = [
      anSqsRecord({ messageId: 'a1', body: body('a.test'), receiveCount: 3 }),
      anSqsRecord({ messageId: 'a2', body: body('b.test'), receiveCount: 3 }),
      anSqsRecord({ messageId: 'x1', groupId: 'other', body: body('x.test'), receiveCount: 1 }),
    ];
    // Act
    const response = await handler(anSqsEvent(records), aLambdaContext());
    // Assess: random 0 gives the shortest delay, half the cap (120 s after 3 receives, 30 s after 1).
    expect(failures(response)).toEqual(['a1', 'a2', 'x1']);
    expect(delaysOf(changes)).toEqual({ a1: 60, a2: 60, x1: 15 });
  });

  it('dead-letters a record failing on its last receive as exhausted, with the last error, flow and step', async () => {
    // Prepare
    const { handler, recording, deadLettered, changes, metrics, logs } = setUp();
    recording.failNext('erp', new RetryableError('HTTP 503 from erp'), 10);
    const last = anSqsRecord({ messageId: 'l1', body: body('a.test'), receiveCount: 5 });
    const next = anSqsRecord({ messageId: 'l2', body: body('b.test'), receiveCount: 5 });
    // Act
    const response = await handler(anSqsEvent([last, next]), aLambdaContext());
    // Assess
    expect(failures(response)).toEqual([]);
    expect(deadLettered.map((d) => [d.messageId, d.reason.errorClass, d.reason.flow, d.reason.step])).toEqual(
      [
        ['l1', 'exhausted', 'accounts', 'sync'],
        ['l2', 'exhausted', 'accounts', 'sync'],
      ],
    );
    expect(deadLettered[0]?.reason.errorMessage).toBe(
      'still failing on receive 5, the last one (MAX_RECEIVE_COUNT 5): HTTP 503 from erp',
    );
    expect(changes).toEqual([]);
    expect(metrics.total(METRICS.recordsExhausted)).toBe(2);
    expect(logs.recordLines().map((l) => [l.outcome, l.error_class])).toEqual([
      ['dead-lettered', 'exhausted'],
      ['dead-lettered', 'exhausted'],
    ]);
  });

  it('never dead-letters a record skipped on its last receive, even when the one before could not be dead-lettered', async () => {
    // Prepare
    const { handler, recording, deadLettered, changes } = setUp({ deadLetterFails: true });
    recording.failNext('erp', new RetryableError('HTTP 503'), 10);
    const records = [
      anSqsRecord({ messageId: 's1', body: body('a.test'), receiveCount: 5 }),
      anSqsRecord({ messageId: 's2', body: body('b.test'), receiveCount: 5 }),
    ];
    // Act
    const response = await handler(anSqsEvent(records), aLambdaContext());
    // Assess
    expect(failures(response)).toEqual(['s1', 's2']);
    expect(deadLettered).toEqual([]);
    expect(recording.attempts.map((a) => a.target)).toEqual(['ledger', 'erp']);
    expect(delaysOf(changes)).toEqual({ s1: 240, s2: 240 });
  });

  it('reports a record the invocation had no time to start as not run, visible again at once', async () => {
    // Prepare: one group at a time; the invocation has 1 s, so it stops starting work after 0.5 s,
    // and the first record's config read takes 0.7 s.
    const { deps, recording, changes, logs } = setUp();
    const slow = deps.configs;
    const handler = createSqsHandler({
      ...deps,
      maxConcurrentGroups: 1,
      configs: { get: (id) => new Promise((resolve) => setTimeout(resolve, 700)).then(() => slow.get(id)) },
    });
    const records = [
      anSqsRecord({ messageId: 't1', body: body('a.test') }),
      anSqsRecord({ messageId: 't2', groupId: 'late', body: body('b.test') }),
    ];
    // Act
    const response = await handler(anSqsEvent(records), aLambdaContext(1_000));
    // Assess: t1 started but had no time for a step; t2 did not start at all.
    expect(failures(response)).toEqual(['t1', 't2']);
    expect(recording.attempts).toEqual([]);
    expect(logs.recordLines().find((l) => l.message_id === 't2')).toMatchObject({
      outcome: 'skipped',
      error_message: expect.stringContaining('about to time out') as unknown,
    });
    expect(delaysOf(changes)).toEqual({ t1: 15, t2: 0 });
  });

  it('runs its steps with a 2-second timeout (the margin scales with the time the invocation has)', async () => {
    const { handler, recording } = setUp();

    const response = await handler(
      anSqsEvent([anSqsRecord({ body: body('a.test') })]),
      aLambdaContext(2_000),
    );

    expect(failures(response)).toEqual([]);
    expect(recording.calls).toHaveLength(2);
  });

  it('reads a checkpoint only on a redelivery or after a redrive, saves one only when unfinished, clears it when finished', async () => {
    // Prepare
    const memory = memoryStore();
    const { handler, recording } = setUp({ store: memory.store });
    const deliver = (receiveCount: number, messageAttributes: Record<string, string> = {}) =>
      handler(
        anSqsEvent([anSqsRecord({ messageId: 'c1', body: body('c.test'), receiveCount, messageAttributes })]),
        aLambdaContext(),
      );
    // Act
    await deliver(1); // happy path of another event id: no call at all
    const happy = [...memory.calls];
    recording.failNext('erp', new RetryableError('HTTP 503'), 2);
    const other = anSqsRecord({ messageId: 'c0', body: body('other.test') });
    await handler(anSqsEvent([other]), aLambdaContext()); // create ok, upsert fails: save
    const afterFailure = [...memory.calls];
    const redriven = anSqsRecord({
      messageId: 'c2',
      body: body('other.test'),
      messageAttributes: { error_class: 'exhausted' },
    });
    await handler(anSqsEvent([redriven]), aLambdaContext()); // back from the DLQ: load, fails again: no new save
    await handler(
      anSqsEvent([anSqsRecord({ messageId: 'c3', body: body('other.test'), receiveCount: 2 })]),
      aLambdaContext(),
    );
    // Assess
    expect(happy).toEqual([]);
    expect(afterFailure).toEqual(['save']);
    expect(memory.calls).toEqual(['save', 'load', 'load', 'clear']);
    expect(recording.calls.filter((c) => c.action === 'create')).toHaveLength(2);
    expect(memory.items.size).toBe(0);
  });

  it('fails a record whose checkpoint cannot be read, without running it', async () => {
    const { handler, recording } = setUp({ store: memoryStore({ load: true }).store });

    const response = await handler(
      anSqsEvent([anSqsRecord({ messageId: 'r1', body: body('a.test'), receiveCount: 2 })]),
      aLambdaContext(),
    );

    expect(failures(response)).toEqual(['r1']);
    expect(recording.attempts).toEqual([]);
  });

  it('keeps the outcome when a checkpoint cannot be saved or a visibility changed, and logs and counts both', async () => {
    // Prepare
    const { handler, recording, logs, metrics } = setUp({
      store: memoryStore({ save: true }).store,
      visibilityFails: true,
    });
    recording.failNext('erp', new RetryableError('HTTP 503'));
    // Act
    const response = await handler(
      anSqsEvent([anSqsRecord({ messageId: 'k1', body: body('a.test') })]),
      aLambdaContext(),
    );
    // Assess
    expect(failures(response)).toEqual(['k1']);
    expect(metrics.total(METRICS.runStateErrors)).toBe(1);
    expect(metrics.total(METRICS.backoffErrors)).toBe(1);
    const warnings = logs.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'run state not saved: a redelivery runs the steps this delivery completed again',
        'visibility not changed: these records wait the queue visibility timeout instead of their backoff',
      ]),
    );
  });
});
