import { SQSClient } from '@aws-sdk/client-sqs';
import type { SqsHandler } from '@flow-worker/runtime';
import { acknowledge, receiveBatch } from '../../cli/local/event-source.js';
import { lambdaContext } from '../../cli/local/lambda.js';
import type { LocalSqs } from '../../cli/local/sqs-server.js';

/**
 * Lambda's SQS event source mapping, played around a real handler against the local SQS: pollers
 * receive up to 10 messages (the local SQS keeps FIFO group locking, visibility, receive counts and
 * the redrive to the dead-letter queue after `maxReceiveCount`), invoke the handler, and delete
 * what it did not report in `batchItemFailures`. Time is a {@link VirtualClock} the local SQS runs
 * on: when nothing is visible, the clock jumps to the next moment a message becomes visible again,
 * so hours of backoff take milliseconds.
 */

/** The clock of the local SQS and of the simulated outages. */
export class VirtualClock {
  constructor(private ms = Date.UTC(2026, 10, 24, 10, 0, 0)) {}

  readonly now = (): number => this.ms;

  advanceTo(ms: number): void {
    this.ms = Math.max(this.ms, ms);
  }
}

export interface EventSourceMappingOptions {
  readonly sqs: LocalSqs;
  readonly queueName: string;
  readonly handler: SqsHandler;
  readonly clock: VirtualClock;
  /** Invocations running at once (each polls its own batch). @default 2 */
  readonly concurrency?: number;
  /** The function timeout each invocation gets, in real milliseconds. @default 30 000 */
  readonly functionTimeoutMs?: number;
  /** Moments (virtual ms) the clock must stop at even if no message becomes visible then (an outage ending). */
  readonly milestones?: readonly number[];
}

export interface DrainResult {
  readonly invocations: number;
  /** Records handed to the handler, summed over invocations (a redelivery counts again). */
  readonly deliveries: number;
}

export interface EventSourceMapping {
  /** One poll and invocation; the number of records delivered (0: nothing was visible). */
  poll(): Promise<number>;
  /** Polls until the queue is empty, moving the clock forward when nothing is visible. */
  drain(limit?: { readonly maxInvocations?: number }): Promise<DrainResult>;
  close(): void;
}

export function eventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const client = new SQSClient({
    endpoint: options.sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const queueUrl = options.sqs.queueUrl(options.queueName);
  const functionName = `flow-worker-${options.queueName.replace(/\.fifo$/, '')}`;
  const pending = [...(options.milestones ?? [])].sort((a, b) => a - b);

  const poll = async (): Promise<number> => {
    const batch = await receiveBatch(client, queueUrl);
    const records = batch.event.Records.length;
    if (records === 0) return 0;
    const context = lambdaContext(functionName, options.functionTimeoutMs ?? 30_000);
    // A handler that throws fails the whole batch: Lambda deletes nothing.
    const failed = await options.handler(batch.event, context).then(
      (response) => response.batchItemFailures.map((failure) => failure.itemIdentifier),
      () => batch.event.Records.map((record) => record.messageId),
    );
    await acknowledge(client, queueUrl, batch, failed);
    return records;
  };

  /** Moves the clock to the next visibility or milestone; false when nothing is left to wait for. */
  const advance = (): boolean => {
    const next = options.sqs.nextVisibleAt(options.queueName);
    while (pending.length > 0 && (pending[0] ?? Infinity) <= options.clock.now()) pending.shift();
    const candidates = [next, pending[0]].filter((at): at is number => at !== undefined);
    if (candidates.length === 0) return false;
    options.clock.advanceTo(Math.min(...candidates));
    return true;
  };

  return {
    poll,
    async drain(limit = {}) {
      let invocations = 0;
      let deliveries = 0;
      const max = limit.maxInvocations ?? 100_000;
      while (invocations < max) {
        const delivered = await Promise.all(Array.from({ length: options.concurrency ?? 2 }, poll));
        const ran = delivered.filter((count) => count > 0);
        invocations += ran.length;
        deliveries += ran.reduce((sum, count) => sum + count, 0);
        if (ran.length > 0) continue;
        if (options.sqs.messages(options.queueName).length === 0 || !advance()) break;
      }
      return { invocations, deliveries };
    },
    close: () => client.destroy(),
  };
}
