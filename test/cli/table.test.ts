import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { createConfigTable } from '@flow-worker/runtime';
import { exampleConfig, runCli, tempFiles } from './run-cli.js';

const endpoint = inject('dynamodbEndpoint');
const env = { AWS_ENDPOINT_URL_DYNAMODB: endpoint };
let table: string;

beforeEach(async () => {
  table = `cli-${randomUUID()}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createConfigTable(client, table);
  client.destroy();
});

describe('flow-worker publish', () => {
  it('writes a valid config, then refuses the same version naming both versions', async () => {
    const first = await runCli(['publish', 'examples/acme.config.json', '--table', table], { env });
    const again = await runCli(['publish', 'examples/acme.config.json', '--table', table], { env });

    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`published connector "acme" version 1 to table ${table}`);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('version 1 was not published because the stored version is 1');
  });

  it('refuses an older version after a newer one', async () => {
    const config = await exampleConfig();
    const dir = tempFiles({ 'v3.json': { ...config, version: 3 } });
    await runCli(['publish', join(dir, 'v3.json'), '--table', table], { env });

    const stale = await runCli(['publish', 'examples/acme.config.json', '--table', table, '--json'], { env });

    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('version 1 was not published because the stored version is 3');
  });

  it('does not write an invalid config and lists its problems', async () => {
    const config = await exampleConfig();
    const dir = tempFiles({
      'bad.json': { ...config, flows: [{ ...(config.flows[0] as object), source: 'nope' }] },
    });

    const result = await runCli(['publish', join(dir, 'bad.json'), '--table', table], { env });
    const diff = await runCli(['diff', 'examples/acme.config.json', '--table', table], { env });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('flows[0].source');
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('has no published config for connector "acme"');
  });
});

describe('flow-worker diff --table', () => {
  it('compares a file with the stored config: 0 when equal, 1 when different', async () => {
    await runCli(['publish', 'examples/acme.config.json', '--table', table], { env });
    const config = await exampleConfig();
    const dir = tempFiles({ 'v2.json': { ...config, version: 2 } });

    const same = await runCli(['diff', 'examples/acme.config.json', '--table', table], { env });
    const changed = await runCli(['diff', join(dir, 'v2.json'), '--table', table], { env });

    expect(same.code).toBe(0);
    expect(same.stdout).toBe('no differences\n');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('version: 1 → 2');
  });
});

describe('flow-worker invoke --table', () => {
  it('runs the handler with the config stored in the table (dry run)', async () => {
    await runCli(['publish', 'examples/acme.config.json', '--table', table], { env });

    const result = await runCli(
      [
        'invoke',
        '--queue',
        'outbound-sync',
        '--event',
        'events/outbound.json',
        '--table',
        table,
        '--dry-run',
      ],
      { env },
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('flow erp_account_sync: completed');
    expect(result.stdout).toContain('upsert account website=acme.test');
  });
});
