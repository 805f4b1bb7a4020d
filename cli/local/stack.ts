import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createConfigTable,
  createRunStateTable,
  createManifestsTable,
  type ConfigTable,
  type QueueName,
} from '@flow-worker/runtime';
import { startDynalite } from './dynalite.js';
import { startLocalSecretsManager, type LocalSecretsManager } from './secrets-server.js';
import { startLocalSqs, type LocalSqs } from './sqs-server.js';

/** Names of the local queues and table: the same base names the CDK stack uses. */
export const LOCAL_NAMES = {
  table: 'flow-worker-config',
  runStateTable: 'flow-worker-run-state',
  manifestsTable: 'flow-worker-manifests',
  queues: { 'inbound-sync': 'inbound-sync.fifo', 'outbound-sync': 'outbound-sync.fifo' },
  deadLetterQueues: { 'inbound-sync': 'inbound-sync-dlq.fifo', 'outbound-sync': 'outbound-sync-dlq.fifo' },
} as const satisfies {
  table: string;
  runStateTable: string;
  manifestsTable: string;
  queues: Record<QueueName, string>;
  deadLetterQueues: Record<QueueName, string>;
};

export interface LocalStack {
  readonly dynamodbEndpoint: string;
  readonly sqs: LocalSqs;
  readonly secrets: LocalSecretsManager;
  /** The config table, created. */
  readonly table: ConfigTable;
  /** The event_flow_manifests table, created. */
  readonly manifests: ConfigTable;
  readonly queueUrl: (queue: QueueName) => string;
  readonly deadLetterQueueUrl: (queue: QueueName) => string;
  /**
   * The environment a handler for `queue` reads (docs/handlers.md), pointing every AWS SDK client at
   * the local services.
   */
  handlerEnvironment(queue: QueueName, logLevel: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * The local queues' retry settings: a small `maxReceiveCount` (also the handlers' `MAX_RECEIVE_COUNT`)
 * and the stack's default visibility timeout, so a local run shows the last receive quickly.
 */
export const LOCAL_DELIVERY = { maxReceiveCount: 5, visibilityTimeoutSeconds: 180 } as const;

/**
 * Starts the local AWS stand-ins on 127.0.0.1 (free ports): dynalite with the config, manifests and run-state
 * tables, the local SQS with both sync queues and their FIFO dead-letter queues (redrive after
 * {@link LOCAL_DELIVERY}'s `maxReceiveCount`), and the local Secrets Manager holding `secrets`.
 */
export async function startLocalStack(secrets: Readonly<Record<string, string>> = {}): Promise<LocalStack> {
  const dynalite = await startDynalite();
  const sqs = await startLocalSqs();
  const secretsManager = await startLocalSecretsManager(secrets);
  const dynamodb = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createConfigTable(dynamodb, LOCAL_NAMES.table);
  await createRunStateTable(dynamodb, LOCAL_NAMES.runStateTable);
  await createManifestsTable(dynamodb, LOCAL_NAMES.manifestsTable);
  const client = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const table: ConfigTable = { client, tableName: LOCAL_NAMES.table };
  const manifests: ConfigTable = { client, tableName: LOCAL_NAMES.manifestsTable };
  for (const queue of ['inbound-sync', 'outbound-sync'] as const) {
    sqs.createQueue(LOCAL_NAMES.deadLetterQueues[queue]);
    sqs.createQueue(LOCAL_NAMES.queues[queue], {
      visibilityTimeoutSeconds: LOCAL_DELIVERY.visibilityTimeoutSeconds,
      redrive: {
        deadLetterQueue: LOCAL_NAMES.deadLetterQueues[queue],
        maxReceiveCount: LOCAL_DELIVERY.maxReceiveCount,
      },
    });
  }
  const queueUrl = (queue: QueueName) => sqs.queueUrl(LOCAL_NAMES.queues[queue]);
  const deadLetterQueueUrl = (queue: QueueName) => sqs.queueUrl(LOCAL_NAMES.deadLetterQueues[queue]);
  return {
    dynamodbEndpoint: dynalite.endpoint,
    sqs,
    secrets: secretsManager,
    table,
    manifests,
    queueUrl,
    deadLetterQueueUrl,
    handlerEnvironment: (queue, logLevel) => ({
      AWS_REGION: 'us-east-1',
      // What Lambda sets for an on-demand function (Powertools reports cold starts only then).
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      CONFIG_TABLE_NAME: LOCAL_NAMES.table,
      RUN_STATE_TABLE_NAME: LOCAL_NAMES.runStateTable,
      MAX_RECEIVE_COUNT: String(LOCAL_DELIVERY.maxReceiveCount),
      DLQ_URL: deadLetterQueueUrl(queue),
      INBOUND_QUEUE_URL: queueUrl('inbound-sync'),
      OUTBOUND_QUEUE_URL: queueUrl('outbound-sync'),
      CONFIG_CACHE_TTL_SECONDS: '30',
      LOG_LEVEL: logLevel,
    }),
    close: async () => {
      dynamodb.destroy();
      await Promise.all([dynalite.close(), sqs.close(), secretsManager.close()]);
    },
  };
}
