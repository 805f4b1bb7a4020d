import { LocalQueue, MAX_VISIBILITY_SECONDS, SqsRuleError } from './sqs-queues.js';

/**
 * The queues of one local SQS by name, and the queue attributes it understands: what
 * `CreateQueue` and `SetQueueAttributes` change. The rules of one queue are in `sqs-queues.ts`.
 */

/** Queue attributes the local SQS understands (`CreateQueue`, `SetQueueAttributes`). */
export interface QueueSettings {
  readonly contentBasedDeduplication?: boolean;
  readonly visibilityTimeoutSeconds?: number;
  /** The dead-letter queue's name and the receives before a message moves there. */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

/** The queues of one local SQS, by name. */
export class LocalQueues {
  private readonly queues = new Map<string, LocalQueue>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Creates a queue (idempotent: an existing one is kept), then applies `settings`. */
  create(name: string, settings: QueueSettings = {}): LocalQueue {
    if (!/^[\w-]{1,80}(\.fifo)?$/.test(name)) {
      throw new SqsRuleError('InvalidParameterValue', `invalid queue name "${name}"`);
    }
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new LocalQueue(name, settings.contentBasedDeduplication ?? false, this.now);
      this.queues.set(name, queue);
    }
    this.configure(queue, settings);
    return queue;
  }

  /** Applies queue attributes; a redrive target must exist and be of the same type. */
  configure(queue: LocalQueue, settings: QueueSettings): void {
    if (settings.visibilityTimeoutSeconds !== undefined) {
      const seconds = settings.visibilityTimeoutSeconds;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
        throw new SqsRuleError('InvalidParameterValue', `Invalid value for the parameter VisibilityTimeout.`);
      }
      queue.visibilityTimeoutSeconds = seconds;
    }
    if (settings.redrive !== undefined) {
      const target = this.get(settings.redrive.deadLetterQueue);
      const { maxReceiveCount } = settings.redrive;
      if (target.fifo !== queue.fifo || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
        throw new SqsRuleError('InvalidParameterValue', 'Value for parameter RedrivePolicy is invalid.');
      }
      queue.redrive = { target, maxReceiveCount };
    }
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

  /** Every queue, by name. */
  names(): string[] {
    return [...this.queues.keys()].sort();
  }
}
