import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LogSink, MetricSink } from '@flow-worker/runtime';
import { lambdaContext } from '../../../cli/local/lambda.js';

/** Test factories for the handler layer: SQS records, Lambda contexts, captured logs and metrics. */

export interface RecordSpec {
  readonly body: string;
  readonly messageId?: string;
  /** `null`: no group (a standard-queue record). @default 'acme' */
  readonly groupId?: string | null;
  /** @default inbound-sync.fifo */
  readonly queue?: string;
  readonly deduplicationId?: string;
  /** `ApproximateReceiveCount`. @default 1 */
  readonly receiveCount?: number;
  /** Message attributes as Lambda delivers them (`error_class` on a message redriven from a DLQ). */
  readonly messageAttributes?: Record<string, string>;
}

export function anSqsRecord(spec: RecordSpec): SQSRecord {
  const messageId = spec.messageId ?? randomUUID();
  const groupId = spec.groupId === undefined ? 'acme' : spec.groupId;
  return {
    messageId,
    receiptHandle: `local-${messageId}`,
    body: spec.body,
    attributes: {
      ApproximateReceiveCount: String(spec.receiveCount ?? 1),
      SentTimestamp: '1764064800000',
      SenderId: 'AIDALOCAL',
      ApproximateFirstReceiveTimestamp: '1764064800005',
      ...(groupId === null ? {} : { MessageGroupId: groupId, SequenceNumber: '18890000000000000001' }),
      ...(spec.deduplicationId === undefined ? {} : { MessageDeduplicationId: spec.deduplicationId }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(spec.messageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: createHash('md5').update(spec.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${spec.queue ?? 'inbound-sync.fifo'}`,
    awsRegion: 'us-east-1',
  };
}

export function anSqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** An envelope body (docs/config.md, the envelope) for connector `acme` unless overridden. */
export function anEnvelopeBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    connector_id: 'acme',
    source_name: 'compass_inbound',
    event_type: 'upsert_company',
    event_id: `evt-${randomUUID()}`,
    payload: { event: 'upsert_company', payload: { name: 'Acme', domain: 'acme.test' } },
    ...overrides,
  });
}

/** A sample event from `events/`. */
export function loadSampleEvent(name: 'inbound-multi-group' | 'outbound' | 'poison'): SQSEvent {
  return JSON.parse(
    readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8'),
  ) as SQSEvent;
}

/** A Lambda context whose deadline is `remainingMs` from now (by the given clock). */
export function aLambdaContext(remainingMs = 60_000, now: () => number = Date.now): Context {
  return lambdaContext('flow-worker-inbound-sync', remainingMs, now);
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export interface CapturedLogs extends LogSink {
  readonly entries: LogEntry[];
  /** The per-record lines (those carrying `message_id` and `outcome`). */
  recordLines(): Record<string, unknown>[];
  /** The DEBUG `run report` lines. */
  runReportLines(): Record<string, unknown>[];
}

/**
 * A {@link LogSink} that records entries. Like Powertools, it drops DEBUG entries unless `level` is
 * `DEBUG`; `withLevelName: false` hides its level, as a sink that cannot report it would.
 */
export function captureLogs(
  options: { level?: 'DEBUG' | 'INFO'; withLevelName?: boolean } = {},
): CapturedLogs {
  const level = options.level ?? 'INFO';
  const entries: LogEntry[] = [];
  const at =
    (entryLevel: LogEntry['level']) =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      if (entryLevel === 'debug' && level !== 'DEBUG') return;
      entries.push({
        level: entryLevel,
        message,
        attributes: Object.assign({}, ...attributes) as Record<string, unknown>,
      });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    ...(options.withLevelName === false ? {} : { getLevelName: () => level }),
    recordLines: () =>
      entries.map((entry) => entry.attributes).filter((a) => 'message_id' in a && 'outcome' in a),
    runReportLines: () =>
      entries.filter((entry) => entry.message === 'run report').map((entry) => entry.attributes),
  };
}

export interface CapturedMetrics extends MetricSink {
  /** Sums per metric name, over everything added so far. */
  readonly totals: Map<string, number>;
  total(name: string): number;
  published: number;
}

export function captureMetrics(): CapturedMetrics {
  const totals = new Map<string, number>();
  const metrics: CapturedMetrics = {
    totals,
    published: 0,
    addMetric: (name, _unit, value) => totals.set(name, (totals.get(name) ?? 0) + value),
    publishStoredMetrics: () => {
      metrics.published += 1;
    },
    total: (name) => totals.get(name) ?? 0,
  };
  return metrics;
}
