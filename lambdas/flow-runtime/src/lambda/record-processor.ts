import type { SQSRecord } from 'aws-lambda';
import type { RecordOutcome } from './batch.js';
import type { ConfigSource } from './config-store.js';
import { deadLetterOrFail, sourceQueueOf } from './dead-letter.js';
import type { DeadLetterQueue, FailureLocation } from './dead-letter.js';
import { eventIdOf, parseEnvelope } from '../document/envelope.js';
import type { Envelope, MessageMeta } from '../document/envelope.js';
import { describeError, errorClassOf } from '../errors.js';
import {
  METRICS,
  RUN_REPORT_MESSAGE,
  countMetric,
  countStepErrors,
  debugEnabled,
  logSafeErrorMessage,
  summarizeFlows,
} from './observability.js';
import type { LogSink, LoggedOutcome, MetricSink, RecordLogLine, RunReportLogLine } from './observability.js';
import type { RunReport } from '../engine/report.js';
import { runFlows } from '../engine/runner.js';
import type { RetryPolicy } from '../engine/runner.js';
import type { Emitter } from '../targets/target.js';

/** What processing a record needs, built once per container. */
export interface RecordProcessorDeps {
  readonly configs: ConfigSource;
  readonly emitter: Emitter;
  readonly deadLetter: DeadLetterQueue;
  readonly logger: LogSink;
  readonly metrics: MetricSink;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What is specific to one invocation: the retry budget and the deadline. */
export interface InvocationScope {
  readonly retry: RetryPolicy;
  /** Aborted shortly before the Lambda deadline. */
  readonly signal?: AbortSignal;
}

/** The SQS facts of a record the runner needs. A record without a group is its own group. */
export function messageMetaOf(record: SQSRecord): MessageMeta {
  const { MessageGroupId, MessageDeduplicationId } = record.attributes;
  const sourceQueue = sourceQueueOf(record);
  return {
    messageId: record.messageId,
    messageGroupId: MessageGroupId ?? record.messageId,
    ...(MessageDeduplicationId === undefined ? {} : { deduplicationId: MessageDeduplicationId }),
    ...(sourceQueue === undefined ? {} : { sourceQueue }),
  };
}

/** The failed flow and step of a report, for the DLQ attributes. */
function failureLocationOf(report: RunReport): FailureLocation {
  const flow = report.flows.find((candidate) => candidate.status === 'failed');
  const step = flow?.steps.find((candidate) => candidate.status === 'failed');
  return { flow: flow?.name, step: step?.id };
}

function loggedOutcomeOf(outcome: RecordOutcome, report: RunReport | undefined): LoggedOutcome {
  if (outcome.status === 'failed') return outcome.skipped === true ? 'skipped' : 'failed';
  if (outcome.status === 'dead-lettered') return 'dead-lettered';
  return report?.status === 'no_match' ? 'no_match' : 'succeeded';
}

/**
 * Processes one SQS record end to end: parse the envelope, load the compiled config, run the
 * matching flows (retrying retryable step errors within the invocation's budget), and settle:
 * success, dead-lettered (poison / permanent) or failed (retryable, or the DLQ send failed).
 * Logs one line (and, at DEBUG, the run report with step results) and counts metrics. Never throws.
 */
export async function processRecord(
  record: SQSRecord,
  deps: RecordProcessorDeps,
  scope: InvocationScope,
): Promise<RecordOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const meta = messageMetaOf(record);
  let envelope: Envelope | undefined;
  let report: RunReport | undefined;
  let failure: unknown;
  let where: FailureLocation = {};

  try {
    envelope = parseEnvelope(record.body);
    const compiled = await deps.configs.get(envelope.connector_id);
    const run = await runFlows(compiled, envelope, meta, {
      emitter: deps.emitter,
      retry: scope.retry,
      now,
      ...(scope.signal === undefined ? {} : { signal: scope.signal }),
    });
    report = run.report;
    if (run.error !== undefined) {
      failure = run.error;
      where = failureLocationOf(run.report);
    }
  } catch (error) {
    failure = error;
  }
  const outcome: RecordOutcome =
    failure === undefined
      ? { status: 'succeeded' }
      : await deadLetterOrFail(record, failure, deps.deadLetter, where);
  if (outcome.status === 'failed') failure = outcome.error;

  if (report !== undefined) {
    countMetric(deps.metrics, METRICS.flowsMatched, report.flowsMatched.length);
    if (report.status === 'no_match') countMetric(deps.metrics, METRICS.noMatch);
    countStepErrors(deps.metrics, report);
  }
  const line = recordLogLine(record, meta, envelope, report, outcome, failure, where, now() - started);
  logRecord(deps.logger, line);
  if (envelope !== undefined && report !== undefined && debugEnabled(deps.logger)) {
    deps.logger.debug(RUN_REPORT_MESSAGE, runReportLine(envelope, line, report));
  }
  return outcome;
}

/** The DEBUG companion of a record's line: its whole run report, step results included. */
function runReportLine(envelope: Envelope, line: RecordLogLine, report: RunReport): Record<string, unknown> {
  const debugLine: RunReportLogLine = {
    connector: envelope.connector_id,
    ...(line.event_id === undefined ? {} : { event_id: line.event_id }),
    message_id: line.message_id,
    run_report: report,
  };
  return debugLine as unknown as Record<string, unknown>;
}

function recordLogLine(
  record: SQSRecord,
  meta: MessageMeta,
  envelope: Envelope | undefined,
  report: RunReport | undefined,
  outcome: RecordOutcome,
  failure: unknown,
  where: FailureLocation,
  durationMs: number,
): RecordLogLine {
  return {
    ...(envelope === undefined
      ? {}
      : {
          connector: envelope.connector_id,
          source: envelope.source_name,
          event_type: envelope.event_type,
          event_id: eventIdOf(envelope, meta),
        }),
    message_id: record.messageId,
    ...(record.attributes.MessageGroupId === undefined
      ? {}
      : { message_group_id: record.attributes.MessageGroupId }),
    ...(meta.sourceQueue === undefined ? {} : { source_queue: meta.sourceQueue }),
    flows_matched: report?.flowsMatched ?? [],
    outcome: loggedOutcomeOf(outcome, report),
    duration_ms: durationMs,
    ...(failure === undefined
      ? {}
      : {
          error_class: errorClassOf(failure),
          error_name: describeError(failure).name,
          error_message: logSafeErrorMessage(failure),
        }),
    ...(where.flow === undefined ? {} : { flow: where.flow }),
    ...(where.step === undefined ? {} : { step: where.step }),
    ...(report === undefined || report.flows.length === 0 ? {} : { flows: summarizeFlows(report) }),
  };
}

function logRecord(logger: LogSink, line: RecordLogLine): void {
  const attributes = line as unknown as Record<string, unknown>;
  switch (line.outcome) {
    case 'succeeded':
    case 'no_match':
      logger.info('record processed', attributes);
      break;
    case 'skipped':
      logger.info('record not run: an earlier record of its message group failed', attributes);
      break;
    case 'dead-lettered':
      logger.warn('record dead-lettered', attributes);
      break;
    case 'failed':
      logger.warn('record failed; SQS will redeliver it', attributes);
      break;
  }
}

/** Logs and counts a record the batch reported failed without running it. */
export function recordSkipped(record: SQSRecord, outcome: RecordOutcome, deps: RecordProcessorDeps): void {
  const meta = messageMetaOf(record);
  const failure = outcome.status === 'failed' ? outcome.error : undefined;
  logRecord(deps.logger, recordLogLine(record, meta, undefined, undefined, outcome, failure, {}, 0));
}
