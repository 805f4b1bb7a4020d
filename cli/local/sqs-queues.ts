import { createHash, randomUUID } from 'node:crypto';

/**
 * The state of the local SQS: queues, their messages, FIFO deduplication and group locking,
 * visibility (with `ChangeMessageVisibility`'s limits), receive counts and the redrive of a message
 * to its dead-letter queue after `maxReceiveCount` receives. Plain data and rules, no protocol:
 * `sqs-server.ts` speaks the AWS JSON protocol and calls into this. Errors are
 * {@link SqsRuleError}s carrying the SQS error code.
 */

/** Account and region of every local queue's ARN. */
export const LOCAL_SQS_ACCOUNT = '000000000000';
export const LOCAL_SQS_REGION = 'us-east-1';

/** SQS's limit on how long a received message can stay hidden, counted from its receive. */
export const MAX_VISIBILITY_SECONDS = 43_200;

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
  /** Set on a message SQS moved here from its source queue after `maxReceiveCount` receives. */
  readonly deadLetterQueueSourceArn?: string;
  receiveCount: number;
}

/** A message handed out by a receive, with its receipt handle. */
export interface ReceivedMessage {
  readonly message: StoredMessage;
  readonly receiptHandle: string;
  readonly receivedAt: number;
}

export type SqsRuleCode =
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'QueueDoesNotExist'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight';

/** A rule of SQS broken by a request: the protocol layer turns it into the matching error. */
export class SqsRuleError extends Error {
  constructor(
    readonly code: SqsRuleCode,
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
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/** A received message's visibility: hidden until `until`, under the latest `receipt`. */
interface InFlight {
  readonly receipt: string;
  readonly receivedAt: number;
  until: number;
}

/** The ARN of a local queue. */
export function localQueueArn(name: string): string {
  return `arn:aws:sqs:${LOCAL_SQS_REGION}:${LOCAL_SQS_ACCOUNT}:${name}`;
}

/** One queue: FIFO when its name ends in `.fifo`. */
export class LocalQueue {
  readonly fifo: boolean;
  readonly arn: string;
  /** In the queue now (visible or in flight), oldest first. */
  readonly messages: StoredMessage[] = [];
  /** Every message ever accepted, including received-and-deleted ones. */
  readonly sent: StoredMessage[] = [];
  /** The queue's `VisibilityTimeout`, in seconds: how long a receive hides a message by default. */
  visibilityTimeoutSeconds = DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  /** The queue's redrive policy: after `maxReceiveCount` receives a message moves to `target`. */
  redrive: { readonly target: LocalQueue; readonly maxReceiveCount: number } | undefined;
  private readonly deduplication = new Map<string, { result: SendResult; at: number }>();
  private readonly receipts = new Map<string, string>();
  private readonly inFlight = new Map<string, InFlight>();
  private sequence = 10_000_000_000_000_000_000n;

  constructor(
    readonly name: string,
    public contentBasedDeduplication: boolean,
    private readonly now: () => number,
  ) {
    this.fifo = name.endsWith('.fifo');
    this.arn = localQueueArn(name);
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
   * Up to `max` visible messages, made invisible for `visibilityMs` (default: the queue's
   * visibility timeout). On a FIFO queue a group with a message in flight delivers nothing more
   * until that message is deleted or visible again. A message already received `maxReceiveCount`
   * times is moved to the dead-letter queue instead of being delivered again.
   */
  receive(max: number, visibilityMs = this.visibilityTimeoutSeconds * 1000): ReceivedMessage[] {
    const at = this.now();
    const blockedGroups = new Set(
      this.messages
        .filter((m) => !this.visibleAt(m, at) && m.messageGroupId !== undefined)
        .map((m) => m.messageGroupId),
    );
    const picked: StoredMessage[] = [];
    for (const message of [...this.messages]) {
      if (picked.length >= max) break;
      if (!this.visibleAt(message, at) || (this.fifo && blockedGroups.has(message.messageGroupId))) continue;
      if (this.redrive !== undefined && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(message, this.redrive.target);
        continue;
      }
      picked.push(message);
    }
    return picked.map((message) => {
      message.receiveCount += 1;
      const receiptHandle = randomUUID();
      this.receipts.set(receiptHandle, message.messageId);
      this.inFlight.set(message.messageId, {
        receipt: receiptHandle,
        receivedAt: at,
        until: at + visibilityMs,
      });
      return { message, receiptHandle, receivedAt: at };
    });
  }

  /** Deletes the message a receipt handle was issued for. */
  delete(receiptHandle: string): void {
    const messageId = this.messageIdOf(receiptHandle);
    this.receipts.delete(receiptHandle);
    this.inFlight.delete(messageId);
    const index = this.messages.findIndex((m) => m.messageId === messageId);
    if (index >= 0) this.messages.splice(index, 1);
  }

  /**
   * Hides a received message for `seconds` from now (0: visible at once). Like SQS: only a message
   * in flight under this receipt, and never beyond 12 hours after its receive.
   */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const messageId = this.messageIdOf(receiptHandle);
    const at = this.now();
    const flight = this.inFlight.get(messageId);
    if (flight === undefined || flight.receipt !== receiptHandle || flight.until <= at) {
      throw new SqsRuleError('MessageNotInflight', `Message ${messageId} is not in flight.`);
    }
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw new SqsRuleError(
        'InvalidParameterValue',
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and ${MAX_VISIBILITY_SECONDS}.`,
      );
    }
    const until = at + seconds * 1000;
    if (until - flight.receivedAt > MAX_VISIBILITY_SECONDS * 1000) {
      throw new SqsRuleError(
        'InvalidParameterValue',
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds].`,
      );
    }
    flight.until = until;
  }

  /** How many messages are visible now and how many are in flight. */
  counts(): { readonly visible: number; readonly inFlight: number } {
    const at = this.now();
    const visible = this.messages.filter((m) => this.visibleAt(m, at)).length;
    return { visible, inFlight: this.messages.length - visible };
  }

  /** When the next message in flight becomes visible again; `undefined` when none is in flight. */
  nextVisibleAt(): number | undefined {
    const at = this.now();
    const times = this.messages
      .map((m) => this.inFlight.get(m.messageId)?.until)
      .filter((until): until is number => until !== undefined && until > at);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** When a message in flight becomes visible again (`undefined`: it is visible, or gone). */
  hiddenUntil(messageId: string): number | undefined {
    const until = this.inFlight.get(messageId)?.until;
    return until === undefined || until <= this.now() ? undefined : until;
  }

  /** Takes a message SQS moved here from its source queue (no deduplication, ids kept). */
  acceptRedriven(message: StoredMessage, sourceArn: string): void {
    const moved: StoredMessage = { ...message, deadLetterQueueSourceArn: sourceArn };
    this.messages.push(moved);
    this.sent.push(moved);
  }

  private moveToDeadLetterQueue(message: StoredMessage, target: LocalQueue): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
    this.inFlight.delete(message.messageId);
    target.acceptRedriven(message, this.arn);
  }

  private visibleAt(message: StoredMessage, at: number): boolean {
    return (this.inFlight.get(message.messageId)?.until ?? 0) <= at;
  }

  private messageIdOf(receiptHandle: string): string {
    const messageId = this.receipts.get(receiptHandle);
    if (messageId === undefined) {
      throw new SqsRuleError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not valid.`,
      );
    }
    return messageId;
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
