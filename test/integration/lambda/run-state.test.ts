import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createDynamoRunStateStore,
  createRunStateTable,
  RetryableError,
  runIdOf,
  RUN_STATE_TTL_SECONDS,
  type RunCheckpoint,
} from '@flow-worker/runtime';

/** The DynamoDB run-state store against dynalite. */

let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
const tableName = `run-state-${randomUUID()}`;
const CHECKPOINT: RunCheckpoint = {
  flows: {
    accounts: { steps: [{ id: 'record', result: { id: 'ledger-1', tags: ['a', ''], empty: {} } }] },
    audit: { finished: 'completed', steps: [{ id: 'audit' }] },
  },
};
const ABOUT = { connector: 'acme', eventId: 'evt-1', sourceQueue: 'inbound-sync.fifo', configVersion: 3 };

beforeAll(async () => {
  raw = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client = DynamoDBDocumentClient.from(raw);
  await createRunStateTable(raw, tableName);
});
afterAll(() => raw.destroy());

describe('DynamoDB run-state store', () => {
  it('saves a checkpoint and reads it back unchanged, then deletes it', async () => {
    const store = createDynamoRunStateStore({ client, tableName });
    const runId = runIdOf('inbound-sync.fifo', 'acme', `evt-${randomUUID()}`);

    await store.save(runId, CHECKPOINT, ABOUT);
    const loaded = await store.load(runId);
    await store.clear(runId);

    expect(loaded).toEqual(CHECKPOINT);
    expect(await store.load(runId)).toBeUndefined();
  });

  it('ignores a checkpoint past its expires_at, which DynamoDB may not have deleted yet', async () => {
    const at = Date.UTC(2026, 10, 24);
    const runId = runIdOf('inbound-sync.fifo', 'acme', `evt-${randomUUID()}`);
    await createDynamoRunStateStore({ client, tableName, now: () => at }).save(runId, CHECKPOINT, ABOUT);

    const later = createDynamoRunStateStore({
      client,
      tableName,
      now: () => at + (RUN_STATE_TTL_SECONDS + 1) * 1000,
    });
    const justBefore = createDynamoRunStateStore({ client, tableName, now: () => at + 1000 });

    expect(await later.load(runId)).toBeUndefined();
    expect(await justBefore.load(runId)).toEqual(CHECKPOINT);
  });

  it('treats a stored value that is not a checkpoint as none', async () => {
    const runId = runIdOf('inbound-sync.fifo', 'acme', `evt-${randomUUID()}`);
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { run_id: runId, expires_at: Date.now() / 1000 + 60, checkpoint: '{"flows": []}' },
      }),
    );

    expect(await createDynamoRunStateStore({ client, tableName }).load(runId)).toBeUndefined();
  });

  it('fails a read retryably when the table cannot be read', async () => {
    const store = createDynamoRunStateStore({ client, tableName: 'no-such-table' });

    await expect(store.load('x')).rejects.toBeInstanceOf(RetryableError);
    await expect(store.save('x', CHECKPOINT, ABOUT)).rejects.toBeInstanceOf(RetryableError);
  });

  it('keys a run by queue, connector and event id, readable, hashed when too long for a key', () => {
    expect(runIdOf('inbound-sync.fifo', 'acme', 'evt-1')).toBe('["inbound-sync.fifo","acme","evt-1"]');
    expect(runIdOf('a', 'b#c', 'd')).not.toBe(runIdOf('a', 'b', 'c#d'));
    expect(runIdOf('inbound-sync.fifo', 'acme', 'e'.repeat(3000))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
