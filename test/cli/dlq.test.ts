import {
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listQueue } from '../../cli/dlq/messages.js';
import { redriveDeduplicationId, redriveQueue } from '../../cli/dlq/redrive.js';
import { startLocalSqs, type LocalSqs } from '../../cli/local/sqs-server.js';
import { runCli } from './run-cli.js';

/**
 * `flow-worker dlq list` and `dlq redrive`, spawned as the CLI against the local SQS (the queues
 * live in this test process; the CLI reaches them through AWS_ENDPOINT_URL_SQS), and the redrive
 * against injected faults: an interrupted redrive loses nothing and, run again, sends nothing twice.
 */

let sqs: LocalSqs;
let failing: string | undefined;
let client: SQSClient;
const SOURCE = 'inbound-sync.fifo';
const DLQ = 'inbound-sync-dlq.fifo';
/** The local SQS answers at once: no long polling needed in library calls. */
const NO_WAIT = { waitSeconds: 0 };

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const envelope = (connector: string, eventId: string) =>
  JSON.stringify({
    connector_id: connector,
    source_name: 'compass_inbound',
    event_type: 'upsert_company',
    event_id: eventId,
    payload: {},
  });

/** A dead letter as the handler sends it. */
async function deadLetter(
  id: string,
  group: string,
  reason: string,
  extra: { connector?: string; flow?: string; step?: string } = {},
) {
  await client.send(
    new SendMessageCommand({
      QueueUrl: sqs.queueUrl(DLQ),
      MessageBody: extra.connector === undefined ? 'not json' : envelope(extra.connector, id),
      MessageGroupId: group,
      MessageDeduplicationId: id,
      MessageAttributes: {
        error_class: text(reason),
        error_message: text(`${reason} failure of ${id}`),
        ...(extra.flow === undefined ? {} : { flow: text(extra.flow) }),
        ...(extra.step === undefined ? {} : { step: text(extra.step) }),
        source_queue: text(SOURCE),
      },
    }),
  );
}

beforeEach(async () => {
  failing = undefined;
  sqs = await startLocalSqs({
    fault: (operation) =>
      operation === failing ? { code: 'InternalError', message: 'injected' } : undefined,
  });
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  sqs.createQueue(DLQ);
  sqs.createQueue(SOURCE, { redrive: { deadLetterQueue: DLQ, maxReceiveCount: 1 } });
  await deadLetter('evt-1', 'acme', 'exhausted', {
    connector: 'acme',
    flow: 'company_to_erp',
    step: 'upsert_account',
  });
  await deadLetter('evt-2', 'acme', 'permanent', { connector: 'acme', flow: 'rejected', step: 'create' });
  await deadLetter('evt-3', 'globex', 'poison');
  await deadLetter('evt-4', 'acme', 'exhausted', {
    connector: 'acme',
    flow: 'company_to_erp',
    step: 'upsert_account',
  });
  // A message SQS moves itself: received once (maxReceiveCount 1), then moved on the next receive.
  await client.send(
    new SendMessageCommand({
      QueueUrl: sqs.queueUrl(SOURCE),
      MessageBody: envelope('initech', 'evt-5'),
      MessageGroupId: 'initech',
      MessageDeduplicationId: 'evt-5',
    }),
  );
  await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl(SOURCE), VisibilityTimeout: 0 }));
  await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl(SOURCE) }));
});
afterEach(async () => {
  client.destroy();
  await sqs.close();
});
afterAll(() => undefined);

const cli = (args: readonly string[]) =>
  runCli(['dlq', ...args], { env: { AWS_ENDPOINT_URL_SQS: sqs.endpoint } });
const bodies = (queue: string) => sqs.messages(queue).map((m) => JSON.parse(m.body) as { event_id: string });

describe('flow-worker dlq list', () => {
  it('lists every message with its reason, connector, flow, step, source queue, age and error, leaving them', async () => {
    // Act
    const result = await cli(['list', '--queue-url', sqs.queueUrl(DLQ), '--json']);
    // Assess
    expect(result.code, result.stderr).toBe(0);
    const { messages } = JSON.parse(result.stdout) as { messages: Record<string, unknown>[] };
    expect(messages.map((m) => Object.keys(m))).toEqual(
      Array(5).fill([
        'message_id',
        'reason',
        'connector',
        'flow',
        'step',
        'source_queue',
        'age_seconds',
        'error_message',
      ]),
    );
    expect(messages.map((m) => [m.reason, m.connector, m.flow, m.step, m.source_queue])).toEqual([
      ['exhausted', 'acme', 'company_to_erp', 'upsert_account', SOURCE],
      ['permanent', 'acme', 'rejected', 'create', SOURCE],
      ['poison', null, null, null, SOURCE],
      ['exhausted', 'acme', 'company_to_erp', 'upsert_account', SOURCE],
      ['unknown', 'initech', null, null, SOURCE],
    ]);
    expect(messages[0]).toMatchObject({
      error_message: 'exhausted failure of evt-1',
      age_seconds: expect.any(Number) as unknown,
    });
    expect(sqs.messages(DLQ)).toHaveLength(5);
    expect(sqs.nextVisibleAt(DLQ)).toBeUndefined();
  });

  it('filters by reason, connector and flow, and prints a table for people', async () => {
    const queueUrl = sqs.queueUrl(DLQ);
    const exhausted = await listQueue(client, queueUrl, { reason: 'exhausted' }, NO_WAIT);
    const initech = await listQueue(client, queueUrl, { connector: 'initech' }, NO_WAIT);
    const both = await listQueue(client, queueUrl, { connector: 'acme', flow: 'rejected' }, NO_WAIT);
    const table = await cli(['list', '--queue-url', queueUrl, '--flow', 'rejected']);

    expect(exhausted.entries.map((e) => e.flow)).toEqual(['company_to_erp', 'company_to_erp']);
    expect(initech.entries.map((e) => e.reason)).toEqual(['unknown']);
    expect(both.entries.map((e) => e.reason)).toEqual(['permanent']);
    expect(both.unreached).toBe(0);
    expect(table.stdout).toMatch(/^inbound-sync-dlq\.fifo: 1 message \(listed, not removed\)\n/);
    expect(table.stdout).toMatch(/MESSAGE ID +REASON +CONNECTOR +FLOW +STEP +SOURCE QUEUE +AGE/);
    expect(table.stdout).toMatch(
      /permanent +acme +rejected +create +inbound-sync\.fifo +\d+ s\n {4}permanent failure of evt-2/,
    );
  });

  it('refuses an unknown reason and names a queue that does not exist', async () => {
    const badReason = await cli(['list', '--queue-url', sqs.queueUrl(DLQ), '--reason', 'flaky']);
    const missing = await cli(['list', '--queue-url', `${sqs.endpoint}/000000000000/nope.fifo`]);

    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain('Allowed choices are poison, permanent, exhausted, unknown');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`queue ${sqs.endpoint}/000000000000/nope.fifo does not exist`);
  });
});

describe('a FIFO dead-letter queue with a long message group', () => {
  it('lists what it can reach, counts the rest, and redrives the whole group in order', async () => {
    // Prepare: 11 more dead letters in one group (12 in group acme with evt-1, evt-2 and evt-4).
    for (let i = 10; i < 21; i += 1) await deadLetter(`evt-${i}`, 'acme', 'exhausted', { connector: 'acme' });
    // Act
    const listing = await listQueue(client, sqs.queueUrl(DLQ), {}, NO_WAIT);
    const redriven = await redriveQueue(client, { queueUrl: sqs.queueUrl(DLQ), connector: 'acme' }, NO_WAIT);
    // Assess: a receive returns at most 10, and a group's later messages wait for its earlier ones.
    expect(listing.entries.length + listing.unreached).toBe(16);
    expect(listing.unreached).toBeGreaterThan(0);
    expect([redriven.redriven, redriven.unreached]).toEqual([14, 0]);
    expect(bodies(SOURCE).map((b) => b.event_id)).toEqual([
      'evt-1',
      'evt-2',
      'evt-4',
      ...Array.from({ length: 11 }, (_, i) => `evt-${i + 10}`),
    ]);
  });
});

describe('flow-worker dlq redrive', () => {
  it('says what it would move with --dry-run and moves nothing', async () => {
    const result = await cli([
      'redrive',
      '--queue-url',
      sqs.queueUrl(DLQ),
      '--reason',
      'exhausted',
      '--dry-run',
      '--json',
    ]);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ redriven: 2, skipped: 3, failed: 0, dry_run: true });
    expect(sqs.messages(DLQ)).toHaveLength(5);
    expect(sqs.messages(SOURCE)).toEqual([]);
  });

  it('moves the chosen messages back to their source queue in order, with body, group and attributes', async () => {
    // Act
    const result = await cli([
      'redrive',
      '--queue-url',
      sqs.queueUrl(DLQ),
      '--reason',
      'exhausted',
      '--json',
    ]);
    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ redriven: 2, skipped: 3, failed: 0 });
    const moved = sqs.messages(SOURCE);
    expect(
      moved.map((m) => [(JSON.parse(m.body) as { event_id: string }).event_id, m.messageGroupId]),
    ).toEqual([
      ['evt-1', 'acme'],
      ['evt-4', 'acme'],
    ]);
    expect(moved[0]?.attributes).toMatchObject({
      error_class: text('exhausted'),
      flow: text('company_to_erp'),
      redriven_from: text(DLQ),
    });
    expect(sqs.messages(DLQ).map((m) => m.attributes.error_class?.StringValue ?? 'unknown')).toEqual([
      'permanent',
      'poison',
      'unknown',
    ]);
  });

  it('sends to --to, and prints each move for people', async () => {
    const other = sqs.createQueue('replay.fifo');

    const result = await cli([
      'redrive',
      '--queue-url',
      sqs.queueUrl(DLQ),
      '--connector',
      'initech',
      '--to',
      other,
    ]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/redriven {2}\S+ {2}unknown {2}initech \/ - \/ - → replay\.fifo/);
    expect(result.stdout).toContain('redriven 1, skipped 4, failed 0');
    expect(bodies('replay.fifo').map((b) => b.event_id)).toEqual(['evt-5']);
  });

  it('survives an interruption between send and delete: nothing is lost, and the rerun sends nothing twice', async () => {
    // Prepare: the deletes fail, as if the redrive stopped after sending.
    failing = 'DeleteMessageBatch';
    const first = await redriveQueue(client, { queueUrl: sqs.queueUrl(DLQ), reason: 'exhausted' }, NO_WAIT);
    failing = undefined;
    // Act
    const second = await redriveQueue(client, { queueUrl: sqs.queueUrl(DLQ), reason: 'exhausted' }, NO_WAIT);
    // Assess
    expect([first.redriven, first.failed]).toEqual([0, 2]);
    expect(first.moves[0]?.error).toContain('still in the dead-letter queue');
    expect([second.redriven, second.failed]).toEqual([2, 0]);
    expect(bodies(SOURCE).map((b) => b.event_id)).toEqual(['evt-1', 'evt-4']);
    expect(sqs.messages(SOURCE).map((m) => m.messageDeduplicationId)).toEqual(
      first.moves.map((move) => redriveDeduplicationId(move.entry.message_id)),
    );
    expect(sqs.messages(DLQ)).toHaveLength(3);
  });

  it('leaves a message whose send fails in the dead-letter queue, and its group with it, exit 1', async () => {
    failing = 'SendMessage';

    const result = await cli([
      'redrive',
      '--queue-url',
      sqs.queueUrl(DLQ),
      '--reason',
      'exhausted',
      '--json',
    ]);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ redriven: 0, skipped: 3, failed: 2 });
    expect(sqs.messages(DLQ)).toHaveLength(5);
    expect(sqs.messages(SOURCE)).toEqual([]);
  });
});
