import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publishConfig, type ConnectorConfigInput, type SqsHandler } from '@flow-worker/runtime';
import { startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { startRealHandler, type HandledBatch, type RealHandler } from '../../support/real-handler.js';
import { anEnvelopeBody, anSqsRecord } from '../../unit/lambda/sqs-fixtures.js';

/**
 * What a hostile producer gets from the real handler: every message ends delivered intact, or
 * dead-lettered at once with a reason that names the problem, never retried for what cannot change
 * and never as an internal error. Targets are real HTTP servers on 127.0.0.1.
 */

let local: RealHandler;
let api: TestHttpServer;
let handler: SqsHandler;

function hostileConfig(): ConnectorConfigInput {
  return {
    connector_id: 'hostile',
    version: 1,
    sources: [{ name: 'producer' }],
    targets: [{ name: 'erp', kind: 'http', base_url: `${api.url}/api` }],
    flows: [
      {
        name: 'accounts',
        source: 'producer',
        event_type: 'account_changed',
        steps: [
          {
            id: 'upsert',
            action: 'upsert',
            target: 'erp',
            entity: 'accounts',
            id_property: 'id',
            data: '$',
          },
        ],
      },
      {
        name: 'account_removal',
        source: 'producer',
        event_type: 'account_removed',
        steps: [{ id: 'delete', action: 'delete', target: 'erp', entity: 'accounts', record_id: '$.id' }],
      },
    ],
  };
}

/** An envelope for connector `hostile` whose payload is the given JSON text, written as is. */
function bodyWithPayload(payloadText: string, overrides: Record<string, unknown> = {}): string {
  return anEnvelopeBody({
    connector_id: 'hostile',
    source_name: 'producer',
    event_type: 'account_changed',
    payload: '§payload§',
    ...overrides,
  }).replace('"§payload§"', payloadText);
}

async function run(...bodies: string[]): Promise<HandledBatch> {
  // Fresh message ids: the DLQ deduplicates on them (FIFO), as SQS does.
  const records = bodies.map((body) => anSqsRecord({ body, groupId: 'g' }));
  return local.invoke(handler, records);
}

const reasonOf = (batch: HandledBatch, index = 0) => ({
  errorClass: batch.deadLetters[index]?.attributes.error_class?.StringValue,
  errorMessage: batch.deadLetters[index]?.attributes.error_message?.StringValue,
});

beforeAll(async () => {
  local = await startRealHandler(inject('dynamodbEndpoint'));
  api = await startHttpServer();
  await publishConfig(local.table, hostileConfig(), { allowTargetAddresses: ['loopback'] });
  handler = await local.coldHandler();
});

afterAll(async () => {
  await Promise.all([local.close(), api.close()]);
});

describe('numbers a double cannot hold', () => {
  it('reach the target exactly as the producer wrote them, in the path and in the body', async () => {
    // Prepare
    const before = api.requests.length;
    // Act
    const batch = await run(
      bodyWithPayload('{"id":9007199254740993,"revenue":1e400,"owner":12345678901234567891}'),
    );
    // Assess
    expect(batch.response).toEqual({ batchItemFailures: [] });
    const [request] = api.requests.slice(before);
    expect(`${request?.method} ${request?.path}`).toBe('PUT /api/accounts/9007199254740993');
    expect(request?.body).toBe('{"id":9007199254740993,"revenue":1e400,"owner":12345678901234567891}');
  });
});

describe('record ids that look like paths', () => {
  it.each(['..', '.', 'a/b', '../../admin', '%2F', '?q=1', '#top', 'a b'])(
    'delivers id %j intact, in its own path segment',
    async (id) => {
      // Prepare
      const before = api.requests.length;
      // Act
      const batch = await run(bodyWithPayload(JSON.stringify({ id })));
      // Assess
      expect(batch.response).toEqual({ batchItemFailures: [] });
      const [request] = api.requests.slice(before);
      expect(request?.method).toBe('PUT');
      expect(request?.path.split('/')).toHaveLength(4);
      expect(request?.path.startsWith('/api/accounts/')).toBe(true);
      expect(decodeURIComponent(request?.path.split('/')[3] ?? '')).toBe(id);
    },
  );

  it('deletes the record ".." at /api/accounts/%2E%2E, never at /api/', async () => {
    // Prepare
    const before = api.requests.length;
    // Act
    await run(bodyWithPayload('{"id":".."}', { event_type: 'account_removed' }));
    // Assess
    expect(api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /api/accounts/%2E%2E',
    ]);
  });

  it('dead-letters an id no URL can carry (an unpaired surrogate) as permanent, saying so', async () => {
    // Act
    const batch = await run(bodyWithPayload('{"id":"a\\ud800"}'));
    // Assess
    expect(reasonOf(batch)).toEqual({
      errorClass: 'permanent',
      errorMessage:
        'http target "erp": upsert accounts cannot put the record id in a URL: it contains an unpaired UTF-16 surrogate',
    });
  });
});

describe('payloads nested too deep', () => {
  it.each([513, 5_000, 100_000])(
    'dead-letters a payload nested %i levels as poison at once, naming the limit',
    async (depth) => {
      // Prepare
      const before = api.requests.length;
      // Act
      const batch = await run(bodyWithPayload('['.repeat(depth) + ']'.repeat(depth)));
      // Assess
      expect(batch.response).toEqual({ batchItemFailures: [] });
      expect(reasonOf(batch)).toEqual({
        errorClass: 'poison',
        errorMessage: 'invalid envelope: payload must be nested at most 512 levels deep',
      });
      expect(api.requests.length).toBe(before);
    },
  );

  it('dead-letters a deep payload for its depth also when it carries numbers too long for a double', async () => {
    // Act
    const batch = await run(
      bodyWithPayload(`{"n":12345678901234567890,"deep":${'['.repeat(5_000)}${']'.repeat(5_000)}}`),
    );
    // Assess
    expect(reasonOf(batch)).toEqual({
      errorClass: 'poison',
      errorMessage: 'invalid envelope: payload must be nested at most 512 levels deep',
    });
  });

  it('delivers a payload nested 512 levels, the most accepted', async () => {
    // Prepare
    const deep = '{"a":'.repeat(511) + '1' + '}'.repeat(511);
    // Act
    const batch = await run(bodyWithPayload(`{"id":"deep","nested":${deep}}`));
    // Assess
    expect(batch.response).toEqual({ batchItemFailures: [] });
    expect(batch.deadLetters).toEqual([]);
    expect(api.requests.at(-1)?.path).toBe('/api/accounts/deep');
  });
});

describe('connector ids no config can have', () => {
  it.each([
    ['longer than DynamoDB keys allow', 'a'.repeat(3_000), 'must be at most 128 characters'],
    ['of 129 characters', 'a'.repeat(129), 'must be at most 128 characters'],
    ['with an unpaired surrogate', 'acme\uD800', 'must be well-formed Unicode text'],
  ])(
    'dead-letters an envelope whose connector_id is %s as poison, without reading the table',
    async (_what, id, reason) => {
      // Prepare
      local.dynamodb.reset();
      // Act
      const batch = await run(bodyWithPayload('{"id":"x"}', { connector_id: id }));
      // Assess
      expect(batch.response).toEqual({ batchItemFailures: [] });
      expect(reasonOf(batch).errorClass).toBe('poison');
      expect(reasonOf(batch).errorMessage).toContain(`invalid envelope: connector_id ${reason}`);
      expect(local.dynamodb.count('GetItem')).toBe(0);
    },
  );
});

describe('bodies that are not envelopes', () => {
  it.each([
    ['null', 'message body must be a JSON object (an envelope), got null'],
    ['[]', 'message body must be a JSON object (an envelope), got an array'],
    ['"text"', 'message body must be a JSON object (an envelope), got string'],
  ])('dead-letters a body of %s as poison, saying what it got', async (body, message) => {
    // Act
    const batch = await run(body);
    // Assess
    expect(batch.response).toEqual({ batchItemFailures: [] });
    expect(reasonOf(batch)).toEqual({ errorClass: 'poison', errorMessage: message });
  });
});

describe('targets pointed where the network guard refuses', () => {
  it.each([
    [
      'the instance metadata address',
      'http://169.254.169.254/latest',
      '169.254.169.254 is a link-local address',
    ],
    [
      'a URL with credentials',
      'https://user:pass@erp.example.test/api',
      'must not contain a user name or password',
    ],
    [
      'a private address the deployment does not allow',
      'http://10.0.0.5/api',
      '10.0.0.5 is a private address',
    ],
  ])(
    'dead-letters the messages of a stored config whose target is %s, as permanent, naming the field',
    async (_what, baseUrl, reason) => {
      // Prepare: written straight into the table, as an older tool or a hand edit could have.
      const connectorId = `guard-${Math.random().toString(36).slice(2)}`;
      const config = {
        ...hostileConfig(),
        connector_id: connectorId,
        targets: [{ name: 'erp', kind: 'http', base_url: baseUrl }],
      };
      await local.table.client.send(
        new PutCommand({
          TableName: local.table.tableName,
          Item: { connector_id: connectorId, version: 1, config, published_at: '2026-11-25T00:00:00Z' },
        }),
      );
      const before = api.requests.length;
      // Act
      const batch = await run(bodyWithPayload('{"id":"a-1"}', { connector_id: connectorId }));
      // Assess
      expect(batch.response).toEqual({ batchItemFailures: [] });
      expect(reasonOf(batch).errorClass).toBe('permanent');
      expect(reasonOf(batch).errorMessage).toContain(`targets[0].base_url: ${reason}`);
      expect(reasonOf(batch).errorMessage).not.toContain('pass@');
      expect(api.requests.length).toBe(before);
    },
  );
});
