import type { SQSRecord } from 'aws-lambda';
import { parseEnvelope } from '../document/parse-envelope.js';
import type { Envelope, MessageMeta } from '../document/envelope.js';
import type { RunReport } from '../engine/report.js';
import { runFlows } from '../engine/runner.js';
import type { RetryPolicy } from '../engine/steps.js';
import type { Emitter } from '../targets/target.js';
import type { RecordOutcome } from './batch.js';
import type { ConfigSource } from './config-store.js';
import { deadLetterOrFail, sourceQueueOf } from './dead-letter.js';
import type { DeadLetterQueue, FailureLocation } from './dead-letter.js';
import type { LogSink, MetricSink } from './observability.js';
import { countRecord, logRecord } from './record-log.js';

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

  const settled = { record, meta, envelope, report, outcome, failure, where, durationMs: now() - started };
  countRecord(deps.metrics, settled);
  logRecord(deps.logger, settled);
  return outcome;
}
