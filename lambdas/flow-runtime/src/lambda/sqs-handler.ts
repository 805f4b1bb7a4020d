import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSEvent } from 'aws-lambda';
import { processFifoBatch, toSettledResults } from './batch.js';
import type { RecordOutcome } from './batch.js';
import { countOutcomes, logRecord } from './record-log.js';
import { messageMetaOf, processRecord } from './record-processor.js';
import type { RecordProcessorDeps } from './record-processor.js';
import { RETRY_DEFAULTS, createRetryPolicy } from './retry.js';
import type { RetryOptions } from './retry.js';

/** Everything a flow-worker SQS handler needs; built once per container (see `bootstrap.ts`). */
export interface SqsHandlerDeps extends RecordProcessorDeps {
  /** Backoff settings; the deadline comes from each invocation's context. */
  readonly retry?: Omit<RetryOptions, 'remainingTimeMs' | 'signal'>;
  /** @default 32 (see `processFifoBatch`) */
  readonly maxConcurrentGroups?: number;
}

/** The Lambda response with partial batch failures. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SqsBatchResponse>;

/**
 * An abort signal that fires `marginMs` before the Lambda deadline (in-flight target calls stop and
 * the records fail cleanly, instead of the whole invocation timing out), or with middy's own signal.
 */
function deadlineSignal(
  context: Context,
  marginMs: number,
  middySignal: AbortSignal | undefined,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  const timer =
    remaining === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new Error('Lambda deadline is near')),
          Math.max(0, remaining - marginMs),
        );
  const signals = middySignal === undefined ? [controller.signal] : [controller.signal, middySignal];
  return { signal: AbortSignal.any(signals), dispose: () => clearTimeout(timer) };
}

/**
 * Builds the SQS-triggered handler: `@middy/core` + `@middy/sqs-partial-batch-failure`, FIFO batch
 * semantics (`processFifoBatch`), one log line per record, EMF metrics flushed per invocation.
 * It answers `{ batchItemFailures }` and never throws because of a single record.
 *
 * @example
 * export const handler = createSqsHandler({ configs, emitter, deadLetter, logger, metrics });
 */
export function createSqsHandler(deps: SqsHandlerDeps): SqsHandler {
  const marginMs = deps.retry?.safetyMarginMs ?? RETRY_DEFAULTS.safetyMarginMs;

  const handleBatch = async (
    event: SQSEvent,
    context: Context,
    options?: { signal?: AbortSignal },
  ): Promise<PromiseSettledResult<RecordOutcome>[]> => {
    const records = event.Records ?? [];
    // Every line of this invocation carries its request id and whether it is a cold start.
    deps.logger.addContext?.(context);
    const deadline = deadlineSignal(context, marginMs, options?.signal);
    try {
      const retry = createRetryPolicy({
        ...deps.retry,
        signal: deadline.signal,
        ...(typeof context.getRemainingTimeInMillis === 'function'
          ? { remainingTimeMs: () => context.getRemainingTimeInMillis() }
          : {}),
      });
      const scope = { retry, signal: deadline.signal };
      const outcomes = await processFifoBatch(records, (record) => processRecord(record, deps, scope), {
        ...(deps.maxConcurrentGroups === undefined ? {} : { maxConcurrentGroups: deps.maxConcurrentGroups }),
      });
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
      countOutcomes(deps.metrics, outcomes);
      return toSettledResults(outcomes);
    } finally {
      deadline.dispose();
      deps.metrics.publishStoredMetrics();
    }
  };

  return middy<SQSEvent>()
    .use(
      // The default logger prints every failed record's whole body; each record is already logged
      // once (without payload) by processRecord.
      sqsPartialBatchFailure({ logger: () => undefined }),
    )
    .handler(handleBatch);
}
