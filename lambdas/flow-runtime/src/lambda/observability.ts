import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PoisonMessageError, describeError } from '../errors.js';
import type { ErrorClass } from '../errors.js';
import type { StepAction } from '../document/config.js';
import type { FlowStatus, RunReport, StepStatus } from '../engine/report.js';

/**
 * The logging the runtime needs. Powertools' `Logger` satisfies it; tests pass a recorder.
 * Attributes at INFO and above never hold payload values, step results or secrets; only the DEBUG
 * {@link RunReportLogLine} carries step results (payload-derived, never secrets).
 */
export interface LogSink {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
  /**
   * The current level (Powertools' `getLevelName()`, which follows log sampling too). When present,
   * DEBUG-only attributes are not even built unless it is `DEBUG` or `TRACE`.
   */
  getLevelName?(): string;
}

const DEBUG_LEVELS: ReadonlySet<string> = new Set(['TRACE', 'DEBUG']);

/** Whether a DEBUG line would be written; a sink that cannot say is asked to gate it itself. */
export function debugEnabled(logger: LogSink): boolean {
  return logger.getLevelName === undefined || DEBUG_LEVELS.has(logger.getLevelName().toUpperCase());
}

/** The metrics the runtime needs. Powertools' `Metrics` (EMF) satisfies it; tests pass a recorder. */
export interface MetricSink {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): void;
  publishStoredMetrics(): void;
}

/** Metric names (EMF, unit Count), in one place: dashboards and alarms use these. */
export const METRICS = {
  /** Every record the handler settled, whatever the outcome. */
  recordsProcessed: 'RecordsProcessed',
  recordsSucceeded: 'RecordsSucceeded',
  /** Reported in `batchItemFailures` (including records skipped behind a failed one). */
  recordsFailed: 'RecordsFailed',
  recordsDeadLettered: 'RecordsDeadLettered',
  /** Matched flows, summed over records. */
  flowsMatched: 'FlowsMatched',
  /** Records for which no enabled flow matched. */
  noMatch: 'NoMatchingFlow',
  /** Step errors, one metric per class: `StepErrorsRetryable`, `StepErrorsPermanent`, `StepErrorsPoison`. */
  stepErrorsPrefix: 'StepErrors',
  configCacheHits: 'ConfigCacheHits',
  configCacheMisses: 'ConfigCacheMisses',
  /** A stored config failed validation (its messages are dead-lettered). */
  invalidStoredConfig: 'InvalidStoredConfig',
} as const;

/** `StepErrorsRetryable` / `StepErrorsPermanent` / `StepErrorsPoison`. */
export function stepErrorMetric(errorClass: ErrorClass): string {
  return `${METRICS.stepErrorsPrefix}${errorClass[0]?.toUpperCase() ?? ''}${errorClass.slice(1)}`;
}

export function countMetric(metrics: MetricSink, name: string, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

const MAX_LOGGED_MESSAGE = 500;

/**
 * An error message fit for logs: bounded, and without the body snippet `JSON.parse` puts in its
 * message (the body is payload).
 */
export function logSafeErrorMessage(error: unknown): string {
  if (error instanceof PoisonMessageError && error.cause instanceof SyntaxError) {
    return 'message body is not JSON';
  }
  const { message } = describeError(error);
  return message.length > MAX_LOGGED_MESSAGE ? `${message.slice(0, MAX_LOGGED_MESSAGE)}…` : message;
}

/** The final state of one record as logged: `skipped` records were not run (their group was blocked). */
export type LoggedOutcome = 'succeeded' | 'no_match' | 'failed' | 'skipped' | 'dead-lettered';

/** The one structured line logged per record. Identifiers, statuses and timings, never payload values. */
export interface RecordLogLine {
  readonly connector?: string;
  readonly source?: string;
  readonly event_type?: string;
  readonly event_id?: string;
  readonly message_id: string;
  readonly message_group_id?: string;
  readonly source_queue?: string;
  readonly flows_matched: readonly string[];
  readonly outcome: LoggedOutcome;
  readonly duration_ms: number;
  readonly error_class?: ErrorClass;
  readonly error_name?: string;
  readonly error_message?: string;
  readonly flow?: string;
  readonly step?: string;
  /** Per flow: its status and duration, and each step's action, status and duration (no results). */
  readonly flows?: readonly LoggedFlow[];
}

export interface LoggedFlow {
  readonly name: string;
  readonly status: FlowStatus;
  readonly duration_ms: number;
  readonly steps: readonly LoggedStep[];
}

export interface LoggedStep {
  readonly id: string;
  readonly action: StepAction;
  readonly status: StepStatus;
  readonly duration_ms: number;
}

/** The statuses and timings of a run report, without results or payload. */
export function summarizeFlows(report: RunReport): LoggedFlow[] {
  return report.flows.map((flow) => ({
    name: flow.name,
    status: flow.status,
    duration_ms: flow.durationMs,
    steps: flow.steps.map((step) => ({
      id: step.id,
      action: step.action,
      status: step.status,
      duration_ms: step.durationMs,
    })),
  }));
}

/** The message of the DEBUG line that carries a record's whole {@link RunReport}. */
export const RUN_REPORT_MESSAGE = 'run report';

/**
 * Logged at DEBUG after a record's {@link RecordLogLine}, joined to it by `message_id`: the whole
 * run report, step results included. Results are derived from the payload (never from secrets),
 * which is why this line is DEBUG only.
 */
export interface RunReportLogLine {
  readonly connector: string;
  readonly event_id?: string;
  readonly message_id: string;
  readonly run_report: RunReport;
}

/** Counts the step errors of a report (failed and `on_error: continue` steps) by class. */
export function countStepErrors(metrics: MetricSink, report: RunReport): void {
  const byClass = new Map<ErrorClass, number>();
  for (const flow of report.flows) {
    for (const step of flow.steps) {
      if (step.error !== undefined) byClass.set(step.error.class, (byClass.get(step.error.class) ?? 0) + 1);
    }
  }
  for (const [errorClass, count] of byClass) countMetric(metrics, stepErrorMetric(errorClass), count);
}

/**
 * A {@link MetricSink} that sums each metric over an invocation and hands the totals to `sink` on
 * `publishStoredMetrics()`: one EMF value per metric per invocation instead of one per record.
 */
export function aggregateMetrics(sink: MetricSink): MetricSink {
  const totals = new Map<string, number>();
  return {
    addMetric(name, _unit, value) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    },
    publishStoredMetrics() {
      for (const [name, value] of totals) sink.addMetric(name, MetricUnit.Count, value);
      totals.clear();
      sink.publishStoredMetrics();
    },
  };
}

export interface PowertoolsOptions {
  /** @default flow-worker */
  readonly serviceName?: string;
  /** EMF namespace. @default FlowWorker */
  readonly namespace?: string;
  readonly logLevel?: string;
  /** Added as a dimension to every metric, e.g. the queue name. */
  readonly defaultDimensions?: Record<string, string>;
}

/**
 * The production logger and metrics: Powertools Logger (JSON lines) and Metrics (EMF). Pass
 * `metrics` through {@link aggregateMetrics} to emit per-invocation totals.
 */
export function createPowertools(options: PowertoolsOptions = {}): { logger: Logger; metrics: Metrics } {
  const serviceName = options.serviceName ?? 'flow-worker';
  const logger = new Logger({
    serviceName,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel as never }),
  });
  const metrics = new Metrics({
    serviceName,
    namespace: options.namespace ?? 'FlowWorker',
    ...(options.defaultDimensions === undefined ? {} : { defaultDimensions: options.defaultDimensions }),
  });
  return { logger, metrics };
}
