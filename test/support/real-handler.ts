import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { vi } from 'vitest';
import { createConfigTable, type ConfigTable, type SqsHandler } from '@flow-worker/runtime';
import { startCountingProxy, type CountingProxy } from '../../cli/local/counting-proxy.js';
import { invokeCaptured, lambdaContext, type CapturedInvocation } from '../../cli/local/lambda.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../cli/local/secrets-server.js';
import { startLocalSqs, type LocalSqs, type StoredMessage } from '../../cli/local/sqs-server.js';
import { anSqsEvent } from '../unit/lambda/sqs-fixtures.js';

/**
 * The real `lambdas/inbound-sync/handler.ts`, imported fresh (a cold start) with its environment
 * pointing at local services over their real protocols: DynamoDB (the shared dynalite, through a
 * counting proxy), SQS and Secrets Manager (the local emulators). Targets are whatever HTTP servers
 * the test starts on 127.0.0.1; the handler is allowed to call loopback addresses the way a local
 * run is (`ALLOW_TARGET_ADDRESSES=loopback`), unless the test's environment says otherwise.
 */
export interface RealHandler {
  readonly table: ConfigTable;
  readonly dynamodb: CountingProxy;
  readonly sqs: LocalSqs;
  readonly secrets: LocalSecretsManager;
  /** A fresh handler module with the local environment plus `env`. */
  coldHandler(env?: Readonly<Record<string, string>>): Promise<SqsHandler>;
  /** One invocation on `records`, with the log lines and what reached the dead-letter queue. */
  invoke(handler: SqsHandler, records: readonly SQSRecord[]): Promise<HandledBatch>;
  close(): Promise<void>;
}

export interface HandledBatch extends CapturedInvocation {
  /** Messages the handler sent to the DLQ during this invocation, in order. */
  readonly deadLetters: readonly StoredMessage[];
}

const DLQ = 'inbound-sync-dlq.fifo';

export async function startRealHandler(dynamodbEndpoint: string): Promise<RealHandler> {
  const savedEnv = { ...process.env };
  const dynamodb = await startCountingProxy(dynamodbEndpoint);
  const sqs = await startLocalSqs();
  for (const queue of [DLQ, 'inbound-sync.fifo', 'outbound-sync.fifo']) sqs.createQueue(queue);
  const secrets = await startLocalSecretsManager();
  const raw = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table: ConfigTable = {
    client: DynamoDBDocumentClient.from(raw),
    tableName: `real-handler-${randomUUID()}`,
  };
  await createConfigTable(raw, table.tableName);

  return {
    table,
    dynamodb,
    sqs,
    secrets,
    async coldHandler(env = {}) {
      process.env = {
        ...savedEnv,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        CONFIG_TABLE_NAME: table.tableName,
        DLQ_URL: sqs.queueUrl(DLQ),
        INBOUND_QUEUE_URL: sqs.queueUrl('inbound-sync.fifo'),
        OUTBOUND_QUEUE_URL: sqs.queueUrl('outbound-sync.fifo'),
        LOG_LEVEL: 'INFO',
        ALLOW_TARGET_ADDRESSES: 'loopback',
        ...env,
      };
      vi.resetModules();
      const module = (await import('../../lambdas/inbound-sync/handler.js')) as { handler: SqsHandler };
      return module.handler;
    },
    async invoke(handler, records) {
      const before = sqs.sent(DLQ).length;
      const captured = await invokeCaptured(
        handler,
        anSqsEvent(records),
        lambdaContext('flow-worker-inbound-sync'),
      );
      return { ...captured, deadLetters: sqs.sent(DLQ).slice(before) };
    },
    async close() {
      process.env = savedEnv;
      raw.destroy();
      await Promise.all([dynamodb.close(), sqs.close(), secrets.close()]);
    },
  };
}
