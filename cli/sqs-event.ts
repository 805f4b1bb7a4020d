import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** Region and account used in the ARNs of events built locally. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The ARN of a flow-worker FIFO queue, e.g. `arn:aws:sqs:us-east-1:000000000000:inbound-sync.fifo`. */
export function queueArn(queue: string, region = LOCAL_REGION, accountId = LOCAL_ACCOUNT_ID): string {
  return `arn:aws:sqs:${region}:${accountId}:${queue.endsWith('.fifo') ? queue : `${queue}.fifo`}`;
}

export interface FifoMessage {
  readonly body: string;
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
  /** @default a random UUID */
  readonly messageId?: string;
  /** @default 1 */
  readonly receiveCount?: number;
  /** @default the record's position: 18 digits, increasing */
  readonly sequenceNumber?: string;
}

/**
 * One SQS record as Lambda's event source mapping delivers it from a FIFO queue: message id,
 * `MessageGroupId`, `MessageDeduplicationId`, `SequenceNumber`, MD5 of the body.
 */
export function fifoRecord(queue: string, message: FifoMessage, index = 0, now = Date.now()): SQSRecord {
  const sentTimestamp = String(now);
  return {
    messageId: message.messageId ?? randomUUID(),
    receiptHandle: `local-${randomUUID()}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount ?? 1),
      SentTimestamp: sentTimestamp,
      SequenceNumber:
        message.sequenceNumber ?? String(18_000_000_000_000_000_000n + BigInt(now) * 1000n + BigInt(index)),
      MessageGroupId: message.messageGroupId,
      SenderId: 'AIDALOCALFLOWWORKER',
      MessageDeduplicationId: message.messageDeduplicationId,
      ApproximateFirstReceiveTimestamp: sentTimestamp,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(queue),
    awsRegion: LOCAL_REGION,
  };
}

/** An SQS event of FIFO records, in order. */
export function fifoEvent(queue: string, messages: readonly FifoMessage[], now = Date.now()): SQSEvent {
  return { Records: messages.map((message, index) => fifoRecord(queue, message, index, now)) };
}
