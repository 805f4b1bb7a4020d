import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  METRICS,
  compileConfig,
  createEmfMetrics,
  createObservability,
  createRecordingTargets,
  createSqsHandler,
  validateConfig,
} from '@flow-worker/runtime';
import { aConfig } from '../fixtures.js';
import { aLambdaContext, anEnvelopeBody, anSqsEvent, anSqsRecord } from './sqs-fixtures.js';

/** An attributes object as the members `writeLine` takes: its JSON text without the braces. */
const membersOf = (attributes: Record<string, unknown>): string => JSON.stringify(attributes).slice(1, -1);

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const COUNTS: readonly [string, number][] = [
  [METRICS.recordsProcessed, 10],
  [METRICS.flowsMatched, 3],
  [METRICS.stepErrorsPrefix + 'Retryable', 2],
];

/** The line Powertools Metrics writes for the same counts: the reference. */
function powertoolsLine(counts: readonly [string, number][]): string {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(Date, 'now').mockReturnValue(NOW);
  try {
    const metrics = new Metrics({
      serviceName: 'flow-worker-inbound-sync',
      namespace: 'FlowWorker',
      defaultDimensions: { queue: 'inbound-sync' },
    });
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  } finally {
    vi.restoreAllMocks();
  }
  return written.join('');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createEmfMetrics', () => {
  it('writes the line Powertools Metrics writes for the same counts, byte for byte', () => {
    // Prepare
    const lines: string[] = [];
    const metrics = createEmfMetrics({
      namespace: 'FlowWorker',
      serviceName: 'flow-worker-inbound-sync',
      dimensions: { queue: 'inbound-sync' },
      write: (line) => lines.push(line),
      now: () => NOW,
    });

    // Act
    for (const [name, value] of COUNTS) metrics.addMetric(name, 'Count', value);
    metrics.publishStoredMetrics();

    // Assess
    expect(lines).toEqual([powertoolsLine(COUNTS)]);
  });

  it('sums each metric until published, then starts again, and writes nothing without counts', () => {
    // Prepare
    const lines: string[] = [];
    const metrics = createEmfMetrics({ namespace: 'N', serviceName: 's', write: (line) => lines.push(line) });

    // Act
    metrics.publishStoredMetrics();
    metrics.addMetric('A', 'Count', 2);
    metrics.addMetric('A', 'Count', 3);
    metrics.publishStoredMetrics();
    metrics.addMetric('B', 'Count', 1);
    metrics.publishStoredMetrics();

    // Assess
    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.map(({ A, B }) => ({ A, B }))).toEqual([{ A: 5 }, { B: 1 }]);
    expect(written[0]).toMatchObject({
      service: 's',
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'N', Dimensions: [['service']], Metrics: [{ Name: 'A', Unit: 'Count' }] },
        ],
      },
    });
  });
});

describe('createObservability', () => {
  it('writes the metrics when they are published, with the record lines held before them', () => {
    // Prepare
    const writes: string[] = [];
    const { logger, metrics } = createObservability({
      serviceName: 's',
      write: (text) => void writes.push(text),
    });
    logger.writeLine('info', 'record processed', membersOf({ message_id: 'm-1' }));
    metrics.addMetric(METRICS.recordsProcessed, 'Count', 1);

    // Act: published, the logger never flushed (as when a handler is given a logger of its own)
    metrics.publishStoredMetrics();

    // Assess
    expect(writes).toHaveLength(1);
    const lines = (writes[0] ?? '')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message_id ?? line[METRICS.recordsProcessed])).toEqual(['m-1', 1]);
  });
});

describe('the handler with createObservability', () => {
  it('writes an invocation in one write: its record lines, then its metrics line', async () => {
    // Prepare
    const writes: string[] = [];
    const { logger, metrics } = createObservability({
      serviceName: 'flow-worker-test',
      dimensions: { queue: 'inbound-sync' },
      write: (text) => void writes.push(text),
    });
    const recording = createRecordingTargets();
    const compiled = compileConfig(validateConfig(aConfig()), { targetFactory: recording.factory });
    const handler = createSqsHandler({
      configs: { get: () => compiled },
      emitter: recording.emitter,
      deadLetter: { send: () => Promise.resolve() },
      logger,
      metrics,
    });
    const records = [anSqsRecord({ body: anEnvelopeBody() }), anSqsRecord({ body: anEnvelopeBody() })];

    // Act
    await handler(anSqsEvent(records), aLambdaContext());

    // Assess
    expect(writes).toHaveLength(1);
    const lines = (writes[0] ?? '')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message_id ?? (line._aws === undefined ? 'other' : 'metrics'))).toEqual([
      records[0]?.messageId,
      records[1]?.messageId,
      'metrics',
    ]);
    expect(lines[2]).toMatchObject({ queue: 'inbound-sync', [METRICS.recordsProcessed]: 2 });
  });
});
