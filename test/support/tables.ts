import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConfigTable, createManifestsTable, type ConfigTable } from '@flow-worker/runtime';
import { startCountingProxy, type CountingProxy } from '../../cli/local/counting-proxy.js';

/** A config table and a manifests table of their own on the shared dynalite, reached through a counting proxy. */
export interface TestTables {
  readonly proxy: CountingProxy;
  readonly raw: DynamoDBClient;
  readonly config: ConfigTable;
  readonly manifests: ConfigTable;
  close(): Promise<void>;
}

export async function createTestTables(endpoint: string, prefix: string): Promise<TestTables> {
  const proxy = await startCountingProxy(endpoint);
  const raw = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const config = { client, tableName: `${prefix}-config-${randomUUID()}` };
  const manifests = { client, tableName: `${prefix}-manifests-${randomUUID()}` };
  await createConfigTable(raw, config.tableName);
  await createManifestsTable(raw, manifests.tableName);
  return {
    proxy,
    raw,
    config,
    manifests,
    close: async () => {
      raw.destroy();
      await proxy.close();
    },
  };
}

/**
 * A copy of `document` with an `x-noise` annotation of `bytes` random base64 characters: it
 * barely compresses, so a test can choose how many chunk items a version takes.
 */
export function withNoise<T extends object>(document: T, bytes: number): T & { 'x-noise': string } {
  return {
    ...document,
    'x-noise': randomBytes(Math.ceil((bytes * 3) / 4))
      .toString('base64')
      .slice(0, bytes),
  };
}
