import { Duration, Token } from 'aws-cdk-lib';
import { receivesForOutage, scheduleProblems } from './delivery-schedule.js';
import {
  FLOW_WORKER_CONSTANTS,
  FLOW_WORKER_DEFAULTS,
  FLOW_WORKER_LOG_LEVELS,
  type FlowWorkerProps,
  hubspotRequestsPerContainer,
  MAX_NAME_PREFIX_LENGTH,
  type ResolvedFlowWorkerProps,
} from './flow-worker-props.js';

/** Thrown once with every invalid prop, so a caller fixes them all in one pass. */
export class FlowWorkerPropsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid FlowWorker props (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FlowWorkerPropsError';
  }
}

/** Applies the defaults, checks every prop, and throws one {@link FlowWorkerPropsError} listing all problems. */
export function resolveFlowWorkerProps(props: FlowWorkerProps = {}): ResolvedFlowWorkerProps {
  const d = FLOW_WORKER_DEFAULTS;
  const functionTimeout = props.functionTimeout ?? d.functionTimeout;
  const schedule = {
    retryBackoffBase: props.retryBackoffBase ?? d.retryBackoffBase,
    retryBackoffMax: props.retryBackoffMax ?? d.retryBackoffMax,
    outageTolerance: props.outageTolerance ?? d.outageTolerance,
  };
  const resolved: ResolvedFlowWorkerProps = {
    ...props,
    namePrefix: props.namePrefix ?? d.namePrefix,
    tableRemovalPolicy: props.tableRemovalPolicy ?? d.tableRemovalPolicy,
    ...schedule,
    // Unresolvable (an impossible schedule) is reported by scheduleProblems; 1000 is SQS's maximum.
    maxReceiveCount:
      props.maxReceiveCount ??
      (schedule.retryBackoffBase.isUnresolved() ? 1000 : (receivesForOutage(schedule) ?? 1000)),
    functionTimeout,
    visibilityTimeout:
      props.visibilityTimeout ?? Duration.seconds(secondsOf(functionTimeout) * d.visibilityTimeoutFactor),
    queueRetention: props.queueRetention ?? d.queueRetention,
    memorySize: props.memorySize ?? d.memorySize,
    maxConcurrency: props.maxConcurrency ?? d.maxConcurrency,
    hubspotRequestsPer10Seconds: props.hubspotRequestsPer10Seconds ?? d.hubspotRequestsPer10Seconds,
    tracing: props.tracing ?? d.tracing,
    sourceMaps: props.sourceMaps ?? d.sourceMaps,
    secretNamePrefix: props.secretNamePrefix ?? d.secretNamePrefix,
    allowPrivateTargetAddresses: props.allowPrivateTargetAddresses ?? d.allowPrivateTargetAddresses,
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
  checkDelivery(check, r);
  checkInteger(check, 'memorySize', r.memorySize, 128, 10_240);
  if (r.reservedConcurrency !== undefined) {
    checkInteger(check, 'reservedConcurrency', r.reservedConcurrency, 1, Number.MAX_SAFE_INTEGER);
  }
  checkInteger(check, 'maxConcurrency', r.maxConcurrency, 2, 1000);
  checkHubSpotBudget(check, r);
  if (r.reservedConcurrency !== undefined) {
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
  check(
    FLOW_WORKER_LOG_LEVELS.includes(r.logLevel),
    `logLevel "${r.logLevel}" must be one of ${FLOW_WORKER_LOG_LEVELS.join(', ')}`,
  );
  checkSeconds(check, 'configCacheTtl', r.configCacheTtl, 0, 3600);
  checkSeconds(check, 'queueAgeAlarmThreshold', r.queueAgeAlarmThreshold, 60, 1_209_600);
  check(r.serviceName.trim() !== '', 'serviceName must not be empty');
  check(r.metricsNamespace.trim() !== '', 'metricsNamespace must not be empty');
  check(
    !(given.configTable && given.manifestsTable && given.tableRemovalPolicy !== undefined),
    'tableRemovalPolicy applies only to the tables this construct creates, and configTable and manifestsTable are both given; remove it',
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
  problems.push(...scheduleProblems(r, given));
  return problems;
}

type Check = (ok: boolean, message: string) => void;

/** The HubSpot budget is a whole number, and sharing it out leaves every container at least one request. */
function checkHubSpotBudget(check: Check, r: ResolvedFlowWorkerProps): void {
  const budget = r.hubspotRequestsPer10Seconds;
  checkInteger(check, 'hubspotRequestsPer10Seconds', budget, 1, Number.MAX_SAFE_INTEGER);
  if (Token.isUnresolved(budget) || Token.isUnresolved(r.maxConcurrency)) return;
  const containers = 2 * r.maxConcurrency;
  check(
    !Number.isInteger(budget) || !Number.isInteger(r.maxConcurrency) || hubspotRequestsPerContainer(r) >= 1,
    `hubspotRequestsPer10Seconds (${budget}) shared by ${containers} containers (2 × maxConcurrency ${r.maxConcurrency}) leaves each less than one request per 10 seconds; raise the budget or lower maxConcurrency to at most ${Math.max(2, Math.floor(budget / 2))}`,
  );
}

/** The props of delivery over time, each on its own (`scheduleProblems` checks them together). */
function checkDelivery(check: Check, r: ResolvedFlowWorkerProps): void {
  checkInteger(check, 'maxReceiveCount', r.maxReceiveCount, 1, 1000);
  checkSeconds(check, 'retryBackoffBase', r.retryBackoffBase, 1, 43_200);
  checkSeconds(check, 'retryBackoffMax', r.retryBackoffMax, 1, 43_200);
  checkSeconds(check, 'outageTolerance', r.outageTolerance, 0, 1_209_600);
  checkFunctionTimeout(check, r.functionTimeout);
  checkSeconds(check, 'visibilityTimeout', r.visibilityTimeout, 0, 43_200);
  const minVisibility = secondsOf(r.functionTimeout) * FLOW_WORKER_DEFAULTS.visibilityTimeoutFactor;
  check(
    secondsOf(r.visibilityTimeout) >= minVisibility,
    `visibilityTimeout (${secondsOf(r.visibilityTimeout)} s) must be at least ${FLOW_WORKER_DEFAULTS.visibilityTimeoutFactor} × functionTimeout (${minVisibility} s), or SQS redelivers messages whose batch is still being retried`,
  );
  checkSeconds(check, 'queueRetention', r.queueRetention, 60, 1_209_600);
}

/** 3 s to 15 min; a shorter timeout leaves a step too little time (the reason is in the message). */
function checkFunctionTimeout(check: Check, timeout: Duration): void {
  const seconds = secondsOf(timeout);
  const shortest = FLOW_WORKER_CONSTANTS.minFunctionTimeout.toSeconds();
  if (timeout.isUnresolved() || !Number.isInteger(seconds) || seconds < 1) {
    checkSeconds(check, 'functionTimeout', timeout, 1, 900);
    return;
  }
  check(
    seconds >= shortest,
    `functionTimeout (${seconds} s) is too short to run a step: the handler stops starting steps at least 0.5 s before its deadline, to save checkpoints and back off records; use at least ${shortest} s`,
  );
  checkSeconds(check, 'functionTimeout', timeout, 1, 900);
}

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
