import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  METRICS,
  compileConfig,
  createPowertoolsLogger,
  createRecordingTargets,
  createSqsHandler,
  validateConfig,
  type SqsHandler,
} from '@flow-worker/runtime';
import { aConfig } from '../fixtures.js';
import { aLambdaContext, anEnvelopeBody, anSqsEvent, anSqsRecord, captureMetrics } from './sqs-fixtures.js';

/** What every record's log line carries, through the real Powertools logger (JSON on stdout). */

function handlerWithPowertools(): SqsHandler {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(aConfig()), { targetFactory: recording.factory });
  const { logger } = {
    logger: createPowertoolsLogger({ serviceName: 'flow-worker-test', logLevel: 'INFO' }),
  };
  return createSqsHandler({
    configs: { get: () => Promise.resolve(compiled) },
    emitter: recording.emitter,
    deadLetter: { send: () => Promise.resolve() },
    logger,
    metrics: captureMetrics(),
  });
}

/** Runs `act` and returns the JSON lines it wrote (Powertools writes INFO to stdout, WARN to stderr). */
async function loggedLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(() => {
  // Lambda sets this for on-demand functions; Powertools reports cold starts only then.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('a record log line', () => {
  it('carries the Lambda request id and the cold-start flag of its invocation', async () => {
    // Prepare
    const handler = handlerWithPowertools();
    const first = { ...aLambdaContext(), awsRequestId: 'request-1' };
    const second = { ...aLambdaContext(), awsRequestId: 'request-2' };
    const record = () => anSqsRecord({ body: anEnvelopeBody() });

    // Act
    const lines = await loggedLines(async () => {
      await handler(anSqsEvent([record(), record()]), first);
      await handler(anSqsEvent([record()]), second);
    });

    // Assess
    const recordLines = lines.filter((line) => 'outcome' in line);
    expect(recordLines.map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['request-1', true],
      ['request-1', true],
      ['request-2', false],
    ]);
    expect(recordLines[0]).toMatchObject({ function_name: first.functionName, outcome: 'succeeded' });
  });

  it('is written for a record skipped behind a failed one, with the request id too', async () => {
    // Prepare
    const context = { ...aLambdaContext(), awsRequestId: 'request-9' };
    const later = anSqsRecord({ messageId: 'later', groupId: 'g', body: anEnvelopeBody() });
    const broken = anSqsRecord({ messageId: 'first', groupId: 'g', body: anEnvelopeBody() });
    const failing: SqsHandler = createSqsHandler({
      configs: { get: () => Promise.reject(new Error('DynamoDB is down')) },
      emitter: createRecordingTargets().emitter,
      deadLetter: { send: () => Promise.resolve() },
      logger: createPowertoolsLogger({ logLevel: 'INFO' }),
      metrics: captureMetrics(),
    });

    // Act
    const lines = await loggedLines(() => failing(anSqsEvent([broken, later]), context));

    // Assess
    expect(lines.filter((line) => 'outcome' in line)).toEqual([
      expect.objectContaining({ message_id: 'first', outcome: 'failed', function_request_id: 'request-9' }),
      expect.objectContaining({ message_id: 'later', outcome: 'skipped', function_request_id: 'request-9' }),
    ]);
  });
});

describe('batch outcome metrics', () => {
  it('count every record once by how it ended', async () => {
    // Prepare
    const metrics = captureMetrics();
    const handler = createSqsHandler({
      configs: { get: () => Promise.reject(new Error('down')) },
      emitter: createRecordingTargets().emitter,
      deadLetter: { send: () => Promise.resolve() },
      logger: createPowertoolsLogger({ logLevel: 'SILENT' }),
      metrics,
    });
    const records = [
      anSqsRecord({ groupId: 'a', body: anEnvelopeBody() }),
      anSqsRecord({ groupId: 'a', body: anEnvelopeBody() }),
      anSqsRecord({ groupId: 'b', body: 'not json' }),
    ];

    // Act
    await handler(anSqsEvent(records), aLambdaContext());

    // Assess
    expect(metrics.total(METRICS.recordsProcessed)).toBe(3);
    expect(metrics.total(METRICS.recordsFailed)).toBe(2);
    expect(metrics.total(METRICS.recordsDeadLettered)).toBe(1);
    expect(metrics.total(METRICS.recordsSucceeded)).toBe(0);
  });
});
