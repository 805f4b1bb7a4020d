import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  METRICS,
  recordLogLine,
  recordLogLineJson,
  type RecordOutcome,
  type SettledRecord,
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

describe('the record line written by hand', () => {
  // Strings with quotes, backslashes, control characters and lone surrogates, as well as plain ones.
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('a"b', 'c\\d', '\u0001', '\ud800', 'é😀'),
  );
  const duration = fc.oneof(fc.nat(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5));
  const step = fc.record({
    id: text,
    action: fc.constantFrom('transform', 'filter', 'upsert', 'emit'),
    status: fc.constantFrom('ok', 'failed', 'continued', 'skipped', 'resumed'),
    durationMs: duration,
  });
  const flow = fc.record({
    name: text,
    status: fc.constantFrom('completed', 'filtered', 'failed'),
    durationMs: duration,
    steps: fc.array(step, { maxLength: 4 }),
  });
  const report = fc.record({
    status: fc.constantFrom('ok', 'no_match', 'failed'),
    flowsMatched: fc.array(text, { maxLength: 3 }),
    flows: fc.array(flow, { maxLength: 3 }),
    durationMs: duration,
  });
  const settled = fc
    .record({
      messageId: text,
      groupId: fc.option(text, { nil: undefined }),
      deduplicationId: fc.option(text, { nil: undefined }),
      sourceQueue: fc.option(text, { nil: undefined }),
      envelope: fc.option(
        fc.record({
          connector_id: text,
          source_name: text,
          event_type: text,
          event_id: fc.option(text, { nil: undefined }),
          payload: fc.constant({}),
        }),
        { nil: undefined },
      ),
      report: fc.option(report, { nil: undefined }),
      outcome: fc.constantFrom<RecordOutcome>(
        { status: 'succeeded' },
        { status: 'failed', error: new Error('boom "quoted"') },
        { status: 'failed', error: new Error('later'), skipped: true },
        { status: 'dead-lettered', errorClass: 'poison' },
      ),
      durationMs: duration,
      where: fc.constantFrom({}, { flow: 'f', step: 's' }),
    })
    .map(
      ({
        messageId,
        groupId,
        deduplicationId,
        sourceQueue,
        envelope,
        report,
        outcome,
        durationMs,
        where,
      }): SettledRecord => {
        const record = anSqsRecord({ messageId, body: '{}' });
        return {
          record: { ...record, attributes: { ...record.attributes, MessageGroupId: groupId } },
          meta: { messageId, messageGroupId: groupId ?? messageId, deduplicationId, sourceQueue },
          envelope,
          report: report,
          outcome,
          failure:
            outcome.status === 'succeeded'
              ? undefined
              : outcome.status === 'failed'
                ? outcome.error
                : new Error('poison'),
          where,
          durationMs,
        };
      },
    );

  it('is the text JSON.stringify gives for the same line, for any record', () => {
    fc.assert(
      fc.property(settled, (record) => {
        expect(recordLogLineJson(record)).toBe(JSON.stringify(recordLogLine(record)));
      }),
      { numRuns: 2_000 },
    );
  });
});
