import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { ENVIRONMENT_DEFAULTS, type QueueName } from '@flow-worker/runtime';

/** Log levels offered for `LOG_LEVEL` (the handlers accept these and a few more). */
export const FLOW_WORKER_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type FlowWorkerLogLevel = (typeof FLOW_WORKER_LOG_LEVELS)[number];

/**
 * Props of the {@link FlowWorker} construct. Every prop is optional: `new FlowWorker(this, 'Worker')`
 * deploys `inbound-sync.fifo` and `outbound-sync.fifo` with their dead-letter queues, a new config
 * table and the two handlers.
 */
export interface FlowWorkerProps {
  /**
   * Prefix of every queue name, so several stages can live in one account and region
   * (`dev-` gives `dev-inbound-sync.fifo`). Letters, digits, `-` and `_` only, at most
   * {@link MAX_NAME_PREFIX_LENGTH} characters (SQS FIFO names, `.fifo` included, are at most 80).
   * @default '' (the queues are exactly `inbound-sync.fifo` and `outbound-sync.fifo`)
   */
  readonly namePrefix?: string;

  /**
   * An existing config table (partition key `connector_id`, a string) to read instead of creating one.
   * @default - a new on-demand table with point-in-time recovery, retained on stack deletion
   */
  readonly configTable?: ITable;

  /**
   * An existing `event_flow_manifests` table (partition key `connector_id`, a string) instead of a
   * new one: `flow-worker publish --manifests-table` writes each connector's manifest there, and
   * producers read it (`grantReadManifests`).
   * @default - a new on-demand table with point-in-time recovery, retained on stack deletion
   */
  readonly manifestsTable?: ITable;

  /**
   * What happens to the tables this construct creates (config, manifests) when they leave the
   * stack. Setting it while passing both `configTable` and `manifestsTable` is an error.
   * @default RemovalPolicy.RETAIN (published configs outlive the stack)
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

  /**
   * Receives of a message (1 to 1000): on the last one a record that still fails is dead-lettered
   * with `error_class` `exhausted` (and SQS's redrive policy moves anything left after it). Permanent
   * failures skip the retries: the handler dead-letters them at once. It must let the backoff
   * schedule outlast `outageTolerance`.
   * @default - the fewest receives whose backoff schedule outlasts `outageTolerance`, even with
   * the shortest jitter (197 with the default backoff and 24 hours)
   */
  readonly maxReceiveCount?: number;

  /**
   * How long a failed record waits before its next receive, after its first failure
   * (`RETRY_BACKOFF_BASE_SECONDS`); the wait doubles with each receive up to `retryBackoffMax`,
   * with jitter that never shortens it below half. Whole seconds, at least 1.
   * @default Duration.seconds(30)
   */
  readonly retryBackoffBase?: Duration;

  /**
   * The longest wait between two receives of a failed record (`RETRY_BACKOFF_MAX_SECONDS`). Whole
   * seconds; with `functionTimeout` it must fit in the 12 hours SQS lets a received message stay
   * hidden.
   * @default Duration.minutes(15)
   */
  readonly retryBackoffMax?: Duration;

  /**
   * The target outage the queues ride out with nothing dead-lettered: `maxReceiveCount` is chosen
   * (or checked) so that a record failing all along is still received after an outage this long.
   * @default Duration.hours(24)
   */
  readonly outageTolerance?: Duration;

  /**
   * Timeout of each handler (3 seconds to 15 minutes). The handler stops starting steps shortly
   * before it (10% of the timeout, 0.5 to 2 seconds) to save checkpoints and back off records.
   * @default Duration.seconds(30)
   */
  readonly functionTimeout?: Duration;

  /**
   * Visibility timeout of both sync queues; at least 6 × `functionTimeout` (the AWS guidance for SQS
   * event sources, so a message is not redelivered while a retried batch still runs), at most 12 hours.
   * @default 6 × functionTimeout
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long an unprocessed message stays on a sync queue (1 minute to 14 days). It must hold the
   * whole retry schedule: every receive of a record that keeps failing, with the longest waits.
   * @default Duration.days(4)
   */
  readonly queueRetention?: Duration;

  /**
   * Memory of each handler in MiB (128 to 10240).
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Reserved concurrency of each handler; at least `maxConcurrency` when both are set.
   * @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;

  /**
   * Most concurrent invocations the SQS event source starts per handler (2 to 1000). Bounds the load
   * on HubSpot and other targets better than reserved concurrency, which throttles instead. The two
   * handlers together run at most `2 × maxConcurrency` containers, and each container may send
   * `hubspotRequestsPer10Seconds / (2 × maxConcurrency)` requests (rounded down) to one HubSpot app
   * in any 10 seconds, so the worker as a whole stays within that budget.
   * @default 2 (4 containers, 25 requests per 10 s each with the default budget)
   */
  readonly maxConcurrency?: number;

  /**
   * Requests per rolling 10 seconds the deployed worker may send to one HubSpot app (one private-app
   * token): HubSpot's burst limit for the account's tier (100 Free/Starter, 190 Professional and
   * Enterprise, 250 with the API limit increase), less what other integrations of the same app use.
   * Shared out between the containers (see `maxConcurrency`); must leave each at least 1.
   * @default 100
   */
  readonly hubspotRequestsPer10Seconds?: number;

  /**
   * Active X-Ray tracing on both handlers (adds the X-Ray write permissions, which cannot be scoped).
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * Ship source maps with both handlers and turn them on (`NODE_OPTIONS=--enable-source-maps`), so
   * stack traces in the logs name the TypeScript files and lines. Node reads every loaded module's
   * map when it is imported: turning them off makes each cold start 15–30 ms of CPU shorter
   * (docs/performance.md, cold start), and stack traces then point into the minified bundle.
   * @default true
   */
  readonly sourceMaps?: boolean;

  /**
   * Name prefix of the Secrets Manager secrets targets may read (their `secret` field). The handlers
   * get `secretsmanager:GetSecretValue` on `secret:<prefix>*` and nothing else. Must not be empty
   * and must not contain wildcards.
   * @default 'flow-worker/'
   */
  readonly secretNamePrefix?: string;

  /**
   * Let targets reach private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, …):
   * sets `ALLOW_TARGET_ADDRESSES=private` on both handlers. Only useful when the functions can reach
   * such networks; public addresses are always allowed, link-local and instance-metadata addresses
   * (169.254.0.0/16, fd00:ec2::/32, …) never. Publish with `--allow-target-addresses private` to get
   * the same verdict on literal addresses before deploying a config.
   * @default false
   */
  readonly allowPrivateTargetAddresses?: boolean;

  /**
   * Retention of each handler's log group (created by this construct, so the retention is kept).
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * `LOG_LEVEL` of both handlers.
   * @default 'INFO'
   */
  readonly logLevel?: FlowWorkerLogLevel;

  /**
   * How long a handler reuses a connector's config before reading it again
   * (`CONFIG_CACHE_TTL_SECONDS`, whole seconds, at most one hour).
   * @default Duration.seconds(30)
   */
  readonly configCacheTtl?: Duration;

  /**
   * `POWERTOOLS_SERVICE_NAME`: the `service` field of every log line and metric dimension.
   * @default 'flow-worker'
   */
  readonly serviceName?: string;

  /**
   * `POWERTOOLS_METRICS_NAMESPACE`: CloudWatch namespace of the handlers' custom metrics.
   * @default 'FlowWorker'
   */
  readonly metricsNamespace?: string;

  /**
   * Alarm when the oldest message of a sync queue is older than this (1 minute or more).
   * @default Duration.minutes(5)
   */
  readonly queueAgeAlarmThreshold?: Duration;

  /**
   * Topic every alarm notifies (on ALARM and on OK). Mutually exclusive with `alarmEmail`.
   * @default - no alarm actions, unless `alarmEmail` is set
   */
  readonly alarmTopic?: ITopic;

  /**
   * Creates a topic with this e-mail subscription for the alarms (the address must confirm it).
   * Mutually exclusive with `alarmTopic`.
   * @default - no topic is created
   */
  readonly alarmEmail?: string;
}

/**
 * Every default of {@link FlowWorkerProps}, in one place (the TSDoc `@default`s mirror these).
 * `visibilityTimeout` has none of its own: it is `visibilityTimeoutFactor` × `functionTimeout`;
 * nor has `maxReceiveCount`: it is derived from the backoff and `outageTolerance`.
 */
export const FLOW_WORKER_DEFAULTS = {
  namePrefix: '',
  tableRemovalPolicy: RemovalPolicy.RETAIN,
  // The handlers' own defaults: one source of truth for the wait between receives.
  retryBackoffBase: Duration.seconds(ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS),
  retryBackoffMax: Duration.seconds(ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS),
  outageTolerance: Duration.hours(24),
  functionTimeout: Duration.seconds(30),
  visibilityTimeoutFactor: 6,
  queueRetention: Duration.days(4),
  memorySize: 512,
  maxConcurrency: 2,
  // The handlers' own default: a container told nothing uses HubSpot's smallest limit whole.
  hubspotRequestsPer10Seconds: ENVIRONMENT_DEFAULTS.HUBSPOT_REQUESTS_PER_10_SECONDS,
  tracing: false,
  sourceMaps: true,
  secretNamePrefix: 'flow-worker/',
  allowPrivateTargetAddresses: false,
  logRetention: RetentionDays.ONE_MONTH,
  logLevel: ENVIRONMENT_DEFAULTS.LOG_LEVEL as FlowWorkerLogLevel,
  // The handlers' own defaults: one source of truth for what an unset variable means.
  configCacheTtl: Duration.seconds(ENVIRONMENT_DEFAULTS.CONFIG_CACHE_TTL_SECONDS),
  serviceName: ENVIRONMENT_DEFAULTS.POWERTOOLS_SERVICE_NAME,
  metricsNamespace: ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE,
  queueAgeAlarmThreshold: Duration.minutes(5),
} as const;

/** Fixed by SQS FIFO and by how the handlers work, not configurable. */
export const FLOW_WORKER_CONSTANTS = {
  /** FIFO event sources take at most 10 records a batch. */
  batchSize: 10,
  /**
   * The shortest handler timeout: the handler keeps at least 0.5 s in hand before its deadline
   * (checkpoints, dead letters, backoff), and a step needs the rest.
   */
  minFunctionTimeout: Duration.seconds(3),
  /** SQS hides a received message for at most 12 hours after its receive. */
  maxVisibility: Duration.hours(12),
  /** The SQS maximum, so an operator has two weeks to inspect and redrive. */
  dlqRetention: Duration.days(14),
  // `satisfies` ties these to the runtime's queue names (the `emit` step's `queue` values).
  queueBaseNames: {
    inbound: 'inbound-sync' satisfies QueueName,
    outbound: 'outbound-sync' satisfies QueueName,
  },
  dlqSuffix: '-dlq',
} as const;

/** The longest queue name is `<prefix>outbound-sync-dlq.fifo`, and SQS allows 80 characters. */
export const MAX_NAME_PREFIX_LENGTH =
  80 - `${FLOW_WORKER_CONSTANTS.queueBaseNames.outbound}${FLOW_WORKER_CONSTANTS.dlqSuffix}.fifo`.length;

/** Props with every default applied. */
export interface ResolvedFlowWorkerProps {
  readonly namePrefix: string;
  readonly configTable?: ITable;
  readonly manifestsTable?: ITable;
  readonly tableRemovalPolicy: RemovalPolicy;
  readonly maxReceiveCount: number;
  readonly retryBackoffBase: Duration;
  readonly retryBackoffMax: Duration;
  readonly outageTolerance: Duration;
  readonly functionTimeout: Duration;
  readonly visibilityTimeout: Duration;
  readonly queueRetention: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
  readonly maxConcurrency: number;
  readonly hubspotRequestsPer10Seconds: number;
  readonly tracing: boolean;
  readonly sourceMaps: boolean;
  readonly secretNamePrefix: string;
  readonly allowPrivateTargetAddresses: boolean;
  readonly logRetention: RetentionDays;
  readonly logLevel: FlowWorkerLogLevel;
  readonly configCacheTtl: Duration;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly queueAgeAlarmThreshold: Duration;
  readonly alarmTopic?: ITopic;
  readonly alarmEmail?: string;
}

/**
 * What one container may send to one HubSpot app in any 10 seconds: the budget shared out between
 * the most containers the two handlers can run (`2 × maxConcurrency`), rounded down.
 * @example hubspotRequestsPerContainer({ hubspotRequestsPer10Seconds: 100, maxConcurrency: 2 }) // 25
 */
export function hubspotRequestsPerContainer(
  props: Pick<ResolvedFlowWorkerProps, 'hubspotRequestsPer10Seconds' | 'maxConcurrency'>,
): number {
  const containers = Object.keys(FLOW_WORKER_CONSTANTS.queueBaseNames).length * props.maxConcurrency;
  return Math.floor(props.hubspotRequestsPer10Seconds / containers);
}
