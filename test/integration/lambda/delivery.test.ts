import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { backoffCapSeconds, ENVIRONMENT_DEFAULTS, runIdOf, type SqsHandler } from '@flow-worker/runtime';
import { QUEUES, startDeliveryStack, type DeliveryStack } from '../../support/delivery-stack.js';
import { eventSourceMapping, type EventSourceMapping } from '../../support/event-source-mapping.js';

/**
 * Delivery over time, rule by rule, with the real `lambdas/inbound-sync/handler.ts` against
 * dynalite (config and run-state tables, through a counting proxy) and the local SQS (FIFO groups,
 * visibility, receive counts, redrive), on a virtual clock: see test/support/delivery-stack.ts for
 * the connector's flows.
 */

const HOUR = 3_600_000;
let savedEnv: NodeJS.ProcessEnv;
let stack: DeliveryStack | undefined;
let esm: EventSourceMapping | undefined;

beforeAll(() => {
  savedEnv = { ...process.env };
});
afterAll(() => {
  process.env = savedEnv;
});
afterEach(async () => {
  esm?.close();
  await stack?.close();
  stack = undefined;
  esm = undefined;
  vi.restoreAllMocks();
});

/** A fresh stack and a cold copy of the real handler module, reading the stack's environment. */
async function setUp(options: { maxReceiveCount: number }) {
  const started = await startDeliveryStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    maxReceiveCount: options.maxReceiveCount,
    visibilityTimeoutSeconds: 180,
  });
  stack = started;
  // The handler's EMF metrics go to stdout whatever the log level.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  process.env = { ...savedEnv, ...started.environment({ LOG_LEVEL: 'SILENT' }) };
  vi.resetModules();
  const { handler } = (await import('../../../lambdas/inbound-sync/handler.js')) as { handler: SqsHandler };
  esm = eventSourceMapping({ sqs: started.sqs, queueName: QUEUES.source, handler, clock: started.clock });
  return { stack: started, esm };
}

/** Run-state calls since the last reset, by operation. */
function runStateCalls(s: DeliveryStack) {
  const table = s.runStateTable;
  return {
    GetItem: s.proxy.count('GetItem', table),
    PutItem: s.proxy.count('PutItem', table),
    DeleteItem: s.proxy.count('DeleteItem', table),
  };
}

/** The visibility delay (seconds from now) of each message of the source queue, in queue order. */
function delays(s: DeliveryStack): (number | undefined)[] {
  return s.sqs.messages(QUEUES.source).map((message) => {
    const until = s.sqs.hiddenUntil(QUEUES.source, message.messageId);
    return until === undefined ? undefined : (until - s.clock.now()) / 1000;
  });
}

describe('delivery over time (real handler, dynalite, local SQS)', () => {
  it('makes no call to the run-state table on the happy path', async () => {
    // Prepare
    const { stack, esm } = await setUp({ maxReceiveCount: 5 });
    await stack.sendEvents(20, 5);
    stack.proxy.reset();
    // Act
    const drained = await esm.drain();
    // Assess
    expect(drained.deliveries).toBe(20);
    expect(stack.proxy.countOn(stack.runStateTable)).toBe(0);
    expect(stack.duplicateEffects()).toBe(0);
    expect(stack.effects().size).toBe(60);
    expect(stack.deadLetters()).toEqual([]);
  });

  it('resumes a redelivered record: completed steps are not called again, finished flows do not run again', async () => {
    // Prepare: crm is down for an hour; the record creates its ledger entry, emits, then fails.
    const { stack, esm } = await setUp({ maxReceiveCount: 5 });
    stack.outage = { from: stack.clock.now(), to: stack.clock.now() + HOUR };
    await stack.send([{ eventId: 'evt-resume', group: 'g' }]);
    stack.proxy.reset();
    await esm.poll();
    const first = runStateCalls(stack);
    stack.proxy.reset();
    // Act: crm is back; SQS redelivers the record after its backoff.
    stack.clock.advanceTo(stack.outage.to);
    await esm.drain();
    const second = runStateCalls(stack);
    // Assess
    expect(first).toEqual({ GetItem: 0, PutItem: 1, DeleteItem: 0 });
    expect(second).toEqual({ GetItem: 1, PutItem: 0, DeleteItem: 1 });
    expect(Object.fromEntries(stack.effects())).toEqual({
      'POST /ledger/entries evt-resume': 1,
      'PUT /ledger/audit evt-resume': 1,
      'PUT /crm/accounts evt-resume': 1,
    });
    const [ledger] = stack.target.records('/ledger/entries').values();
    expect(stack.target.records('/crm/accounts').get('evt-resume.test')?.ledger_id).toBe(ledger?.id);
    expect(stack.sqs.calls.filter((call) => call.operation === 'SendMessage')).toHaveLength(1);
    expect(stack.sqs.messages(QUEUES.source)).toEqual([]);
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.proxy.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const key = { run_id: runIdOf(QUEUES.source, 'acme', 'evt-resume') };
    expect(
      (await documents.send(new GetCommand({ TableName: stack.runStateTable, Key: key }))).Item,
    ).toBeUndefined();
    documents.destroy();
  });

  it('backs off a failed record and those skipped behind it by the same delay, growing with each receive, while other groups go on', async () => {
    // Prepare: three records of group g behind a failing head, one record of another group.
    const { stack, esm } = await setUp({ maxReceiveCount: 10 });
    stack.outage = { from: stack.clock.now(), to: stack.clock.now() + 24 * HOUR };
    await stack.send([
      { eventId: 'evt-head', group: 'g' },
      { eventId: 'evt-second', group: 'g' },
      { eventId: 'evt-other', group: 'other', eventType: 'note_company' },
      { eventId: 'evt-third', group: 'g' },
    ]);
    const schedule = {
      baseSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS,
      maxSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS,
    };
    const perReceive: (number | undefined)[][] = [];
    // Act
    for (let receive = 1; receive <= 6; receive += 1) {
      await esm.poll();
      perReceive.push(delays(stack));
      stack.clock.advanceTo(stack.sqs.nextVisibleAt(QUEUES.source) ?? stack.clock.now());
    }
    // Assess
    perReceive.forEach((waits, index) => {
      const cap = backoffCapSeconds(index + 1, schedule);
      expect(waits).toHaveLength(3);
      expect(new Set(waits).size).toBe(1);
      expect(waits[0]).toBeGreaterThanOrEqual(cap / 2);
      expect(waits[0]).toBeLessThanOrEqual(cap);
    });
    expect(stack.effects().get('PUT /ledger/notes evt-other')).toBe(1);
    expect(stack.sqs.messages(QUEUES.source).map((m) => m.receiveCount)).toEqual([6, 6, 6]);
    expect(stack.deadLetters()).toEqual([]);
  });

  it('dead-letters a record on its last receive as exhausted, with the last error, flow and step', async () => {
    // Prepare: crm never comes back; the source queue allows 3 receives.
    const { stack, esm } = await setUp({ maxReceiveCount: 3 });
    stack.outage = { from: stack.clock.now(), to: Number.MAX_SAFE_INTEGER };
    await stack.send([
      { eventId: 'evt-a', group: 'g' },
      { eventId: 'evt-b', group: 'g' },
    ]);
    // Act
    await esm.drain();
    // Assess
    const dead = stack.deadLetters();
    expect(dead.map((m) => JSON.parse(m.body) as { event_id: string }).map((b) => b.event_id)).toEqual([
      'evt-a',
      'evt-b',
    ]);
    for (const message of dead) {
      expect(message.deadLetterQueueSourceArn).toBeUndefined();
      expect(message.messageGroupId).toBe('g');
      expect(message.attributes).toMatchObject({
        error_class: { StringValue: 'exhausted' },
        flow: { StringValue: 'accounts' },
        step: { StringValue: 'sync_crm' },
        source_queue: { StringValue: QUEUES.source },
      });
      expect(message.attributes.error_message?.StringValue).toMatch(/receive 3, the last one.*HTTP 503/);
    }
    expect(stack.effects().get('POST /ledger/entries evt-a')).toBe(1);
    expect(stack.duplicateEffects()).toBe(0);
  });

  it('never dead-letters a record for being skipped: it runs once the record before it is dead-lettered', async () => {
    // Prepare: the note waits behind an upsert that fails on both of the 2 receives allowed.
    const { stack, esm } = await setUp({ maxReceiveCount: 2 });
    stack.outage = { from: stack.clock.now(), to: Number.MAX_SAFE_INTEGER };
    await stack.send([
      { eventId: 'evt-failing', group: 'g' },
      { eventId: 'evt-note', group: 'g', eventType: 'note_company' },
    ]);
    // Act
    await esm.drain();
    // Assess
    expect(stack.deadLetters().map((m) => (JSON.parse(m.body) as { event_id: string }).event_id)).toEqual([
      'evt-failing',
    ]);
    expect(stack.effects().get('PUT /ledger/notes evt-note')).toBe(1);
    expect(stack.sqs.messages(QUEUES.source)).toEqual([]);
  });
});
