import { createHash } from 'node:crypto';
import {
  LOCAL_SQS_ACCOUNT,
  SqsRuleError,
  type MessageAttribute,
  type ReceivedMessage,
} from './sqs-queues.js';

/**
 * How the local SQS writes and reads messages on the wire (AWS JSON 1.0): message attributes and
 * their MD5s, sizes, and a received message as `ReceiveMessage` answers it.
 */

export const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

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

export const invalidParameter = (message: string): SqsRuleError =>
  new SqsRuleError('InvalidParameterValue', message);

/** The `MessageAttributes` of a send, validated as SQS does (non-empty types and values, at most 10). */
export function parseAttributes(input: unknown): Record<string, MessageAttribute> {
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

/** The bytes SQS counts against the message size limit for attributes. */
export function attributeBytes(attributes: Readonly<Record<string, MessageAttribute>>): number {
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
export function receivedOutput(
  { message, receiptHandle, receivedAt }: ReceivedMessage,
  wanted: readonly string[],
): Record<string, unknown> {
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
      SenderId: LOCAL_SQS_ACCOUNT,
      ...(message.messageGroupId === undefined ? {} : { MessageGroupId: message.messageGroupId }),
      ...(message.messageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: message.messageDeduplicationId }),
      ...(message.sequenceNumber === undefined ? {} : { SequenceNumber: message.sequenceNumber }),
      ...(message.deadLetterQueueSourceArn === undefined
        ? {}
        : { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn }),
    },
    ...(Object.keys(attributes).length === 0
      ? {}
      : { MessageAttributes: attributes, MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
  };
}
