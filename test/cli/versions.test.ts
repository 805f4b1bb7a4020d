import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  buildManifest,
  createConfigTable,
  createManifestsTable,
  publishConfig,
  validateConfig,
} from '@flow-worker/runtime';
import { exampleConfig, runCli, tempFiles } from './run-cli.js';

const endpoint = inject('dynamodbEndpoint');
const env = { AWS_ENDPOINT_URL_DYNAMODB: endpoint };
let raw: DynamoDBClient;
let table: string;
let manifests: string;
let files: string;

/** The example config as versions 1, 2 (one flow paused), 3 (one flow removed). */
async function writeVersions(): Promise<string> {
  const v1 = await exampleConfig();
  const flows = v1.flows as { name: string; enabled?: boolean }[];
  const v2 = { ...v1, version: 2, flows: flows.map((f, i) => (i === 0 ? { ...f, enabled: false } : f)) };
  const v3 = { ...v2, version: 3, flows: v2.flows.filter((f) => f.name !== 'compass_company_delete') };
  return tempFiles({ 'v1.json': v1, 'v2.json': v2, 'v3.json': v3 });
}

const publish = (version: number, ...extra: string[]) =>
  runCli(['publish', join(files, `v${version}.json`), '--table', table, ...extra], { env });
/** Publishes versions in-process: the setup of the tests of other commands. */
async function publishVersions(versions: readonly number[], withManifests = false): Promise<void> {
  const client = DynamoDBDocumentClient.from(raw);
  for (const version of versions) {
    const document: unknown = JSON.parse(await readFile(join(files, `v${version}.json`), 'utf8'));
    await publishConfig(
      { client, tableName: table },
      document,
      withManifests ? { manifests: { client, tableName: manifests } } : {},
    );
  }
}

beforeAll(async () => {
  raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  files = await writeVersions();
});
afterAll(() => raw.destroy());
beforeEach(async () => {
  table = `cli-versions-${randomUUID()}`;
  manifests = `cli-manifests-${randomUUID()}`;
  await createConfigTable(raw, table);
  await createManifestsTable(raw, manifests);
});

describe('flow-worker publish --manifests-table', () => {
  it("writes the connector's manifest item with the config, and says where everything went", async () => {
    const result = await publish(1, '--manifests-table', manifests, '--json');
    const { Item } = await DynamoDBDocumentClient.from(raw).send(
      new GetCommand({ TableName: manifests, Key: { connector_id: 'acme' } }),
    );

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      table,
      manifests_table: manifests,
      connector_id: 'acme',
      version: 1,
      stored: { chunks: 1, inline: true },
      pruned: [],
    });
    expect(Item).toEqual({
      connector_id: 'acme',
      version: 1,
      manifest: buildManifest(validateConfig(await exampleConfig())),
    });
  });

  it('names a missing manifests table', async () => {
    const result = await publish(1, '--manifests-table', 'no-such-table');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not exist');
  });
});

describe('flow-worker history', () => {
  it('lists the published versions newest first, with the flows each changed (JSON)', async () => {
    const exampleFlows = (await exampleConfig()).flows.map((flow) => (flow as { name: string }).name);
    await publishVersions([1, 2, 3]);

    const result = await runCli(['history', '--table', table, '--connector', 'acme', '--json'], { env });

    expect(result.code).toBe(0);
    const { versions } = JSON.parse(result.stdout) as { versions: Record<string, unknown>[] };
    expect(versions.map((v) => Object.keys(v))).toEqual(
      Array(3).fill(['version', 'published_at', 'flows', 'added', 'removed', 'changed']),
    );
    expect(versions.map(({ published_at: _, ...rest }) => rest)).toEqual([
      {
        version: 3,
        flows: exampleFlows.length - 1,
        added: [],
        removed: ['compass_company_delete'],
        changed: [],
      },
      { version: 2, flows: exampleFlows.length, added: [], removed: [], changed: ['compass_company_upsert'] },
      { version: 1, flows: exampleFlows.length, added: exampleFlows, removed: [], changed: [] },
    ]);
  });

  it('prints one line per version and its changes by name', async () => {
    const flows = (await exampleConfig()).flows.length;
    await publishVersions([1, 2]);

    const result = await runCli(['history', '--table', table, '--connector', 'acme'], { env });

    expect(result.stdout).toMatch(
      /^connector "acme" in table .*: 2 versions stored \(the last 20 are kept\)\n/,
    );
    expect(result.stdout).toMatch(
      new RegExp(`version 2 {2}\\S+ {2}${flows} flows {2}\\(current\\)\\n {2}~ compass_company_upsert\\n`),
    );
  });

  it('fails, naming the table, for a connector without a published config', async () => {
    const result = await runCli(['history', '--table', table, '--connector', 'nobody'], { env });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`table ${table} has no published config for connector "nobody"`);
  });
});

describe('flow-worker rollback', () => {
  it("publishes an old version's content as the next version, with its manifest (JSON)", async () => {
    await publishVersions([1, 2, 3], true);

    const result = await runCli(
      [
        'rollback',
        '--table',
        table,
        '--connector',
        'acme',
        '--to',
        '1',
        '--manifests-table',
        manifests,
        '--json',
      ],
      { env },
    );
    const diff = await runCli(['diff', '--table', table, '--connector', 'acme', '--from', '1'], { env });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ connector_id: 'acme', version: 4, restored_from: 1 });
    expect(diff.stdout).toBe('version: 1 → 4\n');
  });

  it('names the stored versions when the one asked for is not stored', async () => {
    await publishVersions([1]);

    const result = await runCli(['rollback', '--table', table, '--connector', 'acme', '--to', '7'], { env });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('connector "acme" has no stored version 7 (stored: 1)');
  });
});

describe('flow-worker diff of published versions', () => {
  it('exits 1 when the versions differ, 0 when they are the same, 2 when it cannot compare', async () => {
    await publishVersions([1, 2]);
    const diff = (...args: string[]) =>
      runCli(['diff', '--table', table, '--connector', 'acme', ...args], { env });

    const [different, same, missing, withFile, noFrom] = await Promise.all([
      diff('--from', '1', '--to', '2'),
      diff('--from', '2'),
      diff('--from', '9'),
      diff('--from', '1', 'examples/acme.config.json'),
      diff('--to', '2'),
    ]);

    expect(different.code).toBe(1);
    expect(different.stdout).toBe(
      'version: 1 → 2\nflows:\n  ~ compass_company_upsert\n      enabled: true → false\n',
    );
    expect(same).toMatchObject({ code: 0, stdout: 'no differences\n' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no stored version 9 (stored: 2, 1)');
    expect(withFile.code).toBe(2);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('give --table, --connector and --from');
  });
});

describe('flow-worker validate and publish on limits', () => {
  it('warns when a config is close to a limit, naming it, and still accepts it', async () => {
    const config = await exampleConfig();
    const [flow] = config.flows as { steps: { id: string }[] }[];
    const steps = Array.from({ length: 85 }, (_, i) => ({ ...flow!.steps[0]!, id: `step_${i}` }));
    const dir = tempFiles({
      'close.json': { ...config, flows: [{ ...flow, steps }, ...config.flows.slice(1)] },
    });

    const result = await runCli(['validate', join(dir, 'close.json')]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '  warning flows[0].steps: the flow has 85 steps, close to the limit of 100 steps (stepsPerFlow)',
    );
  });

  it('refuses the same config in validate and publish when it is over a limit', async () => {
    const config = await exampleConfig();
    const dir = tempFiles({ 'hash.json': { ...config, connector_id: 'acme#eu' } });

    const [validated, published] = await Promise.all([
      runCli(['validate', join(dir, 'hash.json')]),
      runCli(['publish', join(dir, 'hash.json'), '--table', table], { env }),
    ]);

    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain('connector_id: a connector id cannot contain "#"');
    expect(published.code).toBe(1);
    expect(published.stderr).toContain('connector_id: a connector id cannot contain "#"');
  });
});
