import type { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FLOW_WORKER_CONSTANTS } from './flow-worker-props.js';

export interface SyncQueueProps {
  /** Full queue name without `.fifo`, prefix included (e.g. `dev-inbound-sync`). */
  readonly baseName: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
  readonly retention: Duration;
}

/**
 * A FIFO sync queue and its FIFO dead-letter queue. Producers and the handlers' own dead-lettering
 * always send explicit deduplication ids, so content-based deduplication is off: two different events
 * with the same body must both be delivered.
 */
export class SyncQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** The queue's literal name (`queue.queueName` is a token). */
  readonly queueName: string;

  constructor(scope: Construct, id: string, props: SyncQueueProps) {
    super(scope, id);
    this.queueName = `${props.baseName}.fifo`;
    const common = {
      fifo: true,
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    } as const;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...common,
      queueName: `${props.baseName}${FLOW_WORKER_CONSTANTS.dlqSuffix}.fifo`,
      retentionPeriod: FLOW_WORKER_CONSTANTS.dlqRetention,
    });

    this.queue = new Queue(this, 'Queue', {
      ...common,
      queueName: this.queueName,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retention,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
