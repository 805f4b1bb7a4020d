import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { BackoffSchedule } from './backoff.js';
import { processFifoBatch, toSettledResults } from './batch.js';
import type { RecordOutcome } from './batch.js';
import { deadlineMarginMs, deadlineSignal, remainingTimeOf } from './deadline.js';
import { METRICS, countMetric } from './observability.js';
import { countOutcomes, logRecord } from './record-log.js';
import { messageMetaOf, processRecord } from './record-processor.js';
import type { RecordProcessorDeps } from './record-processor.js';
import { createRetryPolicy } from './retry.js';
import type { RetryOptions } from './retry.js';
import { backoffPlan, type VisibilityChanger } from './visibility.js';

/** Everything a flow-worker SQS handler needs; built once per container (see `bootstrap.ts`). */
export interface SqsHandlerDeps extends RecordProcessorDeps {
  /**
   * In-process retry settings; the deadline comes from each invocation's context, and the safety
   * margin, unless given, from {@link deadlineMarginMs} of the time it has.
   */
  readonly retry?: Omit<RetryOptions, 'remainingTimeMs' | 'signal'>;
  /** @default 32 (see `processFifoBatch`) */
  readonly maxConcurrentGroups?: number;
  /**
   * Hides failed records between receives (`ChangeMessageVisibility`). Without it, or with a base
   * of 0, a failed record waits the queue's visibility timeout.
   */
  readonly visibility?: VisibilityChanger;
  /** The wait between receives (`RETRY_BACKOFF_BASE_SECONDS`, `RETRY_BACKOFF_MAX_SECONDS`). */
  readonly backoff?: BackoffSchedule;
  /** Uniform in [0, 1), for the backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** The Lambda response with partial batch failures. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SqsBatchResponse>;

/** Logs the records that were not run (skipped behind a failed record, or out of time). */
function logSkipped(deps: SqsHandlerDeps, records: readonly SQSRecord[], outcomes: readonly RecordOutcome[]) {
  outcomes.forEach((outcome, index) => {
    if (outcome.status !== 'failed' || outcome.skipped !== true) return;
    const record = records[index]!;
    logRecord(deps.logger, {
      record,
      meta: messageMetaOf(record),
      outcome,
      failure: outcome.error,
      durationMs: 0,
    });
  });
}

/** Hides every failed record for its backoff delay; a failure to do so is logged, never thrown. */
async function backOff(
  deps: SqsHandlerDeps,
  records: readonly SQSRecord[],
  outcomes: readonly RecordOutcome[],
) {
  if (deps.visibility === undefined || deps.backoff === undefined || deps.backoff.baseSeconds === 0) return;
  const changes = backoffPlan(records, outcomes, deps.backoff, deps.random);
  if (changes.length === 0) return;
  const { failed } = await deps.visibility.change(changes);
  if (failed.length === 0) return;
  countMetric(deps.metrics, METRICS.backoffErrors, failed.length);
  deps.logger.warn(
    'visibility not changed: these records wait the queue visibility timeout instead of their backoff',
    {
      message_ids: failed.map((failure) => failure.messageId),
      reasons: [...new Set(failed.map((failure) => failure.reason))],
    },
  );
}

/**
 * Waits for the invocation's lines to reach the output (stdout was full: see `streamWriter`), so
 * that a process frozen after the answer does not hold them; but not past the deadline signal: an
 * output that does not drain must not turn a processed batch into a timed-out one.
 */
function untilWrittenOrDeadline(writing: Promise<void>, deadline: AbortSignal): Promise<void> {
  if (deadline.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    deadline.addEventListener('abort', stop, { once: true });
    void writing.then(() => {
      deadline.removeEventListener('abort', stop);
      resolve();
    });
  });
}

/**
 * Builds the SQS-triggered handler: `@middy/core` + `@middy/sqs-partial-batch-failure`, FIFO batch
 * semantics (`processFifoBatch`), one log line per record, visibility backoff for the records it
 * reports failed, EMF metrics flushed per invocation. It answers `{ batchItemFailures }` and never
 * throws because of a single record.
 *
 * @example
 * export const handler = createSqsHandler({ configs, emitter, deadLetter, logger, metrics });
 */
export function createSqsHandler(deps: SqsHandlerDeps): SqsHandler {
  const handleBatch = async (
    event: SQSEvent,
    context: Context,
  ): Promise<PromiseSettledResult<RecordOutcome>[]> => {
    const records = event.Records ?? [];
    // Every line of this invocation carries its request id and whether it is a cold start.
    deps.logger.addContext?.(context);
    const remaining = remainingTimeOf(context);
    const marginMs =
      deps.retry?.safetyMarginMs ?? (remaining === undefined ? 0 : deadlineMarginMs(remaining));
    const deadline = deadlineSignal(context, marginMs);
    try {
      const retry = createRetryPolicy({
        ...deps.retry,
        safetyMarginMs: marginMs,
        signal: deadline.signal,
        ...(remaining === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() }),
      });
      const scope = { retry, signal: deadline.signal };
      const outcomes = await processFifoBatch(records, (record) => processRecord(record, deps, scope), {
        ...(deps.maxConcurrentGroups === undefined ? {} : { maxConcurrentGroups: deps.maxConcurrentGroups }),
      });
      logSkipped(deps, records, outcomes);
      await backOff(deps, records, outcomes);
      countOutcomes(deps.metrics, outcomes);
      return toSettledResults(outcomes);
    } finally {
      // The metrics line joins the record lines, and they all go out in one write.
      deps.metrics.publishStoredMetrics();
      deps.logger.flush?.();
      const writing = deps.logger.written?.();
      if (writing !== undefined) await untilWrittenOrDeadline(writing, deadline.signal);
      deadline.dispose();
    }
  };

  // middy's own early timeout is off: the deadline signal above stops the work well before it
  // (docs/handlers.md, retries), and middy's would only fail the whole batch, with one more timer
  // and a race per invocation.
  return middy<SQSEvent>({ timeoutEarlyInMillis: 0 })
    .use(
      // The default logger prints every failed record's whole body; each record is already logged
      // once (without payload) by processRecord.
      sqsPartialBatchFailure({ logger: () => undefined }),
    )
    .handler(handleBatch);
}
