import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { QueueName } from '../document/config.js';
import { createConfigStore, type LazyTargetFactory } from './config-store.js';
import { createSqsDeadLetterQueue } from './dead-letter.js';
import { readEnvironment } from './environment.js';
import { createObservability } from './observability.js';
import { createDynamoRunStateStore } from './run-state.js';
import { createSqsHandler } from './sqs-handler.js';
import type { SqsHandler, SqsHandlerDeps } from './sqs-handler.js';
import { HUBSPOT_DEFAULT_RATE_LIMIT } from '../targets/hubspot/default-rate-limit.js';
import { createSecretsManagerProvider } from '../targets/secrets.js';
import type { TargetFactory } from '../targets/target.js';
import { createSqsEmitter } from '../targets/sqs-emitter.js';
import { createSqsVisibilityChanger } from './visibility.js';

export interface FlowWorkerHandlerOptions {
  /** The queue this function consumes: a log field and a metric dimension. */
  readonly queue: QueueName;
  /** Overrides for tests and the local CLI (clients, logger, metrics, clock, retry settings). */
  readonly overrides?: Partial<SqsHandlerDeps>;
}

/**
 * Builds a flow-worker Lambda handler from its environment: validates the variables (an
 * `EnvironmentError` naming the variable at cold start), creates the AWS SDK clients once (they
 * honour `AWS_ENDPOINT_URL_DYNAMODB` / `_SQS` / `_SECRETS_MANAGER` and `AWS_REGION`), and wires the
 * config store, targets, emitter, dead-letter queue, logger and metrics into `createSqsHandler`.
 *
 * @example
 * // lambdas/inbound-sync/handler.ts
 * export const handler = createFlowWorkerHandler(process.env, { queue: 'inbound-sync' });
 */
export function createFlowWorkerHandler(
  env: Readonly<Record<string, string | undefined>>,
  options: FlowWorkerHandlerOptions,
): SqsHandler {
  const environment = readEnvironment(env);
  const { logger, metrics } = createObservability({
    serviceName: environment.serviceName,
    namespace: environment.metricsNamespace,
    logLevel: environment.logLevel,
    dimensions: { queue: options.queue },
    // Lambda sets it for each invocation; read when the invocation starts.
    traceHeader: () => env._X_AMZN_TRACE_ID,
  });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient({});
  // One factory per container: it owns the HubSpot rate limiters every config version shares. Its
  // module (the HTTP and HubSpot targets) is loaded with the first config compile, not at init.
  let targetFactory: Promise<TargetFactory> | undefined;
  const secrets = createSecretsManagerProvider({
    client: new SecretsManagerClient({}),
    allowedPrefix: environment.secretNamePrefix,
  });
  const lazyTargetFactory: LazyTargetFactory = {
    load: () =>
      (targetFactory ??= import('../targets/factory.js').then(({ createTargetFactory }) =>
        createTargetFactory({
          secrets,
          hubspotRateLimit: {
            requests: environment.hubspotRequestsPer10Seconds,
            intervalMs: HUBSPOT_DEFAULT_RATE_LIMIT.intervalMs,
          },
          allowTargetAddresses: environment.allowTargetAddresses,
        }),
      )),
  };
  if (environment.runStateTableName === undefined) {
    logger.warn('RUN_STATE_TABLE_NAME is not set: a redelivered message runs every step again');
  }
  return createSqsHandler({
    ...(environment.runStateTableName === undefined
      ? {}
      : {
          runState: createDynamoRunStateStore({
            client: documents,
            tableName: environment.runStateTableName,
          }),
        }),
    ...(environment.maxReceiveCount === undefined ? {} : { maxReceiveCount: environment.maxReceiveCount }),
    backoff: environment.backoff,
    visibility: createSqsVisibilityChanger({ client: sqs, queueUrls: environment.queueUrls }),
    configs: createConfigStore({
      client: documents,
      tableName: environment.configTableName,
      targetFactory: lazyTargetFactory,
      ttlSeconds: environment.configCacheTtlSeconds,
      allowTargetAddresses: environment.allowTargetAddresses,
      logger,
      metrics,
    }),
    emitter: createSqsEmitter({ client: sqs, queueUrls: environment.queueUrls }),
    deadLetter: createSqsDeadLetterQueue({ client: sqs, queueUrl: environment.dlqUrl }),
    logger,
    metrics,
    ...options.overrides,
  });
}
