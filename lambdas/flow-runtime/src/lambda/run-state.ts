import { createHash } from 'node:crypto';
import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isRunCheckpoint, type RunCheckpoint } from '../engine/checkpoint.js';
import { RetryableError, describeError } from '../errors.js';

/**
 * Where step checkpoints live between deliveries of a message (docs/handlers.md, delivery over
 * time). The handler reads one only on a redelivery, writes one only when a record ends
 * unfinished, and deletes it when the record finishes: the happy path never calls the store.
 */
export interface RunStateStore {
  /**
   * The checkpoint saved for this run, or `undefined` (none, or expired).
   * @throws RetryableError when it cannot be read: running without it could repeat effects.
   */
  load(runId: string): Promise<RunCheckpoint | undefined>;
  /** Saves (replaces) the checkpoint of this run. */
  save(runId: string, checkpoint: RunCheckpoint, about: RunAbout): Promise<void>;
  /** Deletes the checkpoint of a run that finished. */
  clear(runId: string): Promise<void>;
}

/** What is stored beside a checkpoint, for operators reading the table. */
export interface RunAbout {
  readonly connector: string;
  readonly eventId: string;
  readonly sourceQueue: string;
  readonly configVersion: number;
}

/** The run-state table's key and TTL attributes (the CDK stack creates it with these). */
export const RUN_STATE_ATTRIBUTES = { key: 'run_id', ttl: 'expires_at' } as const;

/**
 * How long a checkpoint is kept: longer than a message can wait on a sync queue (at most 14 days)
 * plus in its dead-letter queue (14 days), so a message redriven late still resumes.
 */
export const RUN_STATE_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Partition keys are at most 2048 bytes; a longer id is hashed. */
const MAX_READABLE_RUN_ID_BYTES = 1024;

/**
 * The key of a run: the source queue, the connector and the event id (envelope `event_id`, else the
 * SQS deduplication id, else the message id). A readable JSON array, or its SHA-256 when too long.
 */
export function runIdOf(sourceQueue: string, connector: string, eventId: string): string {
  const readable = JSON.stringify([sourceQueue, connector, eventId]);
  if (Buffer.byteLength(readable) <= MAX_READABLE_RUN_ID_BYTES) return readable;
  return `sha256:${createHash('sha256').update(readable).digest('hex')}`;
}

/** The item as stored: the checkpoint as JSON text, so no value is reshaped by DynamoDB's types. */
interface RunStateItem {
  readonly run_id: string;
  readonly expires_at: number;
  readonly checkpoint: string;
  readonly connector_id: string;
  readonly event_id: string;
  readonly source_queue: string;
  readonly config_version: number;
  readonly saved_at: string;
}

export interface DynamoRunStateStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default {@link RUN_STATE_TTL_SECONDS} */
  readonly ttlSeconds?: number;
}

function parseCheckpoint(text: unknown): RunCheckpoint | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRunCheckpoint(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The run-state table in DynamoDB (`RUN_STATE_TABLE_NAME`): partition key `run_id`, TTL attribute
 * `expires_at`. Reads are strongly consistent, since a redelivery may follow the save closely.
 */
export function createDynamoRunStateStore(options: DynamoRunStateStoreOptions): RunStateStore {
  const now = options.now ?? Date.now;
  const ttlSeconds = options.ttlSeconds ?? RUN_STATE_TTL_SECONDS;
  const TableName = options.tableName;
  const failed = (what: string, runId: string, error: unknown) =>
    new RetryableError(
      `${what} the run state ${runId} in table ${TableName} failed (${describeError(error).name})`,
      {
        cause: error,
        context: { table: TableName },
      },
    );
  return {
    async load(runId) {
      let item: Record<string, unknown> | undefined;
      try {
        ({ Item: item } = await options.client.send(
          new GetCommand({ TableName, Key: { run_id: runId }, ConsistentRead: true }),
        ));
      } catch (error) {
        throw failed('reading', runId, error);
      }
      if (item === undefined || Number(item.expires_at) * 1000 <= now()) return undefined;
      return parseCheckpoint(item.checkpoint);
    },
    async save(runId, checkpoint, about) {
      const at = now();
      const item: RunStateItem = {
        run_id: runId,
        expires_at: Math.ceil(at / 1000) + ttlSeconds,
        checkpoint: JSON.stringify(checkpoint),
        connector_id: about.connector,
        event_id: about.eventId,
        source_queue: about.sourceQueue,
        config_version: about.configVersion,
        saved_at: new Date(at).toISOString(),
      };
      try {
        await options.client.send(new PutCommand({ TableName, Item: item }));
      } catch (error) {
        throw failed('saving', runId, error);
      }
    },
    async clear(runId) {
      try {
        await options.client.send(new DeleteCommand({ TableName, Key: { run_id: runId } }));
      } catch (error) {
        throw failed('deleting', runId, error);
      }
    },
  };
}

/**
 * Creates the run-state table (on-demand billing) for local runs and tests; an existing table is
 * left alone. Production tables (with TTL on `expires_at`) come from the CDK stack.
 */
export async function createRunStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: RUN_STATE_ATTRIBUTES.key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: RUN_STATE_ATTRIBUTES.key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
