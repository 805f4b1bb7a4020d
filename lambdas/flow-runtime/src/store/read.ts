import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FlowWorkerError, RetryableError, StoredConfigUnreadableError, describeError } from '../errors.js';
import { batchGet } from './batch.js';
import { decodeDocument } from './codec.js';
import {
  STORAGE,
  chunkKeys,
  headKey,
  parseHead,
  parseVersions,
  versionsKey,
  type BlobPointer,
  type SingleItemHead,
  type StoredHead,
  type VersionEntry,
} from './layout.js';

/** A DynamoDB table the store reads or writes (the config table, or the manifests table). */
export interface ConfigTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A connector's published config as stored: `config` is the document as published (`x-*` kept). */
export interface ConfigItem {
  readonly connector_id: string;
  readonly version: number;
  readonly config: unknown;
  readonly published_at: string;
}

const KEY = 'connector_id';

/** Runs a DynamoDB call; a failure (throttling, network, a missing table) becomes retryable. */
async function attempt<T>(
  what: string,
  table: ConfigTable,
  connectorId: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FlowWorkerError) throw error;
    const { name } = describeError(error);
    throw new RetryableError(`${what} from table ${table.tableName} failed (${name})`, {
      cause: error,
      context: { connector: connectorId },
    });
  }
}

function parsed(table: ConfigTable, connectorId: string, item: Record<string, unknown>): StoredHead {
  const head = parseHead(item);
  if (typeof head === 'string') {
    throw new StoredConfigUnreadableError(
      `the head item of connector "${connectorId}" in table ${table.tableName} is malformed: ${head}`,
      { context: { connector: connectorId } },
    );
  }
  return head;
}

/**
 * Reads a connector's head item: one `GetItem` (eventually consistent unless `consistent`).
 * @throws RetryableError when DynamoDB fails; StoredConfigUnreadableError for a malformed item.
 */
export async function readHead(
  table: ConfigTable,
  connectorId: string,
  consistent = false,
): Promise<StoredHead | undefined> {
  const { Item } = await attempt(`reading the config of connector "${connectorId}"`, table, connectorId, () =>
    table.client.send(
      new GetCommand({ TableName: table.tableName, Key: headKey(connectorId), ConsistentRead: consistent }),
    ),
  );
  return Item === undefined ? undefined : parsed(table, connectorId, Item);
}

/**
 * Chunks per `BatchGetItem`: responses of at most about 1 MB, read in parallel. One large response
 * would arrive no sooner, and dynalite answers at most about 1.4 MB per request.
 */
const CHUNKS_PER_REQUEST = Math.max(1, Math.floor((1024 * 1024) / STORAGE.chunkBytes));

/**
 * Reads a stored document from its chunk items (`BatchGetItem`s of {@link CHUNKS_PER_REQUEST}
 * chunks, in parallel) and checks it against the pointer. Chunks missing from an eventually consistent read are asked
 * for again with a strongly consistent one: a head can be seen before its chunks have reached
 * every replica, never before they were written.
 */
export async function readBlob(table: ConfigTable, pointer: BlobPointer): Promise<unknown> {
  const where = `connector "${pointer.connectorId}" version ${pointer.version} in table ${table.tableName}`;
  const keys = chunkKeys(pointer);
  const read = (list: typeof keys, consistent: boolean) =>
    attempt(`reading ${where}`, table, pointer.connectorId, () =>
      batchGet(table, list, KEY, { consistent, keysPerRequest: CHUNKS_PER_REQUEST }),
    );
  const found = await read(keys, false);
  const missing = keys.filter((key) => !found.has(key.connector_id));
  if (missing.length > 0) {
    const again = await read(missing, true);
    for (const [key, item] of again) found.set(key, item);
  }
  const chunks = keys.map((key) => found.get(key.connector_id)?.data);
  const absent = chunks.filter((data) => !(data instanceof Uint8Array)).length;
  if (absent > 0) {
    throw new StoredConfigUnreadableError(
      `${where}: ${absent} of its ${keys.length} chunk items are missing (pruned while being read, or the head was written before them)`,
      { context: { connector: pointer.connectorId, version: pointer.version } },
    );
  }
  return decodeDocument(chunks as Uint8Array[], pointer, where);
}

/** The document a head names: inline, in its chunks, or the single-item layout's `config`. */
export function readHeadDocument(table: ConfigTable, head: StoredHead): Promise<unknown> {
  if (head.layout === 'single-item') return Promise.resolve(head.config);
  const pointer = { ...head, connectorId: head.connector_id };
  if (head.data !== undefined) {
    const where = `connector "${head.connector_id}" version ${head.version} in table ${table.tableName}`;
    return decodeDocument([head.data], pointer, where);
  }
  return readBlob(table, pointer);
}

/**
 * Reads a connector's published config, whichever layout it is stored in; `undefined` when none.
 * @throws RetryableError when DynamoDB fails; StoredConfigUnreadableError when its items do not fit together.
 */
export async function readConfigItem(
  table: ConfigTable,
  connectorId: string,
): Promise<ConfigItem | undefined> {
  const head = await readHead(table, connectorId);
  if (head === undefined) return undefined;
  const config = await readHeadDocument(table, head);
  return { connector_id: head.connector_id, version: head.version, config, published_at: head.published_at };
}

/** What is stored for a connector, read at one point (strongly consistent). */
export interface ConnectorState {
  readonly head: StoredHead | undefined;
  /** Versions stored as chunks, newest first: the versions item's, and the head's if missing there. */
  readonly entries: readonly VersionEntry[];
  /** A head in the single-item layout: its document is not stored as chunks yet. */
  readonly singleItem?: SingleItemHead;
}

/** Reads the head and the versions item in one strongly consistent `BatchGetItem`. */
export async function readConnectorState(table: ConfigTable, connectorId: string): Promise<ConnectorState> {
  const keys = [headKey(connectorId), versionsKey(connectorId)];
  const output = await attempt(`reading the versions of connector "${connectorId}"`, table, connectorId, () =>
    table.client.send(
      new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: keys, ConsistentRead: true } } }),
    ),
  );
  const items = new Map((output.Responses?.[table.tableName] ?? []).map((item) => [String(item[KEY]), item]));
  if ((output.UnprocessedKeys?.[table.tableName]?.Keys ?? []).length > 0) {
    throw new RetryableError(
      `reading the versions of connector "${connectorId}" was throttled by table ${table.tableName}`,
    );
  }
  const headItem = items.get(connectorId);
  const head = headItem === undefined ? undefined : parsed(table, connectorId, headItem);
  const entries = parseVersions(items.get(versionsKey(connectorId).connector_id));
  if (head?.layout === 'single-item') {
    const { layout: _layout, ...singleItem } = head;
    return { head, entries: entries.filter((e) => e.version !== head.version), singleItem };
  }
  if (head !== undefined && !entries.some((e) => e.version === head.version && e.digest === head.digest)) {
    const { version, published_at, digest, size, chunks } = head;
    const others = entries.filter((e) => e.version !== version);
    return {
      head,
      entries: [{ version, published_at, digest, size, chunks }, ...others].sort(
        (a, b) => b.version - a.version,
      ),
    };
  }
  return { head, entries };
}
