import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publishConfig, readConfigItem } from '@flow-worker/runtime';
import { threeStepConfig } from '../../../bench/lib/fixtures.js';
import { createTestTables, withNoise, type TestTables } from '../../support/tables.js';

/**
 * A reader racing a publish sees the old version or the new one, whole. Every version here is
 * three chunk items of random bytes, so a reader that mixed chunks of two versions would fail the
 * digest check, and one that returned a document would return the wrong one.
 */
let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables(inject('dynamodbEndpoint'), 'race');
});
afterAll(() => tables.close());

const version = (connectorId: string, n: number) =>
  withNoise(threeStepConfig({ connectorId, flows: 20, version: n }), 1_200_000);

describe('a reader racing a publish', () => {
  it('sees the old version until the head flips, and the new one after, each whole', async () => {
    const v1 = version('flip', 1);
    const v2 = version('flip', 2);
    await publishConfig(tables.config, v1);
    const held = tables.proxy.hold('TransactWriteItems');

    const publishing = publishConfig(tables.config, v2);
    await held.arrived; // every chunk of v2 is written; the head still names v1
    const during = await readConfigItem(tables.config, 'flip');
    held.release();
    await publishing;
    const after = await readConfigItem(tables.config, 'flip');

    expect(during?.config).toEqual(v1);
    expect(after?.config).toEqual(v2);
  });

  it('never returns a mix of two versions, however the reads interleave with publishes', async () => {
    const versions = Array.from({ length: 6 }, (_, i) => version('interleaved', i + 1));
    await publishConfig(tables.config, versions[0]);
    let publishing = true;

    const reads: unknown[] = [];
    const reader = async () => {
      while (publishing) reads.push((await readConfigItem(tables.config, 'interleaved'))?.config);
    };
    const readers = Array.from({ length: 8 }, reader);
    for (const next of versions.slice(1)) await publishConfig(tables.config, next);
    publishing = false;
    await Promise.all(readers);

    expect(reads.length).toBeGreaterThan(versions.length);
    for (const read of reads) {
      const n = (read as { version: number }).version;
      expect(read).toEqual(versions[n - 1]);
    }
    expect(new Set(reads.map((r) => (r as { version: number }).version)).size).toBeGreaterThan(1);
  });
});
