import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { REDRIVEN_FROM_ATTRIBUTE, describeError } from '@flow-worker/runtime';
import {
  matches,
  release,
  scanQueue,
  type DlqEntry,
  type DlqFilters,
  type DlqMessage,
  type ScanOptions,
  visibleCount,
} from './messages.js';

/**
 * Moving chosen dead-letter messages back to a queue (`flow-worker dlq redrive`). Each message is
 * sent with its body, its message group and its attributes (plus `redriven_from`), and deleted
 * from the dead-letter queue only after its send succeeded. The send's deduplication id is derived
 * from the dead-letter message's id, so running an interrupted redrive again within SQS's 5-minute
 * deduplication window does not send a message twice. Within a message group, a send that fails
 * stops the group's later messages (they stay in the dead-letter queue), so order holds.
 */

export interface RedriveOptions extends DlqFilters {
  readonly queueUrl: string;
  /** @default the queue named by each message's `source_queue`, next to the dead-letter queue */
  readonly to?: string;
  readonly dryRun?: boolean;
}

export type MoveStatus = 'redriven' | 'would-redrive' | 'failed';

/** What happened to one chosen message. */
export interface Move {
  readonly entry: DlqEntry;
  readonly destination: string | undefined;
  readonly status: MoveStatus;
  readonly error?: string;
}

export interface RedriveResult {
  readonly redriven: number;
  readonly skipped: number;
  readonly failed: number;
  readonly moves: readonly Move[];
  /** Messages the scan could not reach (a FIFO group behind a message left in the queue). */
  readonly unreached: number;
}

/** The FIFO deduplication id of a redriven message: the same on every run for the same DLQ message. */
export function redriveDeduplicationId(dlqMessageId: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['flow-worker dlq redrive', dlqMessageId]))
    .digest('hex');
}

/** The URL of the queue named `name` next to the queue at `url` (same endpoint and account). */
export function siblingQueueUrl(url: string, name: string): string {
  return `${url.slice(0, url.lastIndexOf('/') + 1)}${name}`;
}

function destinationOf(options: RedriveOptions, entry: DlqEntry): string | undefined {
  if (options.to !== undefined) return options.to;
  return entry.source_queue === null ? undefined : siblingQueueUrl(options.queueUrl, entry.source_queue);
}

/** The attributes to send again: the reason attributes as they were, and where the message was. */
function sendAttributes(message: DlqMessage, dlqName: string): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    const { DataType, StringValue, BinaryValue } = value;
    attributes[name] = {
      DataType,
      ...(StringValue === undefined ? {} : { StringValue }),
      ...(BinaryValue === undefined ? {} : { BinaryValue }),
    };
  }
  attributes[REDRIVEN_FROM_ATTRIBUTE] = { DataType: 'String', StringValue: dlqName };
  return attributes;
}

async function send(client: SQSClient, message: DlqMessage, destination: string, dlqName: string) {
  const fifo = destination.endsWith('.fifo');
  await client.send(
    new SendMessageCommand({
      QueueUrl: destination,
      MessageBody: message.body,
      MessageAttributes: sendAttributes(message, dlqName),
      ...(fifo
        ? {
            MessageGroupId: message.groupId ?? message.entry.message_id,
            MessageDeduplicationId: redriveDeduplicationId(message.entry.message_id),
          }
        : {}),
    }),
  );
}

/** Deletes sent messages from the dead-letter queue; answers the message ids it could not delete. */
async function deleteSent(
  client: SQSClient,
  queueUrl: string,
  sent: readonly DlqMessage[],
): Promise<Set<string>> {
  if (sent.length === 0) return new Set();
  const entries = sent.map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.receiptHandle }));
  try {
    const { Failed = [] } = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    return new Set(Failed.map((failure) => sent[Number(failure.Id?.slice(1))]?.entry.message_id ?? ''));
  } catch {
    return new Set(sent.map((message) => message.entry.message_id));
  }
}

/** Redrives one received batch; returns its moves and the messages to make visible again. */
async function redriveBatch(
  client: SQSClient,
  options: RedriveOptions,
  chosen: readonly DlqMessage[],
): Promise<{ moves: Move[]; keep: DlqMessage[] }> {
  const dlqName = options.queueUrl.split('/').at(-1) ?? '';
  const moves: Move[] = [];
  const keep: DlqMessage[] = [];
  const sent: DlqMessage[] = [];
  const stoppedGroups = new Set<string>();
  for (const message of chosen) {
    const destination = destinationOf(options, message.entry);
    const group = message.groupId;
    const fail = (error: string) => {
      moves.push({ entry: message.entry, destination, status: 'failed', error });
      keep.push(message);
      if (group !== undefined) stoppedGroups.add(group);
    };
    if (destination === undefined) fail('no source_queue attribute: give --to <queue url>');
    else if (group !== undefined && stoppedGroups.has(group))
      fail('not sent: an earlier message of its group failed');
    else if (options.dryRun === true) {
      moves.push({ entry: message.entry, destination, status: 'would-redrive' });
      keep.push(message);
    } else {
      try {
        await send(client, message, destination, dlqName);
        sent.push(message);
        moves.push({ entry: message.entry, destination, status: 'redriven' });
      } catch (error) {
        fail(`send failed: ${describeError(error).message}`);
      }
    }
  }
  const notDeleted = await deleteSent(client, options.queueUrl, sent);
  // Sent but still in the dead-letter queue: visible again, so a rerun finds (and dedupes) them.
  keep.push(...sent.filter((message) => notDeleted.has(message.entry.message_id)));
  const settled = moves.map((move): Move =>
    move.status === 'redriven' && notDeleted.has(move.entry.message_id)
      ? {
          ...move,
          status: 'failed',
          error:
            'sent, but still in the dead-letter queue: run the redrive again within 5 minutes (the resend is deduplicated)',
        }
      : move,
  );
  return { moves: settled, keep };
}

/**
 * Moves the messages of a dead-letter queue that match the filters back (or, with `dryRun`, says
 * which it would move). Messages not chosen, and those that could not be moved, are made visible
 * again; moved ones are gone from the dead-letter queue.
 */
export async function redriveQueue(
  client: SQSClient,
  options: RedriveOptions,
  scan: ScanOptions = {},
): Promise<RedriveResult> {
  const moves: Move[] = [];
  const toRelease: DlqMessage[] = [];
  let skipped = 0;
  let unreached: number;
  try {
    await scanQueue(
      client,
      options.queueUrl,
      async (messages) => {
        const chosen = messages.filter((message) => matches(message.entry, options));
        const passed = messages.filter((message) => !chosen.includes(message));
        skipped += passed.length;
        toRelease.push(...passed);
        const batch = await redriveBatch(client, options, chosen);
        moves.push(...batch.moves);
        toRelease.push(...batch.keep);
      },
      scan,
    );
    unreached = await visibleCount(client, options.queueUrl).catch(() => 0);
  } finally {
    await release(client, options.queueUrl, toRelease);
  }
  const count = (status: MoveStatus) => moves.filter((move) => move.status === status).length;
  return {
    redriven: count('redriven') + count('would-redrive'),
    skipped,
    failed: count('failed'),
    moves,
    unreached,
  };
}
