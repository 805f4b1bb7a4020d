import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { RUN_STATE_ATTRIBUTES } from '@flow-worker/runtime';
import {
  FLOW_WORKER_CONSTANTS,
  type FlowWorkerProps,
  type ResolvedFlowWorkerProps,
} from './flow-worker-props.js';
import { FlowWorkerMonitoring } from './monitoring.js';
import { SyncFunction } from './sync-function.js';
import { SyncQueue } from './sync-queue.js';
import { resolveFlowWorkerProps } from './resolve-props.js';

export * from './flow-worker-props.js';
export { FlowWorkerPropsError, resolveFlowWorkerProps } from './resolve-props.js';

/**
 * The flow worker: two SQS FIFO sync queues (`inbound-sync.fifo`, `outbound-sync.fifo`) with FIFO
 * dead-letter queues, the DynamoDB config table and `event_flow_manifests` table, the run-state
 * table (step checkpoints between deliveries), one handler per queue with a least-privilege role,
 * and alarms plus a dashboard.
 *
 * @example
 * new FlowWorker(this, 'Worker', { namePrefix: 'dev-', alarmEmail: 'oncall@example.com' });
 */
export class FlowWorker extends Construct {
  /** Props with defaults applied. */
  readonly settings: ResolvedFlowWorkerProps;
  /** The config table: connectors' published configs and their retained versions. */
  readonly table: ITable;
  /** Step checkpoints between deliveries of a message (`RUN_STATE_TABLE_NAME`). */
  readonly runStateTable: Table;
  /** The `event_flow_manifests` table: one manifest item per connector, written by publish. */
  readonly manifestsTable: ITable;
  readonly inbound: SyncQueue;
  readonly outbound: SyncQueue;
  readonly inboundHandler: SyncFunction;
  readonly outboundHandler: SyncFunction;
  readonly monitoring: FlowWorkerMonitoring;
  /** The topic alarms notify: `alarmTopic`, or the one created for `alarmEmail`. */
  readonly alarmTopic?: ITopic;

  constructor(scope: Construct, id: string, props: FlowWorkerProps = {}) {
    super(scope, id);
    const s = resolveFlowWorkerProps(props);
    this.settings = s;
    this.table = s.configTable ?? this.createTable('ConfigTable', s);
    this.manifestsTable = s.manifestsTable ?? this.createTable('ManifestsTable', s);
    this.runStateTable = this.createRunStateTable();

    const { inbound, outbound } = FLOW_WORKER_CONSTANTS.queueBaseNames;
    const queueProps = {
      maxReceiveCount: s.maxReceiveCount,
      visibilityTimeout: s.visibilityTimeout,
      retention: s.queueRetention,
    };
    this.inbound = new SyncQueue(this, 'InboundSync', {
      ...queueProps,
      baseName: `${s.namePrefix}${inbound}`,
    });
    this.outbound = new SyncQueue(this, 'OutboundSync', {
      ...queueProps,
      baseName: `${s.namePrefix}${outbound}`,
    });

    // Either handler may emit onto either queue (the emit step names the queue).
    const emitQueues = { inbound: this.inbound.queue, outbound: this.outbound.queue };
    const common = { emitQueues, table: this.table, runStateTable: this.runStateTable, settings: s };
    this.inboundHandler = new SyncFunction(this, 'InboundSyncHandler', {
      ...common,
      handlerName: inbound,
      source: this.inbound,
    });
    this.outboundHandler = new SyncFunction(this, 'OutboundSyncHandler', {
      ...common,
      handlerName: outbound,
      source: this.outbound,
    });

    this.alarmTopic = s.alarmTopic ?? (s.alarmEmail ? this.createAlarmTopic(s.alarmEmail) : undefined);
    this.monitoring = new FlowWorkerMonitoring(this, 'Monitoring', {
      syncs: [
        { name: inbound, queue: this.inbound, function: this.inboundHandler.function },
        { name: outbound, queue: this.outbound, function: this.outboundHandler.function },
      ],
      queueAgeAlarmThreshold: s.queueAgeAlarmThreshold,
      metricsNamespace: s.metricsNamespace,
      serviceName: s.serviceName,
      alarmTopic: this.alarmTopic,
    });
  }

  /**
   * Lets producers and dashboards read connectors' manifests (`GetItem`, `BatchGetItem`, `Query`,
   * `Scan`, and KMS decrypt when the table has a customer-managed key).
   * @example worker.grantReadManifests(producerFunction);
   */
  grantReadManifests(grantee: IGrantable): Grant {
    return this.manifestsTable.grantReadData(grantee);
  }

  /**
   * Lets a role publish and roll back configs the way `flow-worker publish` does (a CI job, an
   * outbox dispatcher): read and write the config table's items and write the manifest items.
   * No table-level actions (create, delete, describe) and no `Scan`.
   */
  grantPublish(grantee: IGrantable): Grant {
    const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];
    const write = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'];
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    this.manifestsTable.encryptionKey?.grantEncryptDecrypt(grantee);
    return this.table.grant(grantee, ...read, ...write).combine(this.manifestsTable.grant(grantee, ...write));
  }

  private createTable(id: string, s: ResolvedFlowWorkerProps): Table {
    return new Table(this, id, {
      partitionKey: { name: 'connector_id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: s.tableRemovalPolicy,
    });
  }

  /**
   * Checkpoints live at most 30 days (TTL on `expires_at`) and only matter while their message can
   * still be delivered, so the table goes with the stack, like the queues. Point-in-time recovery
   * costs next to nothing for a table this small.
   */
  private createRunStateTable(): Table {
    return new Table(this, 'RunStateTable', {
      partitionKey: { name: RUN_STATE_ATTRIBUTES.key, type: AttributeType.STRING },
      timeToLiveAttribute: RUN_STATE_ATTRIBUTES.ttl,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * Not KMS-encrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed SNS key,
   * and alarm notifications carry alarm names and metric values only, no connector data.
   */
  private createAlarmTopic(email: string): Topic {
    const topic = new Topic(this, 'AlarmTopic', { displayName: 'flow-worker alarms', enforceSSL: true });
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }
}
