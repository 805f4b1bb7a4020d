import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { publishConfig, type ConnectorConfigInput } from '@flow-worker/runtime';
import type { SQSEvent } from 'aws-lambda';
import { inject } from 'vitest';
import { startLocalSqs } from '../../cli/local/sqs-server.js';
import { anEnvelopeBody, anSqsEvent, anSqsRecord } from '../unit/lambda/sqs-fixtures.js';
import { createTestTables } from '../support/tables.js';
import { buildStack } from './support/synth.js';

const credentials = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

/** A local SQS and a config table of its own in the suite's dynalite, holding `config` when given. */
async function localServices(config?: ConnectorConfigInput) {
  const tables = await createTestTables(inject('dynamodbEndpoint'), 'bundle-test');
  if (config !== undefined) await publishConfig(tables.config, config);
  const sqs = await startLocalSqs();
  return {
    sqs,
    dynamodbEndpoint: tables.proxy.endpoint,
    tableName: tables.config.tableName,
    close: () => Promise.all([sqs.close(), tables.close()]),
  };
}

/** Imports the bundle in `dir` in a fresh Node and answers the value of `expression` after it. */
async function afterImport(dir: string, expression: string): Promise<unknown> {
  const script = `await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
process.stdout.write(JSON.stringify(${expression}));`;
  const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      ...credentials,
      CONFIG_TABLE_NAME: 'bundle-test',
      DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bundle-test-dlq.fifo',
      RUN_STATE_TABLE_NAME: 'bundle-test-run-state',
    },
  });
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as unknown;
}

/** Imports a bundle in a fresh Node, runs its handler on `event`, and returns the JSON lines it logged. */
async function runBundle(
  file: string,
  event: SQSEvent,
  env: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 30000 };
await handler(JSON.parse(process.env.EVENT), context);
process.exit(0);`;
  // Asynchronous: the local SQS the bundle talks to runs in this process.
  const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...credentials, ...env, EVENT: JSON.stringify(event) },
  });
  return `${child.stdout}\n${child.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// The one CDK test that really runs esbuild (the others skip bundling): it proves the handlers bundle
// as ES modules for nodejs24.x without Docker, with the options the construct sets.
describe('handler bundles', () => {
  let outdir: string;
  let bundles: { dir: string; code: string }[];

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'flow-worker-cdk-'));
    const app = new App({ outdir });
    buildStack({}, app);
    // A plain App (no cdk.json context) is enough here: the flags do not change how assets bundle.
    app.synth();
    bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory())
      .map((name) => ({
        dir: join(outdir, name),
        code: readFileSync(join(outdir, name, 'index.mjs'), 'utf8'),
      }));
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('produces one ESM bundle per handler', () => {
    expect(bundles).toHaveLength(2);
  });

  it('starts each bundle with the createRequire banner, so bundled CommonJS can require', () => {
    for (const { code } of bundles) {
      expect(
        code.startsWith(
          "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
    }
  });

  it('exports handler as an ES module with the AWS SDK inside, not imported from the runtime', () => {
    for (const { code } of bundles) {
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\s*\}/);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\/|import\(\s*["']@aws-sdk\//);
      expect(code).toContain('DynamoDB_20120810');
      expect(code).not.toContain('module.exports');
    }
  });

  it('logs the real error class names, although the bundle is minified', async () => {
    // Prepare: the inbound bundle, a config table without the connector, and a local DLQ.
    const inbound = bundles.find(({ code }) => code.includes('inbound-sync'));
    const { sqs, dynamodbEndpoint, tableName, close } = await localServices();
    const records = [
      anSqsRecord({ messageId: 'poison', groupId: 'a', body: 'not json' }),
      anSqsRecord({
        messageId: 'unknown-connector',
        groupId: 'b',
        body: anEnvelopeBody({ connector_id: 'ghost' }),
      }),
    ];

    // Act: a fresh Node imports the bundle, as Lambda does, and runs one batch.
    const lines = await runBundle(join(inbound!.dir, 'index.mjs'), anSqsEvent(records), {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CONFIG_TABLE_NAME: tableName,
      DLQ_URL: sqs.createQueue('bundle-test-dlq.fifo'),
    });
    await close();

    // Assess
    expect(
      lines.filter((line) => 'outcome' in line).map((line) => [line.message_id, line.error_name]),
    ).toEqual([
      ['poison', 'PoisonMessageError'],
      ['unknown-connector', 'ConfigNotFoundError'],
    ]);
  });

  it('runs a published config: validation, compiler and targets load from their chunks', async () => {
    // Prepare: a config table holding a published config, and a record its flow matches.
    const inbound = bundles.find(({ code }) => code.includes('inbound-sync'));
    const { sqs, dynamodbEndpoint, tableName, close } = await localServices({
      connector_id: 'acme',
      version: 1,
      sources: [{ name: 'compass_inbound' }],
      targets: [{ name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' }],
      flows: [
        {
          name: 'bundled',
          source: 'compass_inbound',
          event_type: 'upsert_company',
          steps: [
            { id: 'map', action: 'transform', data: { name: '$.payload.name' } },
            // Acme's record is filtered out: the compiled condition ran, and the line lists the steps.
            {
              id: 'not_acme',
              action: 'filter',
              condition: { path: '$$.steps.map.name', not_equals: 'Acme' },
            },
          ],
        },
      ],
    });

    // Act
    const lines = await runBundle(
      join(inbound!.dir, 'index.mjs'),
      anSqsEvent([anSqsRecord({ messageId: 'compiled', groupId: 'a', body: anEnvelopeBody() })]),
      {
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        CONFIG_TABLE_NAME: tableName,
        DLQ_URL: sqs.createQueue('bundle-compile-dlq.fifo'),
      },
    );
    await close();

    // Assess
    const [line] = lines.filter((entry) => 'outcome' in entry);
    expect(line).toMatchObject({
      message_id: 'compiled',
      outcome: 'succeeded',
      flows_matched: ['bundled'],
      flows: [{ name: 'bundled', status: 'filtered', steps: [{ status: 'ok' }, { status: 'ok' }] }],
    });
  });

  it('does not evaluate zod when a bundle is imported: config validation loads with the first config', async () => {
    // zod v4 registers globalThis.__zod_globalConfig when its core module runs. Its schemas cost
    // tens of ms of CPU at import (docs/performance.md, cold start); the handler path keeps them lazy.
    for (const { dir } of bundles) {
      const zod = await afterImport(dir, 'globalThis.__zod_globalConfig !== undefined');
      expect({ zod }).toEqual({ zod: false });
    }
  });

  it("does not load node:stream/web when a bundle is imported: middy's one use of it is stood in for", async () => {
    // About 2 ms of a cold start (docs/performance.md); lib/shims/node-stream-web.ts stands in.
    for (const { dir } of bundles) {
      const webStreams = await afterImport(dir, "process.moduleLoadList.includes('NativeModule stream/web')");
      expect(webStreams).toBe(false);
    }
  });

  it('does not load undici when a bundle is imported: no ES import of node:http at init', async () => {
    // An ES import of node:http reads its lazy WebSocket export, which loads undici (with assert,
    // worker_threads, perf_hooks, http2): about 20 ms of a cold start (docs/performance.md).
    for (const { dir } of bundles) {
      const undici = await afterImport(
        dir,
        "process.moduleLoadList.includes('NativeModule internal/deps/undici/undici')",
      );
      expect(undici).toBe(false);
    }
  });

  it('puts config validation (zod) in a chunk that importing the bundle does not read', () => {
    for (const { dir } of bundles) {
      // Every file the entry imports statically, transitively: what a cold start reads.
      const read = new Set<string>();
      const visit = (file: string) => {
        if (read.has(file)) return;
        read.add(file);
        const code = readFileSync(join(dir, file), 'utf8');
        // Static imports only (`import{…}from"./…"`, `import"./…"`), not `import("./…")`.
        const imports = code.matchAll(
          /(?:^|[;}\n])\s*import\s*(?:[^"'()]*?from\s*)?["']\.\/(?:chunks\/)?([^"'/]+\.mjs)["']/g,
        );
        for (const [, name] of imports) visit(join('chunks', name!));
      };
      visit('index.mjs');
      const chunks = readdirSync(join(dir, 'chunks')).filter((name) => name.endsWith('.mjs'));
      const withZod = chunks.filter((name) =>
        readFileSync(join(dir, 'chunks', name), 'utf8').includes('__zod_globalConfig'),
      );
      expect(withZod.length).toBeGreaterThan(0);
      expect(read.size).toBeGreaterThan(1);
      for (const name of withZod) expect(read).not.toContain(join('chunks', name));
    }
  });

  it('ships a source map next to each bundle', () => {
    for (const { dir, code } of bundles) {
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).toContain('sourceMappingURL=index.mjs.map');
    }
  });
});

describe('handler bundles without source maps (sourceMaps: false)', () => {
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'flow-worker-cdk-nomaps-'));
    const app = new App({ outdir });
    buildStack({ sourceMaps: false }, app);
    app.synth();
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('ships no map and no reference to one', () => {
    const assets = readdirSync(outdir).filter(
      (name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory(),
    );
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const files = [
        'index.mjs',
        ...readdirSync(join(outdir, asset, 'chunks')).map((name) => join('chunks', name)),
      ];
      expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
      for (const file of files) {
        expect(readFileSync(join(outdir, asset, file), 'utf8')).not.toContain('sourceMappingURL');
      }
    }
  });
});
