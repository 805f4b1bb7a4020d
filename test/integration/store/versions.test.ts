import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ConfigNotFoundError,
  ConfigVersionConflictError,
  ConfigVersionNotFoundError,
  buildManifest,
  configHistory,
  createConfigStore,
  createRecordingTargets,
  diffVersions,
  publishConfig,
  readConfigItem,
  readManifest,
  rollbackConfig,
  validateConfig,
  type ConnectorConfigInput,
} from '@flow-worker/runtime';
import { aConfig, aFlow } from '../../unit/fixtures.js';
import { createTestTables, type TestTables } from '../../support/tables.js';

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables(inject('dynamodbEndpoint'), 'versions');
});
afterAll(() => tables.close());

const clock = (iso: string) => () => Date.parse(iso);

/** Three versions of one connector: v1 two flows; v2 adds one and pauses one; v3 removes one. */
async function publishThree(connectorId: string): Promise<ConnectorConfigInput[]> {
  const v1 = aConfig({
    connector_id: connectorId,
    version: 1,
    flows: [aFlow({ name: 'a' }), aFlow({ name: 'b' })],
  });
  const v2 = {
    ...v1,
    version: 2,
    flows: [aFlow({ name: 'a', enabled: false }), aFlow({ name: 'b' }), aFlow({ name: 'c' })],
  };
  const v3 = { ...v2, version: 3, flows: [aFlow({ name: 'a', enabled: false }), aFlow({ name: 'c' })] };
  const times = ['2026-11-01T10:00:00.000Z', '2026-11-02T10:00:00.000Z', '2026-11-03T10:00:00.000Z'];
  for (const [i, document] of [v1, v2, v3].entries()) {
    await publishConfig(tables.config, document, { now: clock(times[i]!), manifests: tables.manifests });
  }
  return [v1, v2, v3];
}

describe('configHistory', () => {
  it('lists every stored version newest first, with the flows each added, removed and changed by name', async () => {
    await publishThree('history');

    const history = await configHistory(tables.config, 'history');

    expect(history).toEqual([
      {
        version: 3,
        published_at: '2026-11-03T10:00:00.000Z',
        flows: 2,
        added: [],
        removed: ['b'],
        changed: [],
      },
      {
        version: 2,
        published_at: '2026-11-02T10:00:00.000Z',
        flows: 3,
        added: ['c'],
        removed: [],
        changed: ['a'],
      },
      {
        version: 1,
        published_at: '2026-11-01T10:00:00.000Z',
        flows: 2,
        added: ['a', 'b'],
        removed: [],
        changed: [],
      },
    ]);
  });

  it('includes a version stored in the single-item layout', async () => {
    const legacy = aConfig({ connector_id: 'old-layout', version: 7 });
    await tables.config.client.send(
      new PutCommand({
        TableName: tables.config.tableName,
        Item: {
          connector_id: 'old-layout',
          version: 7,
          config: legacy,
          published_at: '2025-01-01T00:00:00.000Z',
        },
      }),
    );

    const history = await configHistory(tables.config, 'old-layout');

    expect(history).toEqual([
      {
        version: 7,
        published_at: '2025-01-01T00:00:00.000Z',
        flows: 1,
        added: ['compass_company_upsert'],
        removed: [],
        changed: [],
      },
    ]);
  });

  it('says so when the connector has no published config', async () => {
    await expect(configHistory(tables.config, 'nobody')).rejects.toBeInstanceOf(ConfigNotFoundError);
  });
});

describe('diffVersions', () => {
  it('compares two stored versions, and the current one by default', async () => {
    await publishThree('diffed');

    const explicit = await diffVersions(tables.config, 'diffed', 1, 2);
    const toCurrent = await diffVersions(tables.config, 'diffed', 2);
    const same = await diffVersions(tables.config, 'diffed', 3, 3);

    expect(explicit.diff.flows).toMatchObject({ added: ['c'], removed: [], changed: [{ name: 'a' }] });
    expect(toCurrent).toMatchObject({ from: 2, to: 3, diff: { flows: { removed: ['b'] } } });
    expect(same.diff.equal).toBe(true);
  });

  it('names the stored versions when asked for one that is not stored', async () => {
    await publishThree('missing-version');

    const error = await diffVersions(tables.config, 'missing-version', 9).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigVersionNotFoundError);
    expect((error as Error).message).toBe(
      'connector "missing-version" has no stored version 9 (stored: 3, 2, 1)',
    );
  });
});

describe('rollbackConfig', () => {
  it("publishes an old version's content as the next version, with its manifest, and the worker runs it", async () => {
    const [v1] = await publishThree('rolled');
    const store = createConfigStore({
      ...tables.config,
      targetFactory: createRecordingTargets().factory,
      ttlSeconds: 0,
    });

    const result = await rollbackConfig(tables.config, 'rolled', 1, { manifests: tables.manifests });
    const stored = await readConfigItem(tables.config, 'rolled');
    const manifest = await readManifest(tables.manifests, 'rolled');
    const running = await store.get('rolled');

    expect(result).toMatchObject({ connectorId: 'rolled', version: 4, restoredFrom: 1 });
    expect(stored?.config).toEqual({ ...v1, version: 4 });
    expect(manifest).toEqual({ version: 4, manifest: buildManifest(validateConfig({ ...v1, version: 4 })) });
    expect(running.matchFlows('compass_inbound', 'upsert_company').map((f) => f.name)).toEqual(['a', 'b']);
    expect((await configHistory(tables.config, 'rolled'))[0]).toMatchObject({
      version: 4,
      added: ['b'],
      changed: ['a'],
    });
  });

  it('is refused under the version guard when another publish comes first', async () => {
    await publishThree('contested');
    const held = tables.proxy.hold('TransactWriteItems');

    const rollback = rollbackConfig(tables.config, 'contested', 1).catch((e: unknown) => e);
    await held.arrived; // the rollback has read version 3 and is about to make version 4 current
    await tables.config.client.send(
      new PutCommand({
        TableName: tables.config.tableName,
        Item: {
          connector_id: 'contested',
          version: 4,
          config: aConfig({ connector_id: 'contested', version: 4 }),
          published_at: 'x',
        },
      }),
    );
    held.release();
    const error = await rollback;

    expect(error).toBeInstanceOf(ConfigVersionConflictError);
    expect((error as Error).message).toContain('version 4 was not published because the stored version is 4');
    expect((await readConfigItem(tables.config, 'contested'))?.config).toEqual(
      aConfig({ connector_id: 'contested', version: 4 }),
    );
  });

  it('refuses a version that is not stored', async () => {
    await publishThree('unknown-target');

    await expect(rollbackConfig(tables.config, 'unknown-target', 12)).rejects.toBeInstanceOf(
      ConfigVersionNotFoundError,
    );
  });
});
