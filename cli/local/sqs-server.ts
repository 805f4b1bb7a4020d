import { createHash, randomUUID } from 'node:crypto';
import { AwsJsonError, requiredString, startAwsJsonServer } from './aws-json-server.js';
import type { AwsJsonCall } from './aws-json-server.js';

/**
 * A minimal SQS on 127.0.0.1 speaking the AWS JSON 1.0 protocol of the SDK v3 `SQSClient`:
 * CreateQueue, GetQueueUrl, SendMessage, ReceiveMessage, DeleteMessage. Enough for the handlers'
 * emits and dead-letter sends and for the `npm start` demo: point `AWS_ENDPOINT_URL_SQS` at it.
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

export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** A message as stored, for tests to inspect. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttribute>>;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
  readonly sentTimestamp: number;
  receiveCount: number;
}

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
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const DEFAULT_VISIBILITY_TIMEOUT_S = 30;

interface Queue {
  readonly name: string;
  readonly fifo: boolean;
  contentBasedDeduplication: boolean;
  readonly messages: StoredMessage[];
  readonly sent: StoredMessage[];
  readonly deduplication: Map<string, { messageId: string; sequenceNumber?: string; at: number }>;
  /** receipt handle → message id; and message id → invisible-until. */
  readonly receipts: Map<string, string>;
  readonly invisibleUntil: Map<string, number>;
  sequence: bigint;
}

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

const invalidParameter = (message: string) =>
  new AwsJsonError('InvalidParameterValue', message, { queryError: 'InvalidParameterValue;Sender' });

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

export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const now = options.now ?? Date.now;
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const queues = new Map<string, Queue>();
  let endpoint = '';

  const urlOf = (name: string) => `${endpoint}/${ACCOUNT}/${name}`;
  const create = (name: string, contentBasedDeduplication = false): string => {
    if (!/^[\w-]{1,80}(\.fifo)?$/.test(name)) throw invalidParameter(`invalid queue name "${name}"`);
    const existing = queues.get(name);
    if (existing === undefined) {
      queues.set(name, {
        name,
        fifo: name.endsWith('.fifo'),
        contentBasedDeduplication,
        messages: [],
        sent: [],
        deduplication: new Map(),
        receipts: new Map(),
        invisibleUntil: new Map(),
        sequence: 10_000_000_000_000_000_000n,
      });
    }
    return urlOf(name);
  };
  const queueOf = (input: Record<string, unknown>): Queue => {
    const url = requiredString(input, 'QueueUrl');
    const name = url.split('/').at(-1) ?? '';
    const queue = queues.get(name);
    if (queue === undefined) {
      throw new AwsJsonError('QueueDoesNotExist', 'The specified queue does not exist.', {
        queryError: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      });
    }
    return queue;
  };

  const sendMessage = (input: Record<string, unknown>) => {
    const queue = queueOf(input);
    const body = requiredString(input, 'MessageBody');
    const attributes = parseAttributes(input.MessageAttributes);
    if (Buffer.byteLength(body) + attributeBytes(attributes) > maxMessageBytes) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
      );
    }
    const groupId = input.MessageGroupId as string | undefined;
    let deduplicationId = input.MessageDeduplicationId as string | undefined;
    if (queue.fifo) {
      if (groupId === undefined || groupId === '') {
        throw new AwsJsonError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
      }
      if (deduplicationId === undefined) {
        if (!queue.contentBasedDeduplication) {
          throw invalidParameter(
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        deduplicationId = createHash('sha256').update(body).digest('hex');
      }
    } else if (deduplicationId !== undefined) {
      throw invalidParameter('The request include parameter that is not valid for this queue type');
    }

    const at = now();
    const md5OfAttributes =
      Object.keys(attributes).length > 0 ? md5OfMessageAttributes(attributes) : undefined;
    if (deduplicationId !== undefined) {
      const previous = queue.deduplication.get(deduplicationId);
      if (previous !== undefined && at - previous.at < DEDUPLICATION_WINDOW_MS) {
        return {
          MessageId: previous.messageId,
          MD5OfMessageBody: md5(body),
          ...(md5OfAttributes === undefined ? {} : { MD5OfMessageAttributes: md5OfAttributes }),
          ...(previous.sequenceNumber === undefined ? {} : { SequenceNumber: previous.sequenceNumber }),
        };
      }
    }
    const sequenceNumber = queue.fifo ? String((queue.sequence += 1n)) : undefined;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      ...(groupId === undefined ? {} : { messageGroupId: groupId }),
      ...(deduplicationId === undefined ? {} : { messageDeduplicationId: deduplicationId }),
      ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
      sentTimestamp: at,
      receiveCount: 0,
    };
    if (deduplicationId !== undefined) {
      queue.deduplication.set(deduplicationId, {
        messageId: message.messageId,
        at,
        ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
      });
    }
    queue.messages.push(message);
    queue.sent.push(message);
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: md5(body),
      ...(md5OfAttributes === undefined ? {} : { MD5OfMessageAttributes: md5OfAttributes }),
      ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
    };
  };

  const receiveNow = (queue: Queue, input: Record<string, unknown>) => {
    const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
    const visibilityMs = Number(input.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_S) * 1000;
    const wanted = (input.MessageAttributeNames as string[] | undefined) ?? [];
    const all = wanted.includes('All') || wanted.includes('.*');
    const at = now();
    const visible = (m: StoredMessage) => (queue.invisibleUntil.get(m.messageId) ?? 0) <= at;
    // FIFO: a group with a message in flight delivers nothing more until it is deleted or visible again.
    const blockedGroups = new Set(
      queue.messages
        .filter((m) => !visible(m) && m.messageGroupId !== undefined)
        .map((m) => m.messageGroupId),
    );
    const picked: StoredMessage[] = [];
    for (const message of queue.messages) {
      if (picked.length >= max) break;
      if (!visible(message) || (queue.fifo && blockedGroups.has(message.messageGroupId))) continue;
      picked.push(message);
    }
    return picked.map((message) => {
      message.receiveCount += 1;
      const receiptHandle = randomUUID();
      queue.receipts.set(receiptHandle, message.messageId);
      queue.invisibleUntil.set(message.messageId, at + visibilityMs);
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
          ApproximateFirstReceiveTimestamp: String(at),
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
    });
  };

  const receiveMessage = async (input: Record<string, unknown>) => {
    const queue = queueOf(input);
    const waitMs = Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const messages = receiveNow(queue, input);
      if (messages.length > 0 || Date.now() >= deadline)
        return messages.length > 0 ? { Messages: messages } : {};
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const deleteMessage = (input: Record<string, unknown>) => {
    const queue = queueOf(input);
    const handle = requiredString(input, 'ReceiptHandle');
    const messageId = queue.receipts.get(handle);
    if (messageId === undefined) {
      throw new AwsJsonError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not valid.`);
    }
    queue.receipts.delete(handle);
    queue.invisibleUntil.delete(messageId);
    const index = queue.messages.findIndex((m) => m.messageId === messageId);
    if (index >= 0) queue.messages.splice(index, 1);
    return {};
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AmazonSQS',
    errorNamespace: 'com.amazonaws.sqs',
    contentType: 'application/x-amz-json-1.0',
    operations: {
      CreateQueue: (input) => {
        const name = requiredString(input, 'QueueName');
        const attributes = (input.Attributes ?? {}) as Record<string, string>;
        if (attributes.FifoQueue === 'true' && !name.endsWith('.fifo')) {
          throw invalidParameter(
            'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix',
          );
        }
        const url = create(name, attributes.ContentBasedDeduplication === 'true');
        return { QueueUrl: url };
      },
      GetQueueUrl: (input) => {
        const name = requiredString(input, 'QueueName');
        if (!queues.has(name)) {
          throw new AwsJsonError('QueueDoesNotExist', 'The specified queue does not exist.', {
            queryError: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
          });
        }
        return { QueueUrl: urlOf(name) };
      },
      SendMessage: sendMessage,
      ReceiveMessage: receiveMessage,
      DeleteMessage: deleteMessage,
    },
  });
  endpoint = server.endpoint;

  const named = (name: string): Queue => {
    const queue = queues.get(name);
    if (queue === undefined) throw new Error(`local SQS: no queue named "${name}"`);
    return queue;
  };
  return {
    endpoint,
    calls: server.calls,
    createQueue: (name, queueOptions = {}) => create(name, queueOptions.contentBasedDeduplication),
    queueUrl: (name) => (named(name), urlOf(name)),
    messages: (name) => [...named(name).messages],
    sent: (name) => [...named(name).sent],
    close: () => server.close(),
  };
}
