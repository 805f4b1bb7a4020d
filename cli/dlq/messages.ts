import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES, isPlainObject, type DeadLetterReason } from '@flow-worker/runtime';

/**
 * Reading a dead-letter queue without emptying it: messages are received with a visibility
 * timeout (so a scan sees each once), turned into {@link DlqEntry} rows, and made visible again
 * at the end unless they were moved.
 */

/** `error_class` values, and `unknown` for a message SQS moved itself (it carries no reason). */
export const DLQ_REASONS = ['poison', 'permanent', 'exhausted', 'unknown'] as const satisfies readonly (
  DeadLetterReason['errorClass'] | 'unknown'
)[];
export type DlqReason = (typeof DLQ_REASONS)[number];

/** One message of a dead-letter queue, as `dlq list --json` prints it. */
export interface DlqEntry {
  readonly message_id: string;
  readonly reason: DlqReason;
  readonly connector: string | null;
  readonly flow: string | null;
  readonly step: string | null;
  readonly source_queue: string | null;
  readonly age_seconds: number;
  readonly error_message: string | null;
}

/** A received dead-letter message: its row and what redriving it needs. */
export interface DlqMessage {
  readonly entry: DlqEntry;
  readonly receiptHandle: string;
  readonly body: string;
  readonly groupId: string | undefined;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** What chooses messages: every filter given must match. */
export interface DlqFilters {
  readonly reason?: DlqReason;
  readonly connector?: string;
  readonly flow?: string;
}

export function matches(entry: DlqEntry, filters: DlqFilters): boolean {
  return (
    (filters.reason === undefined || entry.reason === filters.reason) &&
    (filters.connector === undefined || entry.connector === filters.connector) &&
    (filters.flow === undefined || entry.flow === filters.flow)
  );
}

function connectorOf(body: string): string | null {
  try {
    const value: unknown = JSON.parse(body);
    return isPlainObject(value) && typeof value.connector_id === 'string' ? value.connector_id : null;
  } catch {
    return null;
  }
}

function reasonOf(value: string | null): DlqReason {
  return DLQ_REASONS.find((reason) => reason === value) ?? 'unknown';
}

/** A received message as a row: reason and place from its attributes, connector from its body. */
export function dlqMessageOf(message: Message, now: number): DlqMessage {
  const attributes = message.MessageAttributes ?? {};
  const text = (name: string) => attributes[name]?.StringValue ?? null;
  const system = message.Attributes ?? {};
  const movedFrom = system.DeadLetterQueueSourceArn?.split(':').at(-1) ?? null;
  const body = message.Body ?? '';
  const sent = Number(system.SentTimestamp ?? now);
  return {
    entry: {
      message_id: message.MessageId ?? '',
      reason: reasonOf(text(DEAD_LETTER_ATTRIBUTES.errorClass)),
      connector: connectorOf(body),
      flow: text(DEAD_LETTER_ATTRIBUTES.flow),
      step: text(DEAD_LETTER_ATTRIBUTES.step),
      source_queue: text(DEAD_LETTER_ATTRIBUTES.sourceQueue) ?? movedFrom,
      age_seconds: Math.max(0, Math.floor((now - sent) / 1000)),
      error_message: text(DEAD_LETTER_ATTRIBUTES.errorMessage),
    },
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    groupId: system.MessageGroupId,
    attributes,
  };
}

export interface ScanOptions {
  /** How long each received message stays hidden from others while the scan runs. @default 300 */
  readonly visibilitySeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Long polling of each receive: an empty answer after it means the queue is done. @default 1 */
  readonly waitSeconds?: number;
}

/**
 * Receives every message it can from the queue, batch by batch, handing each batch of messages not
 * seen before to `onBatch` (which may delete some), until a receive brings nothing new. On a FIFO
 * queue a message group's later messages become visible only once its earlier ones left the queue.
 */
export async function scanQueue(
  client: SQSClient,
  queueUrl: string,
  onBatch: (messages: readonly DlqMessage[]) => Promise<void>,
  options: ScanOptions = {},
): Promise<void> {
  const seen = new Set<string>();
  const now = options.now ?? Date.now;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: options.visibilitySeconds ?? 300,
        // Long polling asks every SQS server, so an empty answer means empty.
        WaitTimeSeconds: options.waitSeconds ?? 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) return;
    for (const message of fresh) seen.add(message.MessageId ?? '');
    await onBatch(fresh.map((message) => dlqMessageOf(message, now())));
  }
}

/** How many messages are visible in the queue now (after a scan: those it could not reach). */
export async function visibleCount(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

/** Makes messages visible again at once (a scan is done with them). Best effort. */
export async function release(client: SQSClient, queueUrl: string, messages: readonly DlqMessage[]) {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    await client
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: `m${index}`,
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      )
      .catch(() => undefined);
  }
}

/** What a read of a dead-letter queue found. */
export interface Listing {
  readonly entries: readonly DlqEntry[];
  /** Messages the scan could not reach (see {@link scanQueue}). */
  readonly unreached: number;
}

/**
 * The entries of a dead-letter queue that match the filters, read without removing anything (every
 * message received is made visible again), and how many messages the scan could not reach.
 */
export async function listQueue(
  client: SQSClient,
  queueUrl: string,
  filters: DlqFilters,
  scan: ScanOptions = {},
): Promise<Listing> {
  const listed: DlqMessage[] = [];
  const collect = (messages: readonly DlqMessage[]) => {
    listed.push(...messages);
    return Promise.resolve();
  };
  let unreached: number;
  try {
    await scanQueue(client, queueUrl, collect, scan);
    unreached = await visibleCount(client, queueUrl).catch(() => 0);
  } finally {
    await release(client, queueUrl, listed);
  }
  return {
    entries: listed.map((message) => message.entry).filter((entry) => matches(entry, filters)),
    unreached,
  };
}
