import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  METRICS,
  PermanentError,
  RetryableError,
  compileConfig,
  createConfigStore,
  createRecordingTargets,
  createSqsDeadLetterQueue,
  createSqsHandler,
  validateConfig,
  type ConfigSource,
  type ConnectorConfigInput,
  type DeadLetterQueue,
  type SqsHandlerDeps,
} from '@flow-worker/runtime';
import {
  aLambdaContext,
  anEnvelopeBody,
  anSqsEvent,
  anSqsRecord,
  captureLogs,
  captureMetrics,
} from './sqs-fixtures.js';

const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/flow-worker-dlq.fifo';
const PAYLOAD_MARKER = 'payload-value-that-must-not-be-logged';

const CONFIG: ConnectorConfigInput = {
  connector_id: 'acme',
  version: 1,
  sources: [{ name: 'compass_inbound' }],
  targets: [{ name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' }],
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
          entity: 'accounts',
          id_property: 'domain',
          data: '$.payload',
        },
      ],
    },
  ],
};

const sqsMock = mockClient(SQSClient);
const dynamoMock = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  sqsMock.reset();
  dynamoMock.reset();
});

/** The handler factory with recording targets, an in-memory config, captured logs/metrics, a mocked DLQ. */
function setup(overrides: Partial<SqsHandlerDeps> = {}) {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(CONFIG), { targetFactory: recording.factory });
  const configs: ConfigSource = { get: () => Promise.resolve(compiled) };
  const logs = captureLogs();
  const metrics = captureMetrics();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  const deadLetter: DeadLetterQueue = createSqsDeadLetterQueue({
    client: new SQSClient({}),
    queueUrl: DLQ_URL,
  });
  const handler = createSqsHandler({
    configs,
    emitter: recording.emitter,
    deadLetter,
    logger: logs,
    metrics,
    retry: { sleep: () => Promise.resolve(), safetyMarginMs: 1_000 },
    ...overrides,
  });
  return { handler, recording, logs, metrics };
}

const dlqSends = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
const companyBody = (domain: string) =>
  anEnvelopeBody({ payload: { payload: { domain, name: PAYLOAD_MARKER } } });

describe('createSqsHandler: retries', () => {
  it('retries a retryable target error in-process and succeeds', async () => {
    const { handler, recording, metrics } = setup();
    recording.failNext('erp', new RetryableError('HTTP 503', { status: 503 }), 2);

    const response = await handler(
      anSqsEvent([anSqsRecord({ body: companyBody('a.test') })]),
      aLambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(recording.attempts).toHaveLength(3);
    expect(recording.calls).toHaveLength(1);
    expect(metrics.total(METRICS.recordsSucceeded)).toBe(1);
  });

  it('fails the record (not the batch) when the retry budget runs out near the Lambda deadline', async () => {
    const { handler, recording, logs } = setup({
      retry: { sleep: () => Promise.resolve(), safetyMarginMs: 2_000 },
    });
    recording.failNext('erp', new RetryableError('HTTP 429', { status: 429, retryAfterSeconds: 5 }), 10);
    const first = anSqsRecord({ messageId: 'r1', body: companyBody('a.test') });
    const later = anSqsRecord({ messageId: 'r2', body: companyBody('b.test') });
    const otherGroup = anSqsRecord({ messageId: 'r3', groupId: 'globex', body: companyBody('c.test') });

    const started = Date.now();
    const response = await handler(anSqsEvent([first, later, otherGroup]), aLambdaContext(4_000));

    expect(Date.now() - started).toBeLessThan(1_000);
    // r1: one attempt (the 5 s Retry-After does not fit in 4 s - 2 s margin); r2 not run; r3 runs,
    // fails its one attempt too.
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(recording.attempts.map((a) => a.data?.domain)).toEqual(['a.test', 'c.test']);
    expect(logs.recordLines().find((l) => l.message_id === 'r2')).toMatchObject({ outcome: 'skipped' });
  });
});

describe('createSqsHandler: DynamoDB faults', () => {
  it('fails a record whose config read is throttled, and every later record of its group', async () => {
    const recording = createRecordingTargets();
    dynamoMock
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const logs = captureLogs();
    const metrics = captureMetrics();
    const handler = createSqsHandler({
      configs: createConfigStore({
        client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
        tableName: 'config',
        targetFactory: recording.factory,
        metrics,
      }),
      emitter: recording.emitter,
      deadLetter: { send: () => Promise.reject(new Error('must not dead-letter')) },
      logger: logs,
      metrics,
    });
    const records = ['t1', 't2', 't3'].map((messageId) =>
      anSqsRecord({ messageId, body: companyBody('a.test') }),
    );

    const response = await handler(anSqsEvent(records), aLambdaContext());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['t1', 't2', 't3']);
    expect(dynamoMock.commandCalls(GetCommand)).toHaveLength(1);
    expect(logs.recordLines().map((l) => [l.message_id, l.outcome, l.error_class])).toEqual([
      ['t1', 'failed', 'retryable'],
      ['t2', 'skipped', 'retryable'],
      ['t3', 'skipped', 'retryable'],
    ]);
    expect(metrics.total(METRICS.recordsFailed)).toBe(3);
  });
});

describe('createSqsHandler: dead-lettering', () => {
  it('dead-letters a permanent step error with the DLQ message format and acknowledges it', async () => {
    const { handler, recording, metrics } = setup();
    recording.failNext('erp', new PermanentError('HTTP 422: name is required', { status: 422 }));
    const record = anSqsRecord({ messageId: 'p1', body: companyBody('a.test'), groupId: 'acme' });

    const response = await handler(anSqsEvent([record]), aLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(dlqSends()).toEqual([
      {
        QueueUrl: DLQ_URL,
        MessageBody: record.body,
        MessageGroupId: 'acme',
        MessageDeduplicationId: 'p1',
        MessageAttributes: {
          error_class: { DataType: 'String', StringValue: 'permanent' },
          error_message: { DataType: 'String', StringValue: expect.stringContaining('HTTP 422') as unknown },
          flow: { DataType: 'String', StringValue: 'company_to_erp' },
          step: { DataType: 'String', StringValue: 'upsert_account' },
          source_queue: { DataType: 'String', StringValue: 'inbound-sync.fifo' },
        },
      },
    ]);
    expect(metrics.total(METRICS.recordsDeadLettered)).toBe(1);
    expect(metrics.total('StepErrorsPermanent')).toBe(1);
  });

  it('reports the record failed, not acknowledged, when the DLQ send fails', async () => {
    const { handler, logs } = setup();
    sqsMock.on(SendMessageCommand).rejects(new Error('SQS is down'));
    const poison = anSqsRecord({ messageId: 'd1', body: 'not json' });
    const next = anSqsRecord({ messageId: 'd2', body: companyBody('a.test') });

    const response = await handler(anSqsEvent([poison, next]), aLambdaContext());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['d1', 'd2']);
    expect(logs.recordLines().find((l) => l.message_id === 'd1')).toMatchObject({
      outcome: 'failed',
      error_name: 'DeadLetterError',
    });
  });

  it.each([
    ['not JSON', '{"connector_id": "acme", oops', 'not JSON'],
    ['missing fields', JSON.stringify({ connector_id: 'acme', payload: {} }), 'source_name'],
    [
      'wrong types',
      JSON.stringify({ connector_id: 'acme', source_name: 1, event_type: ['x'], payload: {} }),
      'event_type',
    ],
    ['a JSON array', '[1,2]', 'JSON object'],
    ['an empty body', '', 'not JSON'],
  ])('dead-letters a poison body (%s) unchanged', async (_name, body, reason) => {
    const { handler } = setup();
    const record = anSqsRecord({ messageId: 'x1', body });

    const response = await handler(anSqsEvent([record]), aLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const [sent] = dlqSends();
    expect(sent?.MessageBody).toBe(body);
    expect(sent?.MessageAttributes?.error_class?.StringValue).toBe('poison');
    expect(sent?.MessageAttributes?.error_message?.StringValue).toContain(reason);
    expect(sent?.MessageAttributes?.flow).toBeUndefined();
  });

  it('dead-letters a huge poison body unchanged, bounding the error message and keeping it out of logs', async () => {
    const { handler, logs } = setup();
    const body = `{"connector_id":"acme","payload":"${PAYLOAD_MARKER}${'x'.repeat(300_000)}`; // truncated JSON
    const record = anSqsRecord({ messageId: 'h1', body });

    const response = await handler(anSqsEvent([record]), aLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const [sent] = dlqSends();
    expect(sent?.MessageBody).toBe(body);
    expect(sent?.MessageAttributes?.error_message?.StringValue?.length).toBeLessThanOrEqual(1_000);
    expect(JSON.stringify(logs.entries)).not.toContain(PAYLOAD_MARKER);
    expect(JSON.stringify(logs.entries).length).toBeLessThan(5_000);
  });

  it('omits FIFO ids when the DLQ is a standard queue', async () => {
    const { handler } = setup({
      deadLetter: createSqsDeadLetterQueue({
        client: new SQSClient({}),
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/flow-worker-dlq',
      }),
    });

    await handler(anSqsEvent([anSqsRecord({ body: 'nope' })]), aLambdaContext());

    expect(dlqSends()[0]).not.toHaveProperty('MessageGroupId');
    expect(dlqSends()[0]).not.toHaveProperty('MessageDeduplicationId');
  });
});

describe('createSqsHandler: robustness and observability', () => {
  it('never throws for a bad record: an unexpected error fails only that record', async () => {
    const recording = createRecordingTargets();
    const compiled = compileConfig(validateConfig(CONFIG), { targetFactory: recording.factory });
    const handler = createSqsHandler({
      configs: {
        get: (connectorId) =>
          connectorId === 'broken' ? Promise.reject(new TypeError('bug')) : Promise.resolve(compiled),
      },
      emitter: recording.emitter,
      deadLetter: { send: () => Promise.resolve() },
      logger: captureLogs(),
      metrics: captureMetrics(),
    });
    const broken = anSqsRecord({
      messageId: 'b1',
      groupId: 'broken',
      body: anEnvelopeBody({ connector_id: 'broken' }),
    });
    const fine = anSqsRecord({ messageId: 'f1', body: companyBody('a.test') });

    const response = await handler(anSqsEvent([broken, fine]), aLambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b1' }] });
  });

  it('logs one line per record with identifiers, statuses and timings only, and publishes metrics once', async () => {
    const { handler, logs, metrics } = setup();
    const record = anSqsRecord({
      messageId: 'l1',
      groupId: 'acme',
      body: anEnvelopeBody({
        event_id: 'evt-l1',
        payload: { payload: { domain: 'a.test', name: PAYLOAD_MARKER } },
      }),
    });

    await handler(anSqsEvent([record]), aLambdaContext());

    expect(logs.recordLines()).toEqual([
      {
        connector: 'acme',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        event_id: 'evt-l1',
        message_id: 'l1',
        message_group_id: 'acme',
        source_queue: 'inbound-sync.fifo',
        flows_matched: ['company_to_erp'],
        outcome: 'succeeded',
        duration_ms: expect.any(Number) as unknown,
        flows: [
          // A flow that completed with every step ok is not broken down into its steps.
          { name: 'company_to_erp', status: 'completed', duration_ms: expect.any(Number) as unknown },
        ],
      },
    ]);
    expect(JSON.stringify(logs.entries)).not.toContain(PAYLOAD_MARKER);
    expect(JSON.stringify(logs.entries)).not.toContain('a.test');
    expect(metrics.published).toBe(1);
    expect(Object.fromEntries(metrics.totals)).toEqual({
      RecordsProcessed: 1,
      RecordsSucceeded: 1,
      FlowsMatched: 1,
    });
  });

  it('counts no-match records', async () => {
    const { handler, metrics } = setup();

    await handler(
      anSqsEvent([anSqsRecord({ body: anEnvelopeBody({ event_type: 'something_else' }) })]),
      aLambdaContext(),
    );

    expect(metrics.total(METRICS.noMatch)).toBe(1);
    expect(metrics.total(METRICS.flowsMatched)).toBe(0);
  });

  it('answers an empty event with no failures', async () => {
    const { handler } = setup();

    await expect(handler(anSqsEvent([]), aLambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });
});
