import { createHash, randomUUID } from 'node:crypto';

/**
 * The state of the local SQS: queues, their messages, FIFO deduplication and group locking, and
 * visibility. Plain data and rules, no protocol: `sqs-server.ts` speaks the AWS JSON protocol and
 * calls into this. Errors are {@link SqsRuleError}s carrying the SQS error code.
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

/** A message handed out by a receive, with its receipt handle. */
export interface ReceivedMessage {
  readonly message: StoredMessage;
  readonly receiptHandle: string;
  readonly receivedAt: number;
}

/** A rule of SQS broken by a request: the protocol layer turns it into the matching error. */
export class SqsRuleError extends Error {
  constructor(
    readonly code:
      'InvalidParameterValue' | 'MissingParameter' | 'QueueDoesNotExist' | 'ReceiptHandleIsInvalid',
    message: string,
  ) {
    super(message);
    this.name = 'SqsRuleError';
  }
}

export interface SendInput {
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttribute>>;
  readonly messageGroupId?: string | undefined;
  readonly messageDeduplicationId?: string | undefined;
}

export interface SendResult {
  readonly messageId: string;
  readonly sequenceNumber?: string;
}

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/** One queue: FIFO when its name ends in `.fifo`. */
export class LocalQueue {
  readonly fifo: boolean;
  /** In the queue now (visible or in flight), oldest first. */
  readonly messages: StoredMessage[] = [];
  /** Every message ever accepted, including received-and-deleted ones. */
  readonly sent: StoredMessage[] = [];
  private readonly deduplication = new Map<string, { result: SendResult; at: number }>();
  private readonly receipts = new Map<string, string>();
  private readonly invisibleUntil = new Map<string, number>();
  private sequence = 10_000_000_000_000_000_000n;

  constructor(
    readonly name: string,
    public contentBasedDeduplication: boolean,
    private readonly now: () => number,
  ) {
    this.fifo = name.endsWith('.fifo');
  }

  /** Accepts a message, or answers a FIFO duplicate inside the 5-minute window with the first one's ids. */
  send(input: SendInput): SendResult {
    const deduplicationId = this.deduplicationIdOf(input);
    const at = this.now();
    if (deduplicationId !== undefined) {
      const previous = this.deduplication.get(deduplicationId);
      if (previous !== undefined && at - previous.at < DEDUPLICATION_WINDOW_MS) return previous.result;
    }
    const sequenceNumber = this.fifo ? String((this.sequence += 1n)) : undefined;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      attributes: input.attributes,
      ...(input.messageGroupId === undefined ? {} : { messageGroupId: input.messageGroupId }),
      ...(deduplicationId === undefined ? {} : { messageDeduplicationId: deduplicationId }),
      ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
      sentTimestamp: at,
      receiveCount: 0,
    };
    const result = {
      messageId: message.messageId,
      ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
    };
    if (deduplicationId !== undefined) this.deduplication.set(deduplicationId, { result, at });
    this.messages.push(message);
    this.sent.push(message);
    return result;
  }

  /**
   * Up to `max` visible messages, made invisible for `visibilityMs`. On a FIFO queue a group with a
   * message in flight delivers nothing more until that message is deleted or visible again.
   */
  receive(max: number, visibilityMs: number): ReceivedMessage[] {
    const at = this.now();
    const visible = (m: StoredMessage) => (this.invisibleUntil.get(m.messageId) ?? 0) <= at;
    const blockedGroups = new Set(
      this.messages.filter((m) => !visible(m) && m.messageGroupId !== undefined).map((m) => m.messageGroupId),
    );
    const picked: StoredMessage[] = [];
    for (const message of this.messages) {
      if (picked.length >= max) break;
      if (!visible(message) || (this.fifo && blockedGroups.has(message.messageGroupId))) continue;
      picked.push(message);
    }
    return picked.map((message) => {
      message.receiveCount += 1;
      const receiptHandle = randomUUID();
      this.receipts.set(receiptHandle, message.messageId);
      this.invisibleUntil.set(message.messageId, at + visibilityMs);
      return { message, receiptHandle, receivedAt: at };
    });
  }

  /** Deletes the message a receipt handle was issued for. */
  delete(receiptHandle: string): void {
    const messageId = this.receipts.get(receiptHandle);
    if (messageId === undefined) {
      throw new SqsRuleError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not valid.`,
      );
    }
    this.receipts.delete(receiptHandle);
    this.invisibleUntil.delete(messageId);
    const index = this.messages.findIndex((m) => m.messageId === messageId);
    if (index >= 0) this.messages.splice(index, 1);
  }

  /** The FIFO rules for group and deduplication ids; the id to deduplicate on, if any. */
  private deduplicationIdOf(input: SendInput): string | undefined {
    if (!this.fifo) {
      if (input.messageDeduplicationId !== undefined) {
        throw new SqsRuleError(
          'InvalidParameterValue',
          'The request include parameter that is not valid for this queue type',
        );
      }
      return undefined;
    }
    if (input.messageGroupId === undefined || input.messageGroupId === '') {
      throw new SqsRuleError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    }
    if (input.messageDeduplicationId !== undefined) return input.messageDeduplicationId;
    if (!this.contentBasedDeduplication) {
      throw new SqsRuleError(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    return createHash('sha256').update(input.body).digest('hex');
  }
}

/** The queues of one local SQS, by name. */
export class LocalQueues {
  private readonly queues = new Map<string, LocalQueue>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Creates a queue (idempotent: an existing one is kept). */
  create(name: string, contentBasedDeduplication = false): LocalQueue {
    if (!/^[\w-]{1,80}(\.fifo)?$/.test(name)) {
      throw new SqsRuleError('InvalidParameterValue', `invalid queue name "${name}"`);
    }
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new LocalQueue(name, contentBasedDeduplication, this.now);
      this.queues.set(name, queue);
    }
    return queue;
  }

  has(name: string): boolean {
    return this.queues.has(name);
  }

  get(name: string): LocalQueue {
    const queue = this.queues.get(name);
    if (queue === undefined)
      throw new SqsRuleError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }
}
