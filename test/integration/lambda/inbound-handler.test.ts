import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createConfigTable,
  publishConfig,
  type ConfigTable,
  type ConnectorConfigInput,
  type SqsHandler,
} from '@flow-worker/runtime';
import { startHttpTargetServer, type LocalHttpTarget } from '../../../cli/local/http-target-server.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../cli/local/secrets-server.js';
import { startLocalSqs, type LocalSqs } from '../../../cli/local/sqs-server.js';
import {
  aLambdaContext,
  anEnvelopeBody,
  anSqsEvent,
  anSqsRecord,
  loadSampleEvent,
} from '../../unit/lambda/sqs-fixtures.js';
import { startCountingProxy, type CountingProxy } from '../../../cli/local/counting-proxy.js';

/**
 * The real `lambdas/inbound-sync/handler.ts`, imported with its environment pointing at local
 * services over their real protocols: DynamoDB (dynalite, through a counting proxy), SQS and
 * Secrets Manager (the local emulators), and an HTTP target (a local JSON REST server).
 */

const TOKEN = 'local-erp-token';
/** The HTTP target runs on 127.0.0.1: publishing allows loopback explicitly. */
const LOOPBACK = { allowTargetAddresses: ['loopback'] } as const;
const SECRET_PAYLOAD_VALUE = 'Never-Log-This-Name-7f3a';

let proxy: CountingProxy;
let sqs: LocalSqs;
let secrets: LocalSecretsManager;
let http: LocalHttpTarget;
let raw: DynamoDBClient;
let table: ConfigTable;
let savedEnv: NodeJS.ProcessEnv;

function connectorConfig(
  connectorId: string,
  version = 1,
  accountsEntity = 'accounts',
): ConnectorConfigInput {
  return {
    connector_id: connectorId,
    version,
    sources: [{ name: 'compass_inbound' }, { name: 'flow_worker' }],
    targets: [
      { name: 'erp', kind: 'http', base_url: `${http.url}/api`, secret: `flow-worker/${connectorId}/erp` },
    ],
    flows: [
      {
        name: 'company_to_erp',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          {
            id: 'upsert_account',
            action: 'upsert',
            target: 'erp',
            entity: accountsEntity,
            id_property: 'domain',
            data: { domain: '$.payload.domain', name: '$.payload.name' },
          },
        ],
      },
      {
        name: 'company_audit',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          {
            id: 'audit',
            action: 'create',
            target: 'erp',
            entity: 'audit',
            data: { domain: '$.payload.domain' },
          },
          {
            id: 'announce',
            action: 'emit',
            queue: 'outbound-sync',
            source: 'flow_worker',
            event_type: 'company_audited',
            data: { domain: '$.payload.domain' },
          },
        ],
      },
      {
        name: 'contact_sync',
        source: 'compass_inbound',
        event_type: 'upsert_contact',
        enabled: false,
        steps: [
          {
            id: 'upsert_contact',
            action: 'upsert',
            target: 'erp',
            entity: 'contacts',
            id_property: 'email',
            data: '$.payload',
          },
        ],
      },
      {
        name: 'company_delete',
        source: 'compass_inbound',
        event_type: 'delete_company',
        steps: [
          {
            id: 'delete_account',
            action: 'delete',
            target: 'erp',
            entity: 'accounts',
            record_id: '$.payload.domain',
          },
        ],
      },
      {
        name: 'erp_account_sync',
        source: 'flow_worker',
        event_type: 'erp_account_changed',
        steps: [
          {
            id: 'upsert_erp',
            action: 'upsert',
            target: 'erp',
            entity: 'accounts',
            id_property: 'website',
            data: '$',
          },
        ],
      },
      {
        name: 'audit_acknowledged',
        source: 'flow_worker',
        event_type: 'company_audited',
        steps: [{ id: 'ack', action: 'create', target: 'erp', entity: 'audit_ack', data: '$' }],
      },
      {
        name: 'rejected_by_erp',
        source: 'compass_inbound',
        event_type: 'reject_me',
        steps: [
          { id: 'create_rejected', action: 'create', target: 'erp', entity: 'rejected', data: '$.payload' },
        ],
      },
    ],
  };
}

/** Imports a fresh copy of the real handler module (cold start) with the given extra environment. */
async function coldHandler(
  extraEnv: Record<string, string> = {},
  queue: 'inbound-sync' | 'outbound-sync' = 'inbound-sync',
): Promise<SqsHandler> {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    CONFIG_TABLE_NAME: table.tableName,
    DLQ_URL: sqs.queueUrl('flow-worker-dlq.fifo'),
    INBOUND_QUEUE_URL: sqs.queueUrl('inbound-sync.fifo'),
    OUTBOUND_QUEUE_URL: sqs.queueUrl('outbound-sync.fifo'),
    CONFIG_CACHE_TTL_SECONDS: '30',
    LOG_LEVEL: 'INFO',
    // The targets run on 127.0.0.1: allowed explicitly, as every local run allows them.
    ALLOW_TARGET_ADDRESSES: 'loopback',
    ...extraEnv,
  });
  vi.resetModules();
  const module = (await (queue === 'inbound-sync'
    ? import('../../../lambdas/inbound-sync/handler.js')
    : import('../../../lambdas/outbound-sync/handler.js'))) as { handler: SqsHandler };
  return module.handler;
}

/** Runs the handler and captures what it writes to stdout (Powertools log lines and EMF). */
async function invoke(handler: SqsHandler, event: SQSEvent) {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    return true;
  };
  // Powertools writes info and EMF to stdout, warnings and errors to stderr.
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    const response = await handler(event, aLambdaContext(60_000));
    return {
      response,
      output: lines.join('\n'),
      json: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const recordLines = (json: Record<string, unknown>[]) =>
  json.filter((line) => 'message_id' in line && 'outcome' in line);
/** Each record's logged outcome, in the event's record order (lines come in completion order). */
const outcomesOf = (event: SQSEvent, json: Record<string, unknown>[]) => {
  const byId = new Map(recordLines(json).map((line) => [line.message_id, line.outcome]));
  return event.Records.map((record) => byId.get(record.messageId));
};
const emf = (json: Record<string, unknown>[]) => json.filter((line) => '_aws' in line);
const requestsAfter = (index: number) => http.requests.slice(index).map((r) => `${r.method} ${r.path}`);

beforeAll(async () => {
  savedEnv = { ...process.env };
  proxy = await startCountingProxy(inject('dynamodbEndpoint'));
  sqs = await startLocalSqs();
  for (const queue of ['flow-worker-dlq.fifo', 'inbound-sync.fifo', 'outbound-sync.fifo'])
    sqs.createQueue(queue);
  secrets = await startLocalSecretsManager();
  for (const connector of ['acme', 'globex', 'initech', 'hooli'])
    secrets.putSecret(`flow-worker/${connector}/erp`, TOKEN);
  http = await startHttpTargetServer({
    token: TOKEN,
    fault: (request) =>
      request.url.pathname.startsWith('/api/rejected')
        ? { status: 422, body: { message: 'field "name" is required' } }
        : undefined,
  });
  raw = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  table = { client: DynamoDBDocumentClient.from(raw), tableName: `handlers-${randomUUID()}` };
  await createConfigTable(raw, table.tableName);
  for (const connector of ['acme', 'globex', 'initech'])
    await publishConfig(table, connectorConfig(connector), LOOPBACK);
});

afterAll(async () => {
  process.env = savedEnv;
  raw.destroy();
  await Promise.all([proxy.close(), sqs.close(), secrets.close(), http.close()]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('inbound-sync handler (real handler, local services)', () => {
  it('runs two matching flows in declared order, emits with FIFO ids, and acknowledges the record', async () => {
    const handler = await coldHandler();
    const before = http.requests.length;
    const record = anSqsRecord({
      messageId: 'm-two-flows',
      body: anEnvelopeBody({
        event_id: 'evt-two-flows',
        payload: { payload: { name: 'Acme', domain: 'acme.test' } },
      }),
    });

    const { response } = await invoke(handler, anSqsEvent([record]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(requestsAfter(before)).toEqual(['PUT /api/accounts/acme.test', 'POST /api/audit']);
    expect(http.requests.at(-1)?.headers.authorization).toBe('Bearer ***');
    const emitted = sqs.sent('outbound-sync.fifo').at(-1);
    expect(emitted?.messageGroupId).toBe('acme');
    expect(emitted?.messageDeduplicationId).toEqual(expect.any(String));
    expect(JSON.parse(emitted?.body ?? '{}')).toMatchObject({
      connector_id: 'acme',
      source_name: 'flow_worker',
      event_type: 'company_audited',
      payload: { domain: 'acme.test' },
    });
  });

  it('acknowledges a record no flow matches, calling nothing, and logs no_match', async () => {
    const handler = await coldHandler();
    const before = http.requests.length;

    const { response, json } = await invoke(
      handler,
      anSqsEvent([anSqsRecord({ body: anEnvelopeBody({ event_type: 'merge_companies' }) })]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(requestsAfter(before)).toEqual([]);
    expect(recordLines(json)).toEqual([expect.objectContaining({ outcome: 'no_match', flows_matched: [] })]);
  });

  it('does not run a disabled flow', async () => {
    const handler = await coldHandler();
    const before = http.requests.length;

    const { response, json } = await invoke(
      handler,
      anSqsEvent([
        anSqsRecord({
          body: anEnvelopeBody({
            event_type: 'upsert_contact',
            payload: { payload: { email: 'p@acme.test' } },
          }),
        }),
      ]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(requestsAfter(before)).toEqual([]);
    expect(recordLines(json)[0]).toMatchObject({ outcome: 'no_match' });
  });

  it('processes the sample multi-group event from events/', async () => {
    const handler = await coldHandler();
    const before = http.requests.length;

    const event = loadSampleEvent('inbound-multi-group');

    const { response, json } = await invoke(handler, event);

    expect(response).toEqual({ batchItemFailures: [] });
    const acmeRequests = requestsAfter(before).filter((r) => r.includes('acme.test'));
    expect(acmeRequests).toEqual([
      'PUT /api/accounts/acme.test',
      'PUT /api/accounts/acme.test',
      'DELETE /api/accounts/acme.test',
    ]);
    expect(outcomesOf(event, json)).toEqual(['succeeded', 'succeeded', 'succeeded', 'no_match', 'succeeded']);
  });

  it('reads DynamoDB once per connector for a 10-record batch over 3 connectors, and not at all when warm', async () => {
    const handler = await coldHandler();
    const connectors = [
      'acme',
      'globex',
      'initech',
      'acme',
      'globex',
      'initech',
      'acme',
      'globex',
      'initech',
      'acme',
    ];
    const batch = () =>
      anSqsEvent(
        connectors.map((connector, index) =>
          anSqsRecord({
            groupId: `${connector}-${index % 2}`,
            body: anEnvelopeBody({
              connector_id: connector,
              payload: { payload: { name: 'N', domain: `${connector}.test` } },
            }),
          }),
        ),
      );

    proxy.reset();
    const cold = await invoke(handler, batch());
    const coldReads = proxy.count('GetItem');
    proxy.reset();
    const warm = await invoke(handler, batch());
    const warmReads = proxy.count('GetItem');

    expect(cold.response).toEqual({ batchItemFailures: [] });
    expect(warm.response).toEqual({ batchItemFailures: [] });
    expect(coldReads).toBe(3);
    expect(warmReads).toBe(0);
    const metrics = emf(cold.json).at(-1) ?? {};
    expect(metrics).toMatchObject({
      ConfigCacheMisses: 3,
      ConfigCacheHits: 7,
      RecordsProcessed: 10,
      RecordsSucceeded: 10,
    });
    console.info(
      `GetItem calls for a 10-record batch over 3 connectors: cold ${coldReads}, warm ${warmReads}`,
    );
  });

  it('picks up a newly published version after the cache TTL', async () => {
    const handler = await coldHandler({ CONFIG_CACHE_TTL_SECONDS: '1' });
    await publishConfig(table, connectorConfig('hooli', 1), LOOPBACK);
    const event = () =>
      anSqsEvent([
        anSqsRecord({
          groupId: 'hooli',
          body: anEnvelopeBody({ connector_id: 'hooli', payload: { payload: { domain: 'g.test' } } }),
        }),
      ]);
    await invoke(handler, event());
    await publishConfig(table, connectorConfig('hooli', 2, 'accounts_v2'), LOOPBACK);
    const before = http.requests.length;

    await invoke(handler, event());
    const withinTtl = requestsAfter(before);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const afterTtlStart = http.requests.length;
    await invoke(handler, event());

    expect(withinTtl[0]).toBe('PUT /api/accounts/g.test');
    expect(requestsAfter(afterTtlStart)[0]).toBe('PUT /api/accounts_v2/g.test');
  });

  it('dead-letters the sample poison records with their reasons and processes the rest', async () => {
    const handler = await coldHandler();
    const event = loadSampleEvent('poison');
    const dlqBefore = sqs.sent('flow-worker-dlq.fifo').length;

    const { response, json } = await invoke(handler, event);

    expect(response).toEqual({ batchItemFailures: [] });
    const dead = sqs.sent('flow-worker-dlq.fifo').slice(dlqBefore);
    const byId = new Map(dead.map((m) => [m.messageDeduplicationId, m]));
    const poisonIds = event.Records.slice(0, 4).map((r) => r.messageId);
    const umbrella = event.Records[5] as SQSRecord;
    expect([...byId.keys()].sort()).toEqual([...poisonIds, umbrella.messageId].sort());
    for (const record of event.Records.slice(0, 4)) {
      const message = byId.get(record.messageId);
      expect(message?.body).toBe(record.body);
      expect(message?.messageGroupId).toBe('acme');
      expect(message?.attributes.error_class?.StringValue).toBe('poison');
      expect(message?.attributes.source_queue?.StringValue).toBe('inbound-sync.fifo');
    }
    expect(byId.get(poisonIds[0])?.attributes.error_message?.StringValue).toContain('not JSON');
    expect(byId.get(poisonIds[1])?.attributes.error_message?.StringValue).toContain('source_name');
    expect(byId.get(umbrella.messageId)).toMatchObject({
      messageGroupId: 'umbrella',
      attributes: {
        error_class: { DataType: 'String', StringValue: 'permanent' },
        error_message: { DataType: 'String', StringValue: expect.stringContaining('umbrella') as unknown },
      },
    });
    expect(outcomesOf(event, json)).toEqual([
      'dead-lettered',
      'dead-lettered',
      'dead-lettered',
      'dead-lettered',
      'succeeded',
      'dead-lettered',
    ]);
  });

  it('dead-letters a permanent step error naming the flow and step, without blocking its group', async () => {
    const handler = await coldHandler();
    const rejected = anSqsRecord({
      messageId: 'm-rejected',
      body: anEnvelopeBody({ event_type: 'reject_me', payload: { payload: { x: 1 } } }),
    });
    const next = anSqsRecord({
      messageId: 'm-after-rejected',
      body: anEnvelopeBody({ event_type: 'delete_company', payload: { payload: { domain: 'gone.test' } } }),
    });
    const dlqBefore = sqs.sent('flow-worker-dlq.fifo').length;

    const { response } = await invoke(handler, anSqsEvent([rejected, next]));

    expect(response).toEqual({ batchItemFailures: [] });
    const [dead] = sqs.sent('flow-worker-dlq.fifo').slice(dlqBefore);
    expect(dead).toMatchObject({
      body: rejected.body,
      messageGroupId: 'acme',
      messageDeduplicationId: 'm-rejected',
      attributes: {
        error_class: { StringValue: 'permanent' },
        flow: { StringValue: 'rejected_by_erp' },
        step: { StringValue: 'create_rejected' },
        source_queue: { StringValue: 'inbound-sync.fifo' },
      },
    });
    expect(http.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/accounts/gone.test' });
  });

  it('logs one structured line per record and EMF metrics, never payload values', async () => {
    const handler = await coldHandler();
    const record = anSqsRecord({
      messageId: 'm-logged',
      body: anEnvelopeBody({
        event_id: 'evt-logged',
        payload: { payload: { name: SECRET_PAYLOAD_VALUE, domain: 'log.test' } },
      }),
    });

    const { output, json } = await invoke(handler, anSqsEvent([record]));

    expect(output).not.toContain(SECRET_PAYLOAD_VALUE);
    expect(output).not.toContain(TOKEN);
    expect(recordLines(json)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        connector: 'acme',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        event_id: 'evt-logged',
        message_id: 'm-logged',
        message_group_id: 'acme',
        flows_matched: ['company_to_erp', 'company_audit'],
        outcome: 'succeeded',
        duration_ms: expect.any(Number) as unknown,
      }),
    ]);
    expect(emf(json).at(-1)).toMatchObject({ RecordsProcessed: 1, FlowsMatched: 2, queue: 'inbound-sync' });
  });

  it('at LOG_LEVEL=DEBUG adds a run report line with step results, and still never logs the token', async () => {
    const handler = await coldHandler({ LOG_LEVEL: 'DEBUG' });
    const record = anSqsRecord({
      messageId: 'm-debug',
      body: anEnvelopeBody({
        event_id: 'evt-debug',
        payload: { payload: { name: 'Debug Co', domain: 'debug.test' } },
      }),
    });

    const { response, output, json } = await invoke(handler, anSqsEvent([record]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(output).not.toContain(TOKEN);
    const runReports = json.filter((line) => line.message === 'run report');
    expect(runReports).toEqual([
      expect.objectContaining({ level: 'DEBUG', message_id: 'm-debug', event_id: 'evt-debug' }),
    ]);
    expect(runReports[0]?.run_report).toMatchObject({
      status: 'ok',
      flows: [
        {
          name: 'company_to_erp',
          steps: [{ id: 'upsert_account', action: 'upsert', status: 'ok', result: { id: 'debug.test' } }],
        },
        {
          name: 'company_audit',
          steps: [
            { id: 'audit', action: 'create', status: 'ok' },
            {
              id: 'announce',
              action: 'emit',
              status: 'ok',
              result: { message_id: expect.any(String) as unknown },
            },
          ],
        },
      ],
    });
  });

  it('logs no run report line at the default LOG_LEVEL=INFO', async () => {
    const handler = await coldHandler();

    const { json } = await invoke(handler, anSqsEvent([anSqsRecord({ body: anEnvelopeBody() })]));

    expect(recordLines(json)).toHaveLength(1);
    expect(json.filter((line) => 'run_report' in line)).toEqual([]);
  });

  it('chains: the outbound handler runs what a flow emitted, received from the local SQS', async () => {
    const inbound = await coldHandler();
    const outbound = await coldHandler({}, 'outbound-sync');
    await invoke(
      inbound,
      anSqsEvent([
        anSqsRecord({ body: anEnvelopeBody({ payload: { payload: { name: 'C', domain: 'chain.test' } } }) }),
      ]),
    );
    const client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queueUrl('outbound-sync.fifo'),
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    client.destroy();
    const records = (received.Messages ?? []).map((message) =>
      anSqsRecord({
        messageId: message.MessageId,
        body: message.Body ?? '',
        groupId: message.Attributes?.MessageGroupId ?? null,
        deduplicationId: message.Attributes?.MessageDeduplicationId,
        queue: 'outbound-sync.fifo',
      }),
    );
    const before = http.requests.length;

    const { response, json } = await invoke(outbound, anSqsEvent(records));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(requestsAfter(before)).toContain('POST /api/audit_ack');
    expect(recordLines(json)[0]).toMatchObject({
      source_queue: 'outbound-sync.fifo',
      flows_matched: ['audit_acknowledged'],
    });
    expect(emf(json).at(-1)).toMatchObject({ queue: 'outbound-sync' });
  });

  it('runs the sample outbound event through the outbound handler', async () => {
    const handler = await coldHandler({}, 'outbound-sync');
    const before = http.requests.length;

    const { response } = await invoke(handler, loadSampleEvent('outbound'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(requestsAfter(before)).toEqual(['PUT /api/accounts/acme.test']);
  });

  it('fails the cold start naming a missing required variable', async () => {
    delete process.env.DLQ_URL;
    vi.resetModules();

    await expect(import('../../../lambdas/inbound-sync/handler.js')).rejects.toThrow('DLQ_URL');
  });
});
