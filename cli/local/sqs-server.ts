import { createHash } from 'node:crypto';
import { AwsJsonError, requiredString, startAwsJsonServer } from './aws-json-server.js';
import type { AwsJsonCall, AwsJsonOperation } from './aws-json-server.js';
import {
  LocalQueues,
  SqsRuleError,
  type LocalQueue,
  type MessageAttribute,
  type ReceivedMessage,
  type StoredMessage,
} from './sqs-queues.js';

export type { MessageAttribute, StoredMessage } from './sqs-queues.js';

/**
 * A minimal SQS on 127.0.0.1 speaking the AWS JSON 1.0 protocol of the SDK v3 `SQSClient`:
 * CreateQueue, GetQueueUrl, SendMessage, ReceiveMessage, DeleteMessage. Enough for the handlers'
 * emits and dead-letter sends and for the `npm start` demo: point `AWS_ENDPOINT_URL_SQS` at it.
 * This file is the protocol (inputs, outputs, errors, MD5s); the queue rules live in `sqs-queues.ts`.
 *
 * What it keeps of SQS: FIFO queues require `MessageGroupId` and a deduplication id (or
 * content-based deduplication), drop a duplicate inside the 5-minute window (answering with the
 * first message's id), deliver a group's messages one batch at a time in order; standard queues
 * reject a deduplication id; message attributes are validated (non-empty values) and returned
 * with correct MD5s. Not emulated: visibility changes, batches, long polling beyond a short wait,
 * permissions, redrive.
 *
 * @example
 * const sqs = await startLocalSqs();
 * const dlqUrl = sqs.createQueue('flow-worker-dlq.fifo');
 * process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
 */

export interface LocalSqsOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** Largest accepted message (body + attributes). @default 1 MiB (SQS's limit since 2025) */
  readonly maxMessageBytes?: number;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  /** Every call answered (operation and status), in order. */
  readonly calls: readonly AwsJsonCall[];
  /** Creates a queue (FIFO when the name ends in `.fifo`) and returns its URL. Idempotent. */
  createQueue(name: string, options?: { readonly contentBasedDeduplication?: boolean }): string;
  queueUrl(name: string): string;
  /** Messages in the queue now (visible or in flight), oldest first. */
  messages(name: string): readonly StoredMessage[];
  /** Every message the queue ever accepted, including received-and-deleted ones. */
  sent(name: string): readonly StoredMessage[];
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const DEFAULT_VISIBILITY_TIMEOUT_S = 30;

/** The SQS error codes the protocol answers, with the query-compatible error each maps to. */
const QUERY_ERRORS: Record<SqsRuleError['code'], string | undefined> = {
  InvalidParameterValue: 'InvalidParameterValue;Sender',
  MissingParameter: undefined,
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
  ReceiptHandleIsInvalid: undefined,
};

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** SQS's MD5 of message attributes: sorted by name, each name/type/value length-prefixed. */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttribute>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    parts.push(
      lengthPrefixed(Buffer.from(name, 'utf8')),
      lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')),
    );
    if (attribute.StringValue !== undefined) {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(attribute.StringValue, 'utf8')));
    } else {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(attribute.BinaryValue ?? '', 'base64')));
    }
  }
  return md5(Buffer.concat(parts));
}

const invalidParameter = (message: string) => new SqsRuleError('InvalidParameterValue', message);

function parseAttributes(input: unknown): Record<string, MessageAttribute> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object') throw invalidParameter('MessageAttributes must be a map');
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const value = raw as Partial<MessageAttribute>;
    if (typeof value.DataType !== 'string' || value.DataType === '') {
      throw invalidParameter(
        `The message attribute '${name}' must contain a non-empty message attribute type.`,
      );
    }
    const text = value.StringValue ?? value.BinaryValue;
    if (typeof text !== 'string' || text === '') {
      throw invalidParameter(
        `The message attribute '${name}' must contain a non-empty message attribute value.`,
      );
    }
    attributes[name] = { ...value, DataType: value.DataType };
  }
  if (Object.keys(attributes).length > 10) throw invalidParameter('Number of message attributes exceeds 10.');
  return attributes;
}

function attributeBytes(attributes: Readonly<Record<string, MessageAttribute>>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, a]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? ''),
    0,
  );
}

/** A received message as `ReceiveMessage` answers it, with the message attributes asked for. */
function receivedOutput({ message, receiptHandle, receivedAt }: ReceivedMessage, wanted: readonly string[]) {
  const all = wanted.includes('All') || wanted.includes('.*');
  const attributes = Object.fromEntries(
    Object.entries(message.attributes).filter(([name]) => all || wanted.includes(name)),
  );
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: md5(message.body),
    Body: message.body,
    Attributes: {
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(receivedAt),
      SenderId: ACCOUNT,
      ...(message.messageGroupId === undefined ? {} : { MessageGroupId: message.messageGroupId }),
      ...(message.messageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: message.messageDeduplicationId }),
      ...(message.sequenceNumber === undefined ? {} : { SequenceNumber: message.sequenceNumber }),
    },
    ...(Object.keys(attributes).length === 0
      ? {}
      : { MessageAttributes: attributes, MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
  };
}

/** `SendMessage`: size and attribute checks, then the queue's FIFO rules. */
function sendMessage(queue: LocalQueue, input: Record<string, unknown>, maxMessageBytes: number) {
  const body = requiredString(input, 'MessageBody');
  const attributes = parseAttributes(input.MessageAttributes);
  if (Buffer.byteLength(body) + attributeBytes(attributes) > maxMessageBytes) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
    );
  }
  const sent = queue.send({
    body,
    attributes,
    messageGroupId: input.MessageGroupId as string | undefined,
    messageDeduplicationId: input.MessageDeduplicationId as string | undefined,
  });
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: md5(body),
    ...(Object.keys(attributes).length === 0
      ? {}
      : { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
    ...(sent.sequenceNumber === undefined ? {} : { SequenceNumber: sent.sequenceNumber }),
  };
}

/** `ReceiveMessage`, with a short long-poll (`WaitTimeSeconds`, at most 20). */
async function receiveMessage(queue: LocalQueue, input: Record<string, unknown>) {
  const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
  const visibilityMs = Number(input.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_S) * 1000;
  const wanted = (input.MessageAttributeNames as string[] | undefined) ?? [];
  const deadline = Date.now() + Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
  for (;;) {
    const received = queue.receive(max, visibilityMs);
    if (received.length > 0) return { Messages: received.map((r) => receivedOutput(r, wanted)) };
    if (Date.now() >= deadline) return {};
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The SQS operations, each a translation from AWS JSON input to a call on the queues and back. */
function sqsOperations(
  queues: LocalQueues,
  urlOf: (name: string) => string,
  maxMessageBytes: number,
): Record<string, AwsJsonOperation> {
  const queueOf = (input: Record<string, unknown>): LocalQueue =>
    queues.get(requiredString(input, 'QueueUrl').split('/').at(-1) ?? '');

  return {
    CreateQueue: (input) => {
      const name = requiredString(input, 'QueueName');
      const attributes = (input.Attributes ?? {}) as Record<string, string>;
      if (attributes.FifoQueue === 'true' && !name.endsWith('.fifo')) {
        throw invalidParameter(
          'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix',
        );
      }
      queues.create(name, attributes.ContentBasedDeduplication === 'true');
      return { QueueUrl: urlOf(name) };
    },
    GetQueueUrl: (input) => {
      const name = requiredString(input, 'QueueName');
      queues.get(name);
      return { QueueUrl: urlOf(name) };
    },
    SendMessage: (input) => sendMessage(queueOf(input), input, maxMessageBytes),
    ReceiveMessage: (input) => receiveMessage(queueOf(input), input),
    DeleteMessage: (input) => {
      queueOf(input).delete(requiredString(input, 'ReceiptHandle'));
      return {};
    },
  };
}

/** Turns a broken queue rule into the AWS JSON error SQS answers with. */
function asAwsErrors(operations: Record<string, AwsJsonOperation>): Record<string, AwsJsonOperation> {
  const toAwsError = (error: unknown): never => {
    if (!(error instanceof SqsRuleError)) throw error;
    const queryError = QUERY_ERRORS[error.code];
    throw new AwsJsonError(error.code, error.message, queryError === undefined ? {} : { queryError });
  };
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      async (input: Record<string, unknown>) => {
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
  const urlOf = (name: string) => `${endpoint}/${ACCOUNT}/${name}`;
  const server = await startAwsJsonServer({
    targetPrefix: 'AmazonSQS',
    errorNamespace: 'com.amazonaws.sqs',
    contentType: 'application/x-amz-json-1.0',
    operations: asAwsErrors(sqsOperations(queues, urlOf, options.maxMessageBytes ?? 1024 * 1024)),
  });
  endpoint = server.endpoint;

  const existing = (name: string): LocalQueue => {
    if (!queues.has(name)) throw new Error(`local SQS: no queue named "${name}"`);
    return queues.get(name);
  };
  return {
    endpoint,
    calls: server.calls,
    createQueue: (name, queueOptions = {}) => {
      queues.create(name, queueOptions.contentBasedDeduplication);
      return urlOf(name);
    },
    queueUrl: (name) => (existing(name), urlOf(name)),
    messages: (name) => [...existing(name).messages],
    sent: (name) => [...existing(name).sent],
    close: () => server.close(),
  };
}
