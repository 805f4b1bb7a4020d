import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ConfigNotFoundError,
  NOT_FOUND_TTL_MS,
  ConfigValidationError,
  ConfigVersionConflictError,
  createConfigStore,
  createConfigTable,
  createRecordingTargets,
  errorClassOf,
  publishConfig,
  readConfigItem,
  type ConfigTable,
  type ConnectorConfigInput,
} from '@flow-worker/runtime';
import { startCountingProxy, type CountingProxy } from '../../../cli/local/counting-proxy.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function aConfig(
  connectorId: string,
  version: number,
  extra: Partial<ConnectorConfigInput> = {},
): ConnectorConfigInput {
  return {
    connector_id: connectorId,
    version,
    sources: [{ name: 'compass_inbound' }],
    targets: [{ name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' }],
    flows: [
      {
        name: `flow_v${version}`,
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          {
            id: 'upsert',
            action: 'upsert',
            target: 'erp',
            entity: 'account',
            id_property: 'domain',
            data: '$.payload',
          },
        ],
      },
    ],
    ...extra,
  };
}

describe('config store against dynalite', () => {
  let proxy: CountingProxy;
  let raw: DynamoDBClient;
  let table: ConfigTable;
  let clock = 1_000_000;
  const now = () => clock;

  beforeAll(async () => {
    proxy = await startCountingProxy(inject('dynamodbEndpoint'));
    raw = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });
    table = {
      client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: `config-store-${randomUUID()}`,
    };
    await createConfigTable(raw, table.tableName);
  });
  afterAll(async () => {
    raw.destroy();
    await proxy.close();
  });

  const newStore = (ttlSeconds = 30) =>
    createConfigStore({ ...table, targetFactory: createRecordingTargets().factory, ttlSeconds, now });

  it('publishes a config as given (x-* annotations kept) with its version and publish time', async () => {
    const document = { ...aConfig('annotated', 1), 'x-owner': 'sales-ops' };

    const result = await publishConfig(table, document, { now: () => Date.parse('2026-11-24T10:00:00Z') });
    const item = await readConfigItem(table, 'annotated');

    expect(result).toMatchObject({
      connectorId: 'annotated',
      version: 1,
      publishedAt: '2026-11-24T10:00:00.000Z',
    });
    expect(item).toEqual({
      connector_id: 'annotated',
      version: 1,
      config: document,
      published_at: '2026-11-24T10:00:00.000Z',
    });
  });

  it('rejects a stale publish with the stored version, and keeps the stored config', async () => {
    await publishConfig(table, aConfig('stale', 3));

    const stale = publishConfig(table, aConfig('stale', 2));
    const same = publishConfig(table, aConfig('stale', 3));

    // All assertions attach at once, so neither rejection goes unobserved while the other is awaited.
    await Promise.all([
      expect(stale).rejects.toBeInstanceOf(ConfigVersionConflictError),
      expect(stale).rejects.toMatchObject({ offeredVersion: 2, storedVersion: 3 }),
      expect(same).rejects.toThrow('version 3 was not published because the stored version is 3'),
    ]);
    expect((await readConfigItem(table, 'stale'))?.version).toBe(3);
  });

  it('refuses to publish an invalid config, listing every problem', async () => {
    const invalid = {
      ...aConfig('invalid', 1),
      flows: [{ name: 'f', source: 'nope', event_type: 'e', steps: [] }],
    };

    await expect(publishConfig(table, invalid)).rejects.toBeInstanceOf(ConfigValidationError);
    expect(await readConfigItem(table, 'invalid')).toBeUndefined();
  });

  it('reads a connector once for many concurrent records', async () => {
    await publishConfig(table, aConfig('coalesced', 1));
    const store = newStore();
    proxy.reset();

    const configs = await Promise.all(
      Array.from({ length: 10 }, () => Promise.resolve(store.get('coalesced'))),
    );

    expect(proxy.count('GetItem')).toBe(1);
    expect(new Set(configs).size).toBe(1);
    expect(configs[0]?.version).toBe(1);
  });

  it('answers a cache hit without a promise once the config has loaded', async () => {
    await publishConfig(table, aConfig('loaded', 1));
    const store = newStore();

    const first = store.get('loaded');
    const loaded = await first;
    const hit = store.get('loaded');

    expect(first).toBeInstanceOf(Promise);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toBe(loaded);
  });

  it('picks up a new version only after the TTL, compiling each version once', async () => {
    await publishConfig(table, aConfig('ttl', 1));
    const store = newStore(30);
    const v1 = await store.get('ttl');
    await publishConfig(table, aConfig('ttl', 2));
    proxy.reset();

    const beforeTtl = await store.get('ttl');
    clock += 30_000;
    const afterTtl = await store.get('ttl');
    clock += 30_000;
    const unchanged = await store.get('ttl');

    expect(beforeTtl).toBe(v1);
    expect(afterTtl.version).toBe(2);
    expect(afterTtl.matchFlows('compass_inbound', 'upsert_company').map((f) => f.name)).toEqual(['flow_v2']);
    expect(unchanged).toBe(afterTtl); // same version: the compiled config is reused
    expect(proxy.count('GetItem')).toBe(2);
  });

  it('fails permanently when the connector has no published config', async () => {
    const store = newStore();

    const error = await Promise.resolve(store.get('never-published')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect(errorClassOf(error)).toBe('permanent');
    expect((error as Error).message).toContain('never-published');
  });

  it('remembers a missing config only briefly, so a fresh publish is used within seconds, not a TTL', async () => {
    const store = newStore(30);
    proxy.reset();
    await expect(store.get('late')).rejects.toBeInstanceOf(ConfigNotFoundError);
    await expect(store.get('late')).rejects.toBeInstanceOf(ConfigNotFoundError); // same batch: cached
    await publishConfig(table, aConfig('late', 1));

    clock += NOT_FOUND_TTL_MS;
    const found = await store.get('late');

    expect(found.version).toBe(1);
    expect(proxy.count('GetItem')).toBe(2);
  });

  it('fails permanently, and logs loudly, when the stored config is invalid', async () => {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          connector_id: 'corrupt',
          version: 4,
          config: { connector_id: 'corrupt', version: 4, flows: 'nope' },
          published_at: 'x',
        },
      }),
    );
    const errors: unknown[] = [];
    const store = createConfigStore({
      ...table,
      targetFactory: createRecordingTargets().factory,
      logger: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => errors.push(args) },
    });

    const error = await Promise.resolve(store.get('corrupt')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(errorClassOf(error)).toBe('permanent');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('corrupt');
  });
});
