import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '../errors.js';

/**
 * DynamoDB's batch calls, whole: requests split at the service's limits, issued in parallel, and
 * what comes back unprocessed (throttling, the 16 MB response limit) asked for again.
 */

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** DynamoDB's limits per request. */
export const BATCH_LIMITS = { getKeys: 100, writeRequests: 25 } as const;
/** Requests in flight at once, so a large write does not trip the table's throughput in one burst. */
const PARALLEL_REQUESTS = 8;
/** Attempts for unprocessed keys or items, with doubling waits from 50 ms. */
const ATTEMPTS = 8;

export interface BatchTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

function groups<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Unprocessed keys or items remained after every attempt: the table is throttling. */
function unprocessed(table: BatchTable, what: string): RetryableError {
  return new RetryableError(
    `${what} still unprocessed by table ${table.tableName} after ${ATTEMPTS} attempts`,
  );
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));

/** Runs `work` over `inputs`, at most {@link PARALLEL_REQUESTS} at a time, results in input order. */
async function inParallel<T, R>(inputs: readonly T[], work: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) results[i] = await work(inputs[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, inputs.length) }, worker));
  return results;
}

export interface BatchGetOptions {
  /** Strongly consistent reads. @default false */
  readonly consistent?: boolean;
  /** Keys per request (at most 100); smaller groups are read in parallel. @default 100 */
  readonly keysPerRequest?: number;
}

/**
 * Reads items by key; the result maps each key's `keyAttribute` value to its item (absent when
 * there is none). Unprocessed keys are asked for again at once when the response brought items
 * (a response-size limit), after a doubling wait when it brought none (throttling).
 */
export async function batchGet(
  table: BatchTable,
  keys: readonly Key[],
  keyAttribute: string,
  options: BatchGetOptions = {},
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const perRequest = Math.min(BATCH_LIMITS.getKeys, options.keysPerRequest ?? BATCH_LIMITS.getKeys);
  await inParallel(groups(keys, perRequest), async (group) => {
    let pending: Key[] = group;
    for (let idle = 0; pending.length > 0;) {
      if (idle === ATTEMPTS) throw unprocessed(table, `${pending.length} keys`);
      if (idle > 0) await pause(idle);
      const output = await table.client.send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: pending, ConsistentRead: options.consistent ?? false } },
        }),
      );
      const items = output.Responses?.[table.tableName] ?? [];
      for (const item of items) found.set(String(item[keyAttribute]), item);
      pending = output.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
      idle = items.length > 0 ? 0 : idle + 1;
    }
  });
  return found;
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

async function batchWrite(table: BatchTable, requests: readonly WriteRequest[]): Promise<number> {
  const sent = await inParallel(groups(requests, BATCH_LIMITS.writeRequests), async (group) => {
    let pending: WriteRequest[] = group;
    let calls = 0;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === ATTEMPTS) throw unprocessed(table, `${pending.length} writes`);
      if (attempt > 0) await pause(attempt);
      const output = await table.client.send(
        new BatchWriteCommand({ RequestItems: { [table.tableName]: pending } }),
      );
      calls += 1;
      pending = (output.UnprocessedItems?.[table.tableName] ?? []) as WriteRequest[];
    }
    return calls;
  });
  return sent.reduce((a, b) => a + b, 0);
}

/** Puts items (no conditions); returns the number of requests it took. */
export function batchPut(table: BatchTable, items: readonly Item[]): Promise<number> {
  return batchWrite(
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}

/** Deletes items by key; returns the number of requests it took. */
export function batchDelete(table: BatchTable, keys: readonly Key[]): Promise<number> {
  return batchWrite(
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}
