import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

/** Log levels the handlers understand (`LOG_LEVEL`, read by Powertools Logger). */
export type FlowWorkerLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

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
   * What happens to the created config table when it leaves the stack. Only for the table this
   * construct creates: setting it together with `configTable` is an error.
   * @default RemovalPolicy.RETAIN (published configs outlive the stack)
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

  /**
   * Receives of a message before SQS moves it to the queue's dead-letter queue (1 to 1000).
   * Permanent failures skip the retries: the handler dead-letters them at once.
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Timeout of each handler (1 second to 15 minutes).
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
   * How long an unprocessed message stays on a sync queue (1 minute to 14 days).
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
   * on HubSpot and other targets better than reserved concurrency, which throttles instead.
   * @default - none (Lambda scales with the number of message groups)
   */
  readonly maxConcurrency?: number;

  /**
   * Active X-Ray tracing on both handlers (adds the X-Ray write permissions, which cannot be scoped).
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * Name prefix of the Secrets Manager secrets targets may read (their `secret` field). The handlers
   * get `secretsmanager:GetSecretValue` on `secret:<prefix>*` and nothing else. Must not be empty
   * and must not contain wildcards.
   * @default 'flow-worker/'
   */
  readonly secretNamePrefix?: string;

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
 * `visibilityTimeout` has none of its own: it is `visibilityTimeoutFactor` × `functionTimeout`.
 */
export const FLOW_WORKER_DEFAULTS = {
  namePrefix: '',
  tableRemovalPolicy: RemovalPolicy.RETAIN,
  maxReceiveCount: 5,
  functionTimeout: Duration.seconds(30),
  visibilityTimeoutFactor: 6,
  queueRetention: Duration.days(4),
  memorySize: 512,
  tracing: false,
  secretNamePrefix: 'flow-worker/',
  logRetention: RetentionDays.ONE_MONTH,
  logLevel: 'INFO' as FlowWorkerLogLevel,
  configCacheTtl: Duration.seconds(30),
  serviceName: 'flow-worker',
  metricsNamespace: 'FlowWorker',
  queueAgeAlarmThreshold: Duration.minutes(5),
} as const;

/** Fixed by SQS FIFO and by the contract, not configurable. */
export const FLOW_WORKER_CONSTANTS = {
  /** FIFO event sources take at most 10 records a batch. */
  batchSize: 10,
  /** The SQS maximum, so an operator has two weeks to inspect and redrive. */
  dlqRetention: Duration.days(14),
  queueBaseNames: { inbound: 'inbound-sync', outbound: 'outbound-sync' },
  dlqSuffix: '-dlq',
} as const;

/** The longest queue name is `<prefix>outbound-sync-dlq.fifo`, and SQS allows 80 characters. */
export const MAX_NAME_PREFIX_LENGTH =
  80 - `${FLOW_WORKER_CONSTANTS.queueBaseNames.outbound}${FLOW_WORKER_CONSTANTS.dlqSuffix}.fifo`.length;

/** Props with every default applied. */
export interface ResolvedFlowWorkerProps {
  readonly namePrefix: string;
  readonly configTable?: ITable;
  readonly tableRemovalPolicy: RemovalPolicy;
  readonly maxReceiveCount: number;
  readonly functionTimeout: Duration;
  readonly visibilityTimeout: Duration;
  readonly queueRetention: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
  readonly maxConcurrency?: number;
  readonly tracing: boolean;
  readonly secretNamePrefix: string;
  readonly logRetention: RetentionDays;
  readonly logLevel: FlowWorkerLogLevel;
  readonly configCacheTtl: Duration;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly queueAgeAlarmThreshold: Duration;
  readonly alarmTopic?: ITopic;
  readonly alarmEmail?: string;
}

/** Thrown once with every invalid prop, so a caller fixes them all in one pass. */
export class FlowWorkerPropsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid FlowWorker props (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FlowWorkerPropsError';
  }
}

const LOG_LEVELS: readonly FlowWorkerLogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Applies the defaults, checks every prop, and throws one {@link FlowWorkerPropsError} listing all problems. */
export function resolveFlowWorkerProps(props: FlowWorkerProps = {}): ResolvedFlowWorkerProps {
  const d = FLOW_WORKER_DEFAULTS;
  const functionTimeout = props.functionTimeout ?? d.functionTimeout;
  const resolved: ResolvedFlowWorkerProps = {
    ...props,
    namePrefix: props.namePrefix ?? d.namePrefix,
    tableRemovalPolicy: props.tableRemovalPolicy ?? d.tableRemovalPolicy,
    maxReceiveCount: props.maxReceiveCount ?? d.maxReceiveCount,
    functionTimeout,
    visibilityTimeout:
      props.visibilityTimeout ?? Duration.seconds(secondsOf(functionTimeout) * d.visibilityTimeoutFactor),
    queueRetention: props.queueRetention ?? d.queueRetention,
    memorySize: props.memorySize ?? d.memorySize,
    tracing: props.tracing ?? d.tracing,
    secretNamePrefix: props.secretNamePrefix ?? d.secretNamePrefix,
    logRetention: props.logRetention ?? d.logRetention,
    logLevel: props.logLevel ?? d.logLevel,
    configCacheTtl: props.configCacheTtl ?? d.configCacheTtl,
    serviceName: props.serviceName ?? d.serviceName,
    metricsNamespace: props.metricsNamespace ?? d.metricsNamespace,
    queueAgeAlarmThreshold: props.queueAgeAlarmThreshold ?? d.queueAgeAlarmThreshold,
  };
  const problems = findProblems(resolved, props);
  if (problems.length > 0) throw new FlowWorkerPropsError(problems);
  return resolved;
}

function findProblems(r: ResolvedFlowWorkerProps, given: FlowWorkerProps): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };

  if (!Token.isUnresolved(r.namePrefix)) {
    check(
      /^[A-Za-z0-9_-]*$/.test(r.namePrefix),
      `namePrefix "${r.namePrefix}" may contain only letters, digits, "-" and "_" (SQS queue name characters)`,
    );
    check(
      r.namePrefix.length <= MAX_NAME_PREFIX_LENGTH,
      `namePrefix is ${r.namePrefix.length} characters; at most ${MAX_NAME_PREFIX_LENGTH} keep "${r.namePrefix}outbound-sync-dlq.fifo" within the 80-character SQS limit`,
    );
  }
  checkInteger(check, 'maxReceiveCount', r.maxReceiveCount, 1, 1000);
  checkSeconds(check, 'functionTimeout', r.functionTimeout, 1, 900);
  checkSeconds(check, 'visibilityTimeout', r.visibilityTimeout, 0, 43_200);
  const minVisibility = secondsOf(r.functionTimeout) * FLOW_WORKER_DEFAULTS.visibilityTimeoutFactor;
  check(
    secondsOf(r.visibilityTimeout) >= minVisibility,
    `visibilityTimeout (${secondsOf(r.visibilityTimeout)} s) must be at least ${FLOW_WORKER_DEFAULTS.visibilityTimeoutFactor} × functionTimeout (${minVisibility} s), or SQS redelivers messages whose batch is still being retried`,
  );
  checkSeconds(check, 'queueRetention', r.queueRetention, 60, 1_209_600);
  checkInteger(check, 'memorySize', r.memorySize, 128, 10_240);
  if (r.reservedConcurrency !== undefined) {
    checkInteger(check, 'reservedConcurrency', r.reservedConcurrency, 1, Number.MAX_SAFE_INTEGER);
  }
  if (r.maxConcurrency !== undefined) checkInteger(check, 'maxConcurrency', r.maxConcurrency, 2, 1000);
  if (r.reservedConcurrency !== undefined && r.maxConcurrency !== undefined) {
    check(
      r.reservedConcurrency >= r.maxConcurrency,
      `reservedConcurrency (${r.reservedConcurrency}) must be at least maxConcurrency (${r.maxConcurrency}), or the event source is throttled`,
    );
  }
  if (!Token.isUnresolved(r.secretNamePrefix)) {
    check(
      /^[A-Za-z0-9/_+=.@-]{1,256}$/.test(r.secretNamePrefix),
      `secretNamePrefix "${r.secretNamePrefix}" must be 1-256 characters of letters, digits and / _ + = . @ - (no wildcards: an empty or wildcard prefix would grant every secret in the account)`,
    );
  }
  check(LOG_LEVELS.includes(r.logLevel), `logLevel "${r.logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  checkSeconds(check, 'configCacheTtl', r.configCacheTtl, 0, 3600);
  checkSeconds(check, 'queueAgeAlarmThreshold', r.queueAgeAlarmThreshold, 60, 1_209_600);
  check(r.serviceName.trim() !== '', 'serviceName must not be empty');
  check(r.metricsNamespace.trim() !== '', 'metricsNamespace must not be empty');
  check(
    !(given.configTable && given.tableRemovalPolicy !== undefined),
    'tableRemovalPolicy applies only to the table this construct creates; remove it or remove configTable',
  );
  check(
    !(given.alarmTopic && given.alarmEmail !== undefined),
    'set alarmTopic or alarmEmail, not both (alarmEmail creates a topic)',
  );
  if (given.alarmEmail !== undefined && !Token.isUnresolved(given.alarmEmail)) {
    check(
      /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(given.alarmEmail),
      `alarmEmail "${given.alarmEmail}" is not an e-mail address`,
    );
  }
  return problems;
}

type Check = (ok: boolean, message: string) => void;

function checkInteger(check: Check, name: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  const bound = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  check(
    Number.isInteger(value) && value >= min && value <= max,
    `${name} (${value}) must be an integer ${bound}`,
  );
}

function checkSeconds(check: Check, name: string, value: Duration, min: number, max: number): void {
  if (value.isUnresolved()) return;
  const seconds = secondsOf(value);
  check(
    Number.isInteger(seconds) && seconds >= min && seconds <= max,
    `${name} (${seconds} s) must be a whole number of seconds from ${min} to ${max}`,
  );
}

/** `Duration.toSeconds()` throws on fractions; validation wants to report them instead. */
function secondsOf(value: Duration): number {
  return value.toMilliseconds() / 1000;
}
