import type { SQSRecord } from 'aws-lambda';
import { parseEnvelope } from '../document/parse-envelope.js';
import type { Envelope, MessageMeta } from '../document/envelope.js';
import type { RunReport } from '../engine/report.js';
import { startFlows } from '../engine/runner.js';
import type { RetryPolicy } from '../engine/steps.js';
import { ExhaustedError, FlowWorkerError, RetryableError, describeError, errorClassOf } from '../errors.js';
import type { Emitter } from '../targets/target.js';
import type { RecordOutcome } from './batch.js';
import { closeDelivery, openDelivery, type Delivery } from './checkpoints.js';
import type { ConfigSource } from './config-store.js';
import { deadLetterOrFail, sourceQueueOf } from './dead-letter.js';
import type { DeadLetterQueue, FailureLocation } from './dead-letter.js';
import type { LogSink, MetricSink } from './observability.js';
import { countRecord, logRecord, type SettledRecord } from './record-log.js';
import type { RunStateStore } from './run-state.js';

/** What processing a record needs, built once per container. */
export interface RecordProcessorDeps {
  readonly configs: ConfigSource;
  readonly emitter: Emitter;
  readonly deadLetter: DeadLetterQueue;
  readonly logger: LogSink;
  readonly metrics: MetricSink;
  /** @default Date.now */
  readonly now?: () => number;
  /** Step checkpoints between deliveries (`RUN_STATE_TABLE_NAME`). Without it a redelivery runs every step again. */
  readonly runState?: RunStateStore;
  /**
   * The source queue's `maxReceiveCount` (`MAX_RECEIVE_COUNT`): on that receive a retryable failure
   * is dead-lettered as `exhausted`. Without it SQS's redrive moves the message, without a reason.
   */
  readonly maxReceiveCount?: number;
}

/** What is specific to one invocation: the retry budget and the deadline. */
export interface InvocationScope {
  readonly retry: RetryPolicy;
  /** Aborted shortly before the Lambda deadline. */
  readonly signal?: AbortSignal;
}

/**
 * The SQS facts of a record the runner needs. A record without a group is its own group. Every
 * meta has the same four keys (absent ones `undefined`): one object shape on the hot path.
 */
export function messageMetaOf(record: SQSRecord): MessageMeta {
  const { MessageGroupId, MessageDeduplicationId } = record.attributes;
  return {
    messageId: record.messageId,
    messageGroupId: MessageGroupId ?? record.messageId,
    deduplicationId: MessageDeduplicationId,
    sourceQueue: sourceQueueOf(record),
  };
}

/**
 * On the record's last receive (`ApproximateReceiveCount` ≥ `MAX_RECEIVE_COUNT`), a retryable
 * failure becomes an {@link ExhaustedError} carrying the last error (its message, flow and step),
 * so the record is dead-lettered with a reason instead of being moved by SQS without one.
 */
export function exhaustedOnLastReceive(
  record: SQSRecord,
  failure: unknown,
  maxReceiveCount: number | undefined,
): unknown {
  if (failure === undefined || maxReceiveCount === undefined || errorClassOf(failure) !== 'retryable') {
    return failure;
  }
  const receives = Number(record.attributes.ApproximateReceiveCount);
  if (!(receives >= maxReceiveCount)) return failure;
  return new ExhaustedError(
    `still failing on receive ${receives}, the last one (MAX_RECEIVE_COUNT ${maxReceiveCount}): ${describeError(failure).message}`,
    { cause: failure, context: failure instanceof FlowWorkerError ? failure.context : {} },
  );
}

/** Why a record was not run at all: the invocation had no time left for it. */
function notRun(record: SQSRecord): RecordOutcome {
  const error = new RetryableError(
    `not run: the invocation was about to time out before message ${record.messageId} could start`,
    { context: { messageId: record.messageId } },
  );
  return { status: 'failed', error, skipped: true };
}

/** The outcome of every record that succeeded: one object, nothing to allocate. */
const SUCCEEDED: RecordOutcome = Object.freeze({ status: 'succeeded' });
const NOWHERE: FailureLocation = Object.freeze({});

/**
 * Processes one SQS record end to end: parse the envelope, load the compiled config, read the
 * record's checkpoint on a redelivery, run the matching flows (retrying retryable step errors
 * within the invocation's budget), save or clear the checkpoint, and settle: success,
 * dead-lettered (poison / permanent, or `exhausted` on the last receive) or failed (retryable, or
 * the DLQ send failed). Logs one line (and, at DEBUG, the run report with step results) and
 * counts metrics. Never throws.
 */
export async function processRecord(
  record: SQSRecord,
  deps: RecordProcessorDeps,
  scope: InvocationScope,
): Promise<RecordOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const meta = messageMetaOf(record);
  // Logged with the skipped records by the handler: it was not run.
  if (scope.signal?.aborted === true) return notRun(record);
  let envelope: Envelope | undefined;
  let report: RunReport | undefined;
  let failure: unknown;
  let where = NOWHERE;
  try {
    envelope = parseEnvelope(record.body);
    // A config cache hit and a first receive answer without a promise: await only what is one.
    const loading = deps.configs.get(envelope.connector_id);
    const compiled = loading instanceof Promise ? await loading : loading;
    const opening = openDelivery(deps, record, envelope, meta);
    const delivery: Delivery | undefined = opening instanceof Promise ? await opening : opening;
    const running = startFlows(compiled, envelope, meta, {
      emitter: deps.emitter,
      retry: scope.retry,
      now,
      signal: scope.signal,
      resume: delivery?.resume,
    });
    const ran = running instanceof Promise ? await running : running;
    report = ran.report;
    if (ran.error !== undefined) {
      failure = ran.error;
      where = ran.failedAt ?? NOWHERE;
    }
    const closing = closeDelivery(
      deps,
      delivery,
      { report, finished: ran.error === undefined, configVersion: compiled.version },
      { envelope, meta },
    );
    if (closing !== undefined) await closing;
  } catch (error) {
    failure = error;
  }
  failure = exhaustedOnLastReceive(record, failure, deps.maxReceiveCount);
  let outcome = SUCCEEDED;
  if (failure !== undefined) {
    outcome = await deadLetterOrFail(record, failure, deps.deadLetter, where);
    if (outcome.status === 'failed') failure = outcome.error;
  }
  const settled: SettledRecord = {
    record,
    meta,
    envelope,
    report,
    outcome,
    failure,
    where,
    durationMs: now() - started,
  };
  countRecord(deps.metrics, settled);
  logRecord(deps.logger, settled);
  return outcome;
}
