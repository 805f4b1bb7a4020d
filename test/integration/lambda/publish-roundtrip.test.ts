import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readConfigItem } from '@flow-worker/runtime';
import { runCli } from '../../cli/run-cli.js';
import { startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { startRealHandler, type RealHandler } from '../../support/real-handler.js';
import { anEnvelopeBody, anSqsRecord } from '../../unit/lambda/sqs-fixtures.js';

/**
 * What `flow-worker validate` accepts, `flow-worker publish` stores and the real handler runs,
 * unchanged; what one refuses, the other refuses too. The CLI runs as a child process against the
 * shared dynalite; the handler reads the same table.
 */

let local: RealHandler;
let api: TestHttpServer;
let dir: string;
const LOOPBACK = ['--allow-target-addresses', 'loopback'];

/** A config whose transform builds an object with the keys DynamoDB's marshalling choked on. */
function oddKeysConfig(baseUrl: string): string {
  const config = {
    connector_id: 'odd-keys',
    version: 1,
    sources: [{ name: 'producer' }],
    targets: [{ name: 'erp', kind: 'http', base_url: baseUrl }],
    flows: [
      {
        name: 'odd',
        source: 'producer',
        event_type: 'changed',
        steps: [
          {
            id: 'shape',
            action: 'transform',
            data: { id: '$.id', constructor: '$.kind', __proto__: { constructor: { name: 'Set' } } },
          },
          {
            id: 'put',
            action: 'upsert',
            target: 'erp',
            entity: 'things',
            id_property: 'id',
            data: '$$.steps.shape',
          },
        ],
      },
    ],
  };
  // JSON.stringify of an object literal would drop "__proto__"; write it into the text instead.
  return JSON.stringify(config)
    .replace('"data":{"id":"$.id","constructor":"$.kind"}', '§')
    .replace('§', '"data":{"id":"$.id","constructor":"$.kind","__proto__":{"constructor":{"name":"Set"}}}');
}

function writeConfig(name: string, text: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  local = await startRealHandler(inject('dynamodbEndpoint'));
  api = await startHttpServer();
  dir = mkdtempSync(join(tmpdir(), 'flow-worker-roundtrip-'));
});
afterAll(() => Promise.all([local.close(), api.close()]));

const cliEnv = () => ({ AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint') });

describe('validate → publish → run', () => {
  it('publishes and runs a config whose data has the keys constructor and __proto__, unchanged', async () => {
    // Prepare
    const text = oddKeysConfig(`${api.url}/api`);
    expect(text).toContain('"__proto__":{"constructor":{"name":"Set"}}');
    const file = writeConfig('odd-keys', text);
    // Act
    const validated = await runCli(['validate', file, ...LOOPBACK]);
    const published = await runCli(['publish', file, '--table', local.table.tableName, ...LOOPBACK], {
      env: cliEnv(),
    });
    const handler = await local.coldHandler();
    const batch = await local.invoke(handler, [
      anSqsRecord({
        body: anEnvelopeBody({
          connector_id: 'odd-keys',
          source_name: 'producer',
          event_type: 'changed',
          payload: { id: 'r-1', kind: 'widget' },
        }),
      }),
    ]);
    // Assess
    expect(validated.code).toBe(0);
    expect(published.code).toBe(0);
    expect(published.stderr).toBe('');
    expect(JSON.stringify((await readConfigItem(local.table, 'odd-keys'))?.config)).toBe(text);
    expect(batch.response).toEqual({ batchItemFailures: [] });
    expect(api.requests.at(-1)?.path).toBe('/api/things/r-1');
    expect(api.requests.at(-1)?.body).toBe(
      '{"id":"r-1","constructor":"widget","__proto__":{"constructor":{"name":"Set"}}}',
    );
  });

  it.each([
    [
      'a top-level __proto__ key',
      JSON.stringify({ connector_id: 'x', version: 1, sources: [], flows: [] }).replace(
        '{',
        '{"__proto__":{},',
      ),
      'unknown field "__proto__"',
    ],
    [
      'a document nested 5,000 levels',
      `{"connector_id":"x","version":1,"sources":[],"flows":[],"x-deep":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      'is nested more than 32 levels deep',
    ],
    [
      'a record id beyond 2^53',
      JSON.stringify({ connector_id: 'x', version: 1, sources: [], flows: [], 'x-id': '§' }).replace(
        '"§"',
        '9007199254740993',
      ),
      'is the number 9007199254740993',
    ],
    [
      'a base_url with credentials',
      JSON.stringify({
        connector_id: 'x',
        version: 1,
        sources: [],
        targets: [{ name: 't', kind: 'http', base_url: 'https://u:p@erp.example.test' }],
        flows: [],
      }),
      'must not contain a user name or password',
    ],
  ])('refuses %s in validate and in publish alike, naming the problem', async (name, text, problem) => {
    // Prepare
    const file = writeConfig(name.replace(/\W+/g, '-'), text);
    // Act
    const validated = await runCli(['validate', file]);
    const published = await runCli(['publish', file, '--table', local.table.tableName], { env: cliEnv() });
    // Assess
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain(problem);
    expect(validated.stdout + validated.stderr).not.toContain('Maximum call stack');
    expect(published.code).toBe(1);
    expect(published.stderr).toContain(problem);
    expect(await readConfigItem(local.table, 'x')).toBeUndefined();
  });
});
