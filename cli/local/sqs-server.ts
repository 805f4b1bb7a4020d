import { AwsJsonError, startAwsJsonServer } from './aws-json-server.js';
import type { AwsJsonCall, AwsJsonOperation } from './aws-json-server.js';
import { sqsOperations } from './sqs-operations.js';
import {
  LOCAL_SQS_ACCOUNT,
  SqsRuleError,
  type LocalQueue,
  type SqsRuleCode,
  type StoredMessage,
} from './sqs-queues.js';
import { LocalQueues, type QueueSettings } from './sqs-registry.js';

export type { MessageAttribute, StoredMessage } from './sqs-queues.js';
export { md5OfMessageAttributes } from './sqs-wire.js';

/**
 * A small SQS on 127.0.0.1 speaking the AWS JSON 1.0 protocol of the SDK v3 `SQSClient`: enough
 * for the handlers (emits, dead letters, visibility backoff), the `npm start` demo, the
 * `flow-worker dlq` commands and the delivery simulation. Point `AWS_ENDPOINT_URL_SQS` at it.
 * This file starts it; the protocol is in `sqs-operations.ts` and `sqs-wire.ts`, the queue rules
 * in `sqs-queues.ts` and `sqs-registry.ts`.
 *
 * Operations: CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes, SendMessage(Batch),
 * ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch).
 *
 * What it keeps of SQS: FIFO queues require `MessageGroupId` and a deduplication id (or
 * content-based deduplication), drop a duplicate inside the 5-minute window (answering with the
 * first message's id), deliver a group's messages in order and nothing more of a group while one
 * is in flight; visibility timeouts (the queue's, a receive's, `ChangeMessageVisibility` within 12
 * hours of the receive); `ApproximateReceiveCount`; a redrive policy that moves a message to its
 * dead-letter queue instead of delivering it again after `maxReceiveCount` receives (with
 * `DeadLetterQueueSourceArn`); batch requests of 1 to 10 entries answered per entry; message
 * attributes validated and returned with correct MD5s. Not emulated: long polling beyond a short
 * wait, retention, delay queues, permissions.
 *
 * @example
 * const sqs = await startLocalSqs();
 * const dlqUrl = sqs.createQueue('flow-worker-dlq.fifo');
 * process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
 */

/** An error the local SQS answers an operation with instead of running it (tests of faults). */
export interface LocalSqsFault {
  readonly code: string;
  readonly message: string;
  /** @default 500 */
  readonly status?: number;
}

export interface LocalSqsOptions {
  /** The clock of visibility, receive and send times. @default Date.now */
  readonly now?: () => number;
  /** Largest accepted message (body + attributes). @default 1 MiB (SQS's limit since 2025) */
  readonly maxMessageBytes?: number;
  /** Consulted before every operation: a fault it returns is answered instead. */
  readonly fault?: (operation: string, input: Readonly<Record<string, unknown>>) => LocalSqsFault | undefined;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  /** Every call answered (operation and status), in order. */
  readonly calls: readonly AwsJsonCall[];
  /**
   * Creates a queue (FIFO when the name ends in `.fifo`) and returns its URL. Idempotent; the
   * settings are applied to an existing queue too.
   */
  createQueue(name: string, settings?: QueueSettings): string;
  queueUrl(name: string): string;
  /** Messages in the queue now (visible or in flight), oldest first. */
  messages(name: string): readonly StoredMessage[];
  /** Every message the queue ever accepted, including received-and-deleted ones. */
  sent(name: string): readonly StoredMessage[];
  /** When the next message in flight in the queue becomes visible; `undefined` when none is in flight. */
  nextVisibleAt(name: string): number | undefined;
  /** When a message in flight becomes visible again; `undefined` when it is visible (or gone). */
  hiddenUntil(name: string, messageId: string): number | undefined;
  close(): Promise<void>;
}

/** The SQS error codes the protocol answers, with the query-compatible error each maps to. */
const QUERY_ERRORS: Record<SqsRuleCode, string | undefined> = {
  InvalidParameterValue: 'InvalidParameterValue;Sender',
  MissingParameter: undefined,
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
  ReceiptHandleIsInvalid: undefined,
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight;Sender',
};

/** Turns a broken queue rule into the AWS JSON error SQS answers with, and injects faults. */
function asAwsErrors(
  operations: Record<string, AwsJsonOperation>,
  fault: LocalSqsOptions['fault'],
): Record<string, AwsJsonOperation> {
  const toAwsError = (error: unknown): never => {
    if (!(error instanceof SqsRuleError)) throw error;
    const queryError = QUERY_ERRORS[error.code];
    throw new AwsJsonError(error.code, error.message, queryError === undefined ? {} : { queryError });
  };
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      async (input: Record<string, unknown>) => {
        const injected = fault?.(name, input);
        if (injected !== undefined) {
          throw new AwsJsonError(injected.code, injected.message, { status: injected.status ?? 500 });
        }
        try {
          return await operation(input);
        } catch (error) {
          return toAwsError(error);
        }
      },
    ]),
  );
}

export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const queues = new LocalQueues(options.now ?? Date.now);
  let endpoint = '';
  const urlOf = (name: string) => `${endpoint}/${LOCAL_SQS_ACCOUNT}/${name}`;
  const server = await startAwsJsonServer({
    targetPrefix: 'AmazonSQS',
    errorNamespace: 'com.amazonaws.sqs',
    contentType: 'application/x-amz-json-1.0',
    operations: asAwsErrors(
      sqsOperations(queues, urlOf, options.maxMessageBytes ?? 1024 * 1024),
      options.fault,
    ),
  });
  endpoint = server.endpoint;

  const existing = (name: string): LocalQueue => {
    if (!queues.has(name)) throw new Error(`local SQS: no queue named "${name}"`);
    return queues.get(name);
  };
  return {
    endpoint,
    calls: server.calls,
    createQueue: (name, settings = {}) => {
      queues.create(name, settings);
      return urlOf(name);
    },
    queueUrl: (name) => (existing(name), urlOf(name)),
    messages: (name) => [...existing(name).messages],
    sent: (name) => [...existing(name).sent],
    nextVisibleAt: (name) => existing(name).nextVisibleAt(),
    hiddenUntil: (name, messageId) => existing(name).hiddenUntil(messageId),
    close: () => server.close(),
  };
}
