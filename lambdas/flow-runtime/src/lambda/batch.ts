import { FlowWorkerError } from '../errors.js';
import type { ErrorClass } from '../errors.js';

/** The SQS record fields batch processing needs (a subset of `aws-lambda`'s `SQSRecord`). */
export interface BatchRecord {
  readonly messageId: string;
  readonly attributes?: { readonly MessageGroupId?: string | undefined };
}

/**
 * How one record ended. Every record ends in exactly one of these; none is dropped:
 * - `succeeded`: acknowledged;
 * - `dead-lettered`: could never succeed, sent to the DLQ, then acknowledged;
 * - `failed`: reported in `batchItemFailures`, so SQS redelivers it (`skipped` when it was not run:
 *   an earlier record of its group failed, or the invocation had no time left to start it).
 */
export type RecordOutcome =
  | { readonly status: 'succeeded' }
  | { readonly status: 'dead-lettered'; readonly errorClass: Exclude<ErrorClass, 'retryable'> }
  | { readonly status: 'failed'; readonly error: unknown; readonly skipped?: boolean };

/** The reason given for a record not run because an earlier record of its message group failed. */
export class GroupBlockedError extends FlowWorkerError {
  override name = 'GroupBlockedError';
  constructor(messageId: string, blockedBy: string, groupId: string | undefined) {
    super(
      `not run: message ${blockedBy} earlier in message group ${groupId ?? '(none)'} failed, so this record must wait for its redelivery`,
      { context: { messageId, blockedBy } },
    );
  }
}

export interface BatchOptions {
  /**
   * Groups run at most this many at a time (a standard-queue batch can hold thousands of records,
   * each its own group). @default 32
   */
  readonly maxConcurrentGroups?: number;
}

export const DEFAULT_MAX_CONCURRENT_GROUPS = 32;

/** The FIFO message group of a record; `undefined` on standard queues. */
export function messageGroupIdOf(record: BatchRecord): string | undefined {
  return record.attributes?.MessageGroupId;
}

/**
 * Processes an SQS batch with FIFO semantics and returns one outcome per record, in input order.
 *
 * Records are grouped by `MessageGroupId` (a record without one, as on a standard queue, is its own
 * group). Within a group records run strictly one after another in batch order; groups run
 * concurrently (at most `maxConcurrentGroups` at a time). Once a record of a group fails, every later record of that group is reported failed
 * without being run, so SQS redelivers them after it and the group's order holds. A dead-lettered
 * record does not block its group: it was acknowledged.
 *
 * `processRecord` should not throw; if it does, the record counts as failed.
 */
export async function processFifoBatch<R extends BatchRecord>(
  records: readonly R[],
  processRecord: (record: R) => Promise<RecordOutcome>,
  options: BatchOptions = {},
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  const groups = new Map<string | R, number[]>();
  records.forEach((record, index) => {
    const key = messageGroupIdOf(record) ?? record;
    const indexes = groups.get(key);
    if (indexes === undefined) groups.set(key, [index]);
    else indexes.push(index);
  });

  const runGroup = async (indexes: readonly number[]): Promise<void> => {
    let blockedBy: string | undefined;
    for (const index of indexes) {
      const record = records[index] as R;
      if (blockedBy !== undefined) {
        const error = new GroupBlockedError(record.messageId, blockedBy, messageGroupIdOf(record));
        outcomes[index] = { status: 'failed', error, skipped: true };
        continue;
      }
      let outcome: RecordOutcome;
      try {
        outcome = await processRecord(record);
      } catch (error) {
        outcome = { status: 'failed', error };
      }
      outcomes[index] = outcome;
      if (outcome.status === 'failed') blockedBy = record.messageId;
    }
  };

  const pending = [...groups.values()];
  const limit = Math.max(1, options.maxConcurrentGroups ?? DEFAULT_MAX_CONCURRENT_GROUPS);
  if (pending.length <= limit) {
    // Every group at once (a FIFO batch has at most 10 records).
    await Promise.all(pending.map(runGroup));
    return outcomes;
  }
  // A small worker pool: each worker takes the next whole group, so a group never splits.
  const work = async () => {
    for (let group = pending.shift(); group !== undefined; group = pending.shift()) await runGroup(group);
  };
  await Promise.all(Array.from({ length: limit }, work));
  return outcomes;
}

/**
 * The shape `@middy/sqs-partial-batch-failure` expects from the handler: one settled result per
 * record, in `event.Records` order; `rejected` ones become `batchItemFailures`.
 */
export function toSettledResults(outcomes: readonly RecordOutcome[]): PromiseSettledResult<RecordOutcome>[] {
  return outcomes.map((outcome) =>
    outcome.status === 'failed'
      ? { status: 'rejected', reason: outcome.error }
      : { status: 'fulfilled', value: outcome },
  );
}
