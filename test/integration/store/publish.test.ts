import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  STORAGE,
  ConfigTooLargeError,
  ConfigValidationError,
  ConfigVersionConflictError,
  buildManifest,
  chunkKeys,
  createConfigStore,
  createRecordingTargets,
  parseVersions,
  publishConfig,
  readConfigItem,
  readConnectorState,
  readManifest,
  validateConfig,
  versionsKey,
  type ConnectorConfigInput,
} from '@flow-worker/runtime';
import { threeStepConfig } from '../../../bench/lib/fixtures.js';
import { createTestTables, withNoise, type TestTables } from '../../support/tables.js';

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables(inject('dynamodbEndpoint'), 'publish');
});
afterAll(() => tables.close());

const config = (connectorId: string, version: number, flows = 3): ConnectorConfigInput =>
  threeStepConfig({ connectorId, flows, version });
const item = async (tableName: string, id: string) =>
  (await tables.config.client.send(new GetCommand({ TableName: tableName, Key: { connector_id: id } }))).Item;
const newStore = () =>
  createConfigStore({ ...tables.config, targetFactory: createRecordingTargets().factory, ttlSeconds: 0 });

describe('publishConfig: the table layout', () => {
  it('keeps a small config inline in the head item, and its chunk for the history', async () => {
    const document = config('small', 1);

    const result = await publishConfig(tables.config, document);
    const head = await item(tables.config.tableName, 'small');
    const versions = parseVersions(await item(tables.config.tableName, versionsKey('small').connector_id));

    expect(result.stored).toMatchObject({ chunks: 1, inline: true });
    expect(head).toMatchObject({ connector_id: 'small', version: 1, encoding: 'gzip', chunks: 1 });
    expect(head?.data).toBeInstanceOf(Uint8Array);
    expect(versions).toEqual([
      expect.objectContaining({ version: 1, digest: String(head?.digest), chunks: 1 }),
    ]);
    const [chunk] = chunkKeys({ connectorId: 'small', ...versions[0]! });
    expect(await item(tables.config.tableName, chunk!.connector_id)).toHaveProperty('data');
    expect((await readConfigItem(tables.config, 'small'))?.config).toEqual(document);
  });

  it('splits a large config across chunk items under the item size limit, and reads it back whole', async () => {
    const document = withNoise(config('large', 1), 1_200_000);

    const result = await publishConfig(tables.config, document);
    const head = await item(tables.config.tableName, 'large');

    expect(result.stored.chunks).toBe(3);
    expect(result.stored.inline).toBe(false);
    expect(head?.data).toBeUndefined();
    expect((await readConfigItem(tables.config, 'large'))?.config).toEqual(document);
  });

  it('costs one read for an unchanged version and what its size requires for a new one', async () => {
    await publishConfig(tables.config, withNoise(config('reads', 1), 1_200_000));
    const store = newStore();

    tables.proxy.reset();
    await store.get('reads');
    const cold = tables.proxy.counts();
    tables.proxy.reset();
    await store.get('reads');
    const unchanged = tables.proxy.counts();
    await publishConfig(tables.config, config('reads', 2));
    tables.proxy.reset();
    await store.get('reads');
    const smallNew = tables.proxy.counts();

    expect(cold).toEqual({ GetItem: 1, BatchGetItem: 2 }); // 3 chunks, 2 per request, in parallel
    expect(unchanged).toEqual({ GetItem: 1 });
    expect(smallNew).toEqual({ GetItem: 1 });
  });

  it('reads the single-item layout, and keeps that version in the history when it is replaced', async () => {
    const old = config('legacy', 4);
    await tables.config.client.send(
      new PutCommand({
        TableName: tables.config.tableName,
        Item: { connector_id: 'legacy', version: 4, config: old, published_at: '2026-01-01T00:00:00.000Z' },
      }),
    );

    const before = await newStore().get('legacy');
    await publishConfig(tables.config, config('legacy', 5));
    const state = await readConnectorState(tables.config, 'legacy');

    expect(before.version).toBe(4);
    expect(state.entries.map((e) => [e.version, e.published_at])).toEqual([
      [5, expect.any(String)],
      [4, '2026-01-01T00:00:00.000Z'],
    ]);
  });
});

describe('publishConfig: what validate accepts, publish stores', () => {
  it('stores keys that a DynamoDB map cannot hold (__proto__, constructor, empty) exactly as written', async () => {
    const text = JSON.stringify(config('odd-keys', 1)).replace(
      '"origin":"bench"',
      '"origin":"bench","__proto__":{"a":1},"constructor":"$.company.name","":"empty key"',
    );
    const document: unknown = JSON.parse(text);
    validateConfig(document);

    await publishConfig(tables.config, document);
    const stored = await readConfigItem(tables.config, 'odd-keys');

    expect(JSON.stringify(stored?.config)).toBe(text);
    expect((await newStore().get('odd-keys')).version).toBe(1);
  });
});

describe('publishConfig: the version guard', () => {
  it('refuses a version that is not newer, naming both, and keeps the stored config', async () => {
    await publishConfig(tables.config, config('guard', 3));

    const stale = publishConfig(tables.config, config('guard', 2));
    const same = publishConfig(tables.config, config('guard', 3, 4));

    // Both assertions attach at once: a rejection left unobserved while the other is awaited is an
    // unhandled rejection to the test runner.
    await Promise.all([
      expect(stale).rejects.toMatchObject({ offeredVersion: 2, storedVersion: 3 }),
      expect(same).rejects.toBeInstanceOf(ConfigVersionConflictError),
    ]);
    expect((await readConfigItem(tables.config, 'guard'))?.config).toEqual(config('guard', 3));
  });

  it('lets exactly one of two concurrent publishers of one version win, and leaves the winner readable', async () => {
    const first = withNoise(config('race', 1), 500_000);
    const second = withNoise(config('race', 1), 500_000);

    const results = await Promise.allSettled([
      publishConfig(tables.config, first),
      publishConfig(tables.config, second),
    ]);
    const stored = await readConfigItem(tables.config, 'race');
    const state = await readConnectorState(tables.config, 'race');

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect([first, second]).toContainEqual(stored?.config);
    expect(state.entries).toHaveLength(1);
  });
});

describe('publishConfig: limits', () => {
  it('refuses a config over a limit, naming the connector, the size and the limit', async () => {
    const tooMany = config('steps', 1, 1);
    const flow = tooMany.flows[0]!;
    const steps = Array.from({ length: 101 }, (_, i) => ({ ...flow.steps[0]!, id: `map_${i}` }));
    const document = { ...tooMany, flows: [{ ...flow, steps }] };

    const error = await publishConfig(tables.config, document).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigTooLargeError);
    expect((error as Error).message).toBe(
      'connector "steps" cannot be published: the flow has 101 steps, over the limit of 100 steps (stepsPerFlow) at flows[0].steps',
    );
    expect(await readConfigItem(tables.config, 'steps')).toBeUndefined();
  });

  it('refuses a config larger than the size limit before compressing or writing anything', async () => {
    const document = { ...config('huge', 1), 'x-padding': 'a'.repeat(65 * 1024 * 1024) };
    tables.proxy.reset();

    const error = await publishConfig(tables.config, document).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(
      /^connector "huge" cannot be published: the config as JSON is 65\.0 MB, over the limit of 64\.0 MB \(documentBytes\)$/,
    );
    expect(tables.proxy.counts()).toEqual({});
  });

  it('refuses a connector id holding the key separator, as validate does', async () => {
    await expect(publishConfig(tables.config, config('a#b', 1))).rejects.toBeInstanceOf(
      ConfigValidationError,
    );
  });
});

describe('publishConfig: retention', () => {
  it(`keeps the last ${STORAGE.retainedVersions} versions and deletes the chunks of older ones`, async () => {
    for (let version = 1; version <= STORAGE.retainedVersions + 2; version += 1) {
      await publishConfig(tables.config, config('retained', version));
    }
    const state = await readConnectorState(tables.config, 'retained');

    expect(state.entries.map((e) => e.version)).toEqual(
      Array.from({ length: STORAGE.retainedVersions }, (_, i) => STORAGE.retainedVersions + 2 - i),
    );
    const oldest = (await publishConfig(tables.config, config('retained', 100))).pruned;
    expect(oldest).toEqual([3]);
  });
});

describe('publishConfig: the manifest item', () => {
  it('writes the manifest as a map in the same step as the config', async () => {
    const document = config('manifested', 2);

    await publishConfig(tables.config, document, { manifests: tables.manifests });
    const stored = await item(tables.manifests.tableName, 'manifested');

    expect(stored).toEqual({
      connector_id: 'manifested',
      version: 2,
      manifest: buildManifest(validateConfig(document)),
    });
  });

  it('stores a manifest too large for a map in chunks, and reads it back', async () => {
    const document = config('wide', 1, 5_000);
    const expected = buildManifest(validateConfig(document));

    await publishConfig(tables.config, document, { manifests: tables.manifests });
    const stored = await item(tables.manifests.tableName, 'wide');

    expect(stored).toMatchObject({ connector_id: 'wide', version: 1, encoding: 'gzip' });
    expect(await readManifest(tables.manifests, 'wide')).toEqual({ version: 1, manifest: expected });
  });

  it('changes neither the config nor the manifest when the transaction fails', async () => {
    await publishConfig(tables.config, config('atomic', 1), { manifests: tables.manifests });
    const missing = { ...tables.manifests, tableName: 'no-such-manifests-table' };

    const failed = await publishConfig(tables.config, config('atomic', 2), { manifests: missing }).catch(
      (e: unknown) => e,
    );

    expect(failed).toBeInstanceOf(Error);
    expect((await readConfigItem(tables.config, 'atomic'))?.version).toBe(1);
    expect((await readManifest(tables.manifests, 'atomic'))?.version).toBe(1);
  });
});
