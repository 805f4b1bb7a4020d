import { spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createConfigTable,
  createManifestsTable,
  deadLetterMessage,
  type DeadLetterReason,
} from '@flow-worker/runtime';
import { fifoRecord } from '../../cli/sqs-event.js';
import { startLocalSqs, type LocalSqs } from '../../cli/local/sqs-server.js';
import { baseEnv } from '../cli/run-cli.js';
import { ROOT, docPages, readPage } from './pages.js';

/**
 * Runs every example of README.md and docs/*.md marked `<!-- readme-test -->` (or
 * `<!-- readme-test exit=N -->`) just before a ```console block: the `$ ` line (continued by a
 * trailing `\`) is the command, the rest is output that must appear, line by line, once volatile
 * values (ids, ports, times) are masked. Lines that are only `…` mark shortened output.
 */
interface Example {
  readonly page: string;
  readonly command: string;
  readonly expected: readonly string[];
  readonly exit: number;
}

const MARKED_BLOCK = /<!-- readme-test(?: exit=(\d+))? -->\n+```console\n([\s\S]*?)\n```/g;

function examples(page: string): Example[] {
  return [...readPage(page).matchAll(MARKED_BLOCK)].map(([, exit, body = '']) => {
    const lines = body.split('\n');
    const commandLines: string[] = [];
    let line = (lines.shift() ?? '').replace(/^\$ /, '');
    while (line.endsWith('\\')) {
      commandLines.push(line.slice(0, -1));
      line = lines.shift() ?? '';
    }
    commandLines.push(line);
    return { page, command: commandLines.join(' '), expected: lines, exit: Number(exit ?? 0) };
  });
}

/** Masks what changes from run to run. */
function normalize(text: string): string {
  return (
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/\b[0-9a-f]{32}\b/g, '<md5>')
      .replace(/"\d{13,}"/g, '"<n>"')
      // Durations, with the padding that right-aligns them.
      .replace(/ *\d+ ms\b/g, ' <n> ms')
      // Ages of dead-letter messages.
      .replace(/\b\d+ (s|min|h|d)$/gm, '<age>')
      .replace(/"age_seconds": \d+/g, '"age_seconds": <n>')
      .replace(/[ \t]+$/gm, '')
  );
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => done({ code, output }));
  });
}

const TABLE = 'flow-worker-config-dev';
const MANIFESTS_TABLE = 'flow-worker-manifests-dev';
const endpoint = inject('dynamodbEndpoint');
const env = baseEnv({ AWS_ENDPOINT_URL_DYNAMODB: endpoint });
let sqs: LocalSqs;

/**
 * The dead-letter queue the `dlq` examples read, `$DLQ` in their commands: a local SQS holding
 * three dead letters in the handler's own format.
 */
async function seedDeadLetterQueue(): Promise<void> {
  sqs = await startLocalSqs();
  sqs.createQueue('inbound-sync.fifo');
  const dlqUrl = sqs.createQueue('inbound-sync-dlq.fifo');
  const client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const envelope = (eventId: string, payload: unknown) =>
    JSON.stringify({
      connector_id: 'acme',
      source_name: 'compass_inbound',
      event_type: 'upsert_company',
      event_id: eventId,
      payload,
    });
  const letters: [string, string, DeadLetterReason][] = [
    [
      'evt-acme-0102',
      envelope('evt-acme-0102', { payload: { name: 'Unavailable Ltd', domain: 'unavailable.test' } }),
      {
        errorClass: 'exhausted',
        errorMessage:
          'still failing on receive 197, the last one (MAX_RECEIVE_COUNT 197): hubspot target "hubspot": upsert company failed: HTTP 503 (SERVICE_UNAVAILABLE)',
        flow: 'compass_company_upsert',
        step: 'upsert_hubspot',
      },
    ],
    [
      'evt-acme-0101',
      envelope('evt-acme-0101', { payload: { name: 'Nameless Inc' } }),
      {
        errorClass: 'permanent',
        errorMessage:
          'flow "compass_company_upsert" step "upsert_hubspot": id_property "domain" has no usable value in data (got nothing)',
        flow: 'compass_company_upsert',
        step: 'upsert_hubspot',
      },
    ],
    [
      'evt-poison',
      '{"connector_id": "acme", this is not JSON',
      { errorClass: 'poison', errorMessage: 'message body is not JSON' },
    ],
  ];
  for (const [eventId, body, reason] of letters) {
    const record = fifoRecord('inbound-sync', {
      body,
      messageGroupId: 'acme',
      messageDeduplicationId: eventId,
    });
    await client.send(new SendMessageCommand(deadLetterMessage(record, reason, dlqUrl)));
  }
  client.destroy();
  Object.assign(env, { AWS_ENDPOINT_URL_SQS: sqs.endpoint, DLQ: dlqUrl });
}

afterAll(() => sqs.close());

beforeAll(async () => {
  await seedDeadLetterQueue();
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createConfigTable(client, TABLE);
  await createManifestsTable(client, MANIFESTS_TABLE);
  client.destroy();
});

describe('console examples in README.md and docs/', () => {
  // Page order (README.md, then docs/ by name), then order within a page: later examples may rely
  // on earlier ones (publish, then diff against the published config).
  const found = docPages().flatMap(examples);

  it('has runnable examples for npm start and every command', () => {
    const commands = found.map((e) => e.command).join('\n');
    expect(commands).toContain('npm start');
    for (const command of [
      'validate',
      'invoke',
      'generate-event',
      'publish',
      'history',
      'rollback',
      'diff',
      'manifest',
      'dlq list',
      'dlq redrive',
    ]) {
      expect(commands).toContain(`flow-worker -- ${command}`);
    }
  });

  for (const [index, example] of found.entries()) {
    it(`${example.page} #${index + 1} \`${example.command.slice(0, 80)}\` exits ${example.exit} with the documented output`, async () => {
      const result = await run(example.command, env);

      expect(result.code, result.output).toBe(example.exit);
      const actual = normalize(result.output);
      for (const line of example.expected) {
        if (line.trim() === '' || line.trim() === '…') continue;
        expect(actual, `${example.page} line not in the output: ${line}`).toContain(normalize(line));
      }
    });
  }
});
