import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { MessageAttributeValue, SQSClient, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { RecordOutcome } from './batch.js';
import { FlowWorkerError, describeError, errorClassOf } from '../errors.js';
import type { ErrorClass } from '../errors.js';

/** Why a record is dead-lettered. Becomes the DLQ message's attributes (docs/handlers.md, the dead-letter queue message). */
export interface DeadLetterReason {
  readonly errorClass: Exclude<ErrorClass, 'retryable'>;
  readonly errorMessage: string;
  readonly flow?: string | undefined;
  readonly step?: string | undefined;
}

/** Where dead-lettered records go. */
export interface DeadLetterQueue {
  send(record: SQSRecord, reason: DeadLetterReason): Promise<void>;
}

/** Names of the DLQ message attributes, in one place. */
export const DEAD_LETTER_ATTRIBUTES = {
  errorClass: 'error_class',
  errorMessage: 'error_message',
  flow: 'flow',
  step: 'step',
  sourceQueue: 'source_queue',
} as const;

/** SQS attribute values are bounded; the message stays readable and the body keeps the room. */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/** Sending the record to the DLQ failed: the record is reported failed instead (SQS redelivers it). */
export class DeadLetterError extends FlowWorkerError {
  override name = 'DeadLetterError';
}

/** The queue name of a record's `eventSourceARN` (`arn:aws:sqs:eu-west-1:123:inbound-sync.fifo` → `inbound-sync.fifo`). */
export function sourceQueueOf(record: Pick<SQSRecord, 'eventSourceARN'>): string | undefined {
  const arn = record.eventSourceARN;
  if (arn === undefined) return undefined;
  // Every record of a function's batches comes from the same queue: read the ARN once.
  if (arn !== lastArn) {
    lastArn = arn;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    lastQueue = name === '' ? undefined : name;
  }
  return lastQueue;
}
let lastArn: string | undefined;
let lastQueue: string | undefined;

// SQS rejects attribute values with characters outside XML 1.0's; an error message may contain any.
const INVALID_SQS_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function attributeText(value: string, max = 256): string {
  const clean = value.replace(INVALID_SQS_CHARS, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function stringAttribute(value: string, max?: number): MessageAttributeValue {
  return { DataType: 'String', StringValue: attributeText(value, max) };
}

/**
 * The `SendMessage` input that dead-letters a record: the original body unchanged; on a FIFO DLQ
 * `MessageGroupId` = the original group and `MessageDeduplicationId` = the original `messageId` (so
 * a redelivered record is not dead-lettered twice); reason attributes `error_class`,
 * `error_message`, `flow` and `step` (when known) and `source_queue`.
 */
export function deadLetterMessage(
  record: SQSRecord,
  reason: DeadLetterReason,
  queueUrl: string,
): SendMessageCommandInput {
  const attributes: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.errorClass]: stringAttribute(reason.errorClass),
    [DEAD_LETTER_ATTRIBUTES.errorMessage]: stringAttribute(
      reason.errorMessage === '' ? '(no message)' : reason.errorMessage,
      MAX_ERROR_MESSAGE_LENGTH,
    ),
  };
  if (reason.flow !== undefined && reason.flow !== '') {
    attributes[DEAD_LETTER_ATTRIBUTES.flow] = stringAttribute(reason.flow);
  }
  if (reason.step !== undefined && reason.step !== '') {
    attributes[DEAD_LETTER_ATTRIBUTES.step] = stringAttribute(reason.step);
  }
  const sourceQueue = sourceQueueOf(record);
  if (sourceQueue !== undefined)
    attributes[DEAD_LETTER_ATTRIBUTES.sourceQueue] = stringAttribute(sourceQueue);

  const fifo = new URL(queueUrl).pathname.endsWith('.fifo');
  return {
    QueueUrl: queueUrl,
    MessageBody: record.body,
    MessageAttributes: attributes,
    ...(fifo
      ? {
          MessageGroupId: record.attributes.MessageGroupId ?? record.messageId,
          MessageDeduplicationId: record.messageId,
        }
      : {}),
  };
}

export interface SqsDeadLetterQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** The DLQ as an SQS queue (`DLQ_URL`). */
export function createSqsDeadLetterQueue(options: SqsDeadLetterQueueOptions): DeadLetterQueue {
  return {
    async send(record, reason) {
      await options.client.send(new SendMessageCommand(deadLetterMessage(record, reason, options.queueUrl)));
    },
  };
}

/** Where a failure happened, when the caller knows better than the error's own context. */
export interface FailureLocation {
  readonly flow?: string | undefined;
  readonly step?: string | undefined;
}

/**
 * Decides a failed record's fate from its error's class: `retryable` → reported failed; `poison`
 * and `permanent` → dead-lettered and acknowledged, or reported failed when the DLQ send fails.
 */
export async function deadLetterOrFail(
  record: SQSRecord,
  error: unknown,
  deadLetter: DeadLetterQueue,
  where: FailureLocation = {},
): Promise<RecordOutcome> {
  const errorClass = errorClassOf(error);
  if (errorClass === 'retryable') return { status: 'failed', error };
  const context = error instanceof FlowWorkerError ? error.context : {};
  const reason: DeadLetterReason = {
    errorClass,
    errorMessage: describeError(error).message,
    flow: where.flow ?? context.flow,
    step: where.step ?? context.step,
  };
  try {
    await deadLetter.send(record, reason);
    return { status: 'dead-lettered', errorClass };
  } catch (sendError) {
    const failure = new DeadLetterError(
      `message ${record.messageId} (${errorClass}: ${describeError(error).message.slice(0, 200)}) could not be` +
        ` sent to the dead-letter queue (${describeError(sendError).name}); reported failed so SQS redelivers it`,
      { cause: sendError, context: { messageId: record.messageId } },
    );
    return { status: 'failed', error: failure };
  }
}
