import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { QueueName } from '../document/config.js';
import { describeError } from '../errors.js';
import { GroupBlockedError, type RecordOutcome } from './batch.js';
import { backoffDelaySeconds, type BackoffSchedule } from './backoff.js';
import { sourceQueueOf } from './dead-letter.js';

/**
 * Backoff between receives (docs/handlers.md, delivery over time): a record reported failed is
 * hidden for a delay that grows with its `ApproximateReceiveCount`, so its message group waits
 * longer after each failure while other groups go on. Records skipped behind it get the same
 * delay, so the group becomes visible again as a whole; records the invocation had no time to
 * start get none (they are retried at once).
 */

/** One record to hide for `seconds` (0: visible again now). */
export interface VisibilityChange {
  readonly record: Pick<SQSRecord, 'messageId' | 'receiptHandle' | 'eventSourceARN'>;
  readonly seconds: number;
}

/** A record whose visibility could not be changed, and why. */
export interface VisibilityFailure {
  readonly messageId: string;
  readonly reason: string;
}

/** Changes the visibility of received records; answers those it could not change. */
export interface VisibilityChanger {
  change(changes: readonly VisibilityChange[]): Promise<{ readonly failed: readonly VisibilityFailure[] }>;
}

/**
 * The visibility changes for a settled batch: each failed record gets the jittered delay of its
 * receive count; a record skipped behind a failed one gets that record's delay.
 */
export function backoffPlan(
  records: readonly SQSRecord[],
  outcomes: readonly RecordOutcome[],
  schedule: BackoffSchedule,
  random: () => number = Math.random,
): VisibilityChange[] {
  const delays = new Map<string, number>();
  const changes: VisibilityChange[] = [];
  outcomes.forEach((outcome, index) => {
    const record = records[index];
    if (outcome.status !== 'failed' || record === undefined) return;
    let seconds = 0;
    if (outcome.error instanceof GroupBlockedError) {
      seconds = delays.get(String(outcome.error.context.blockedBy)) ?? 0;
    } else if (outcome.skipped !== true) {
      seconds = backoffDelaySeconds(Number(record.attributes.ApproximateReceiveCount) || 1, schedule, random);
    }
    delays.set(record.messageId, seconds);
    changes.push({ record, seconds });
  });
  return changes;
}

export interface SqsVisibilityOptions {
  readonly client: SQSClient;
  /** Each sync queue's URL (`INBOUND_QUEUE_URL`, `OUTBOUND_QUEUE_URL`): a record's own queue is found by name. */
  readonly queueUrls: Readonly<Record<QueueName, string | undefined>>;
}

/** SQS allows 10 entries per batch call. */
const BATCH_LIMIT = 10;

/** The URL of a record's queue among the known ones, by the queue name of its ARN. */
function queueUrlOf(record: VisibilityChange['record'], urls: readonly string[]): string | undefined {
  const name = sourceQueueOf(record);
  return name === undefined ? undefined : urls.find((url) => url.split('/').at(-1) === name);
}

/** Changes visibility with `ChangeMessageVisibilityBatch` on each record's own queue. */
export function createSqsVisibilityChanger(options: SqsVisibilityOptions): VisibilityChanger {
  const urls = Object.values(options.queueUrls).filter((url): url is string => url !== undefined);
  return {
    async change(changes) {
      const failed: VisibilityFailure[] = [];
      const byQueue = new Map<string, VisibilityChange[]>();
      for (const change of changes) {
        const url = queueUrlOf(change.record, urls);
        if (url === undefined) {
          const reason = `no queue URL for ${sourceQueueOf(change.record) ?? 'its queue'} (INBOUND_QUEUE_URL / OUTBOUND_QUEUE_URL)`;
          failed.push({ messageId: change.record.messageId, reason });
        } else byQueue.set(url, [...(byQueue.get(url) ?? []), change]);
      }
      for (const [QueueUrl, queued] of byQueue) {
        for (let start = 0; start < queued.length; start += BATCH_LIMIT) {
          const chunk = queued.slice(start, start + BATCH_LIMIT);
          failed.push(...(await changeBatch(options.client, QueueUrl, chunk)));
        }
      }
      return { failed };
    },
  };
}

async function changeBatch(
  client: SQSClient,
  QueueUrl: string,
  chunk: readonly VisibilityChange[],
): Promise<VisibilityFailure[]> {
  const entries = chunk.map((change, index) => ({
    Id: `r${index}`,
    ReceiptHandle: change.record.receiptHandle,
    VisibilityTimeout: change.seconds,
  }));
  try {
    const { Failed = [] } = await client.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: entries }),
    );
    return Failed.map((entry) => ({
      messageId: chunk[Number(entry.Id?.slice(1))]?.record.messageId ?? String(entry.Id),
      reason: `${entry.Code ?? 'error'}: ${entry.Message ?? ''}`.trim(),
    }));
  } catch (error) {
    const { name, message } = describeError(error);
    return chunk.map((change) => ({ messageId: change.record.messageId, reason: `${name}: ${message}` }));
  }
}
