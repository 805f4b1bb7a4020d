import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ErrorClass } from '../errors.js';
import { createEmfMetrics } from './emf.js';
import { createLineLogger, streamWriter, type LineLogger } from './line-logger.js';

const DEFAULT_SERVICE_NAME = 'flow-worker';
const DEFAULT_NAMESPACE = 'FlowWorker';

/**
 * The logging the runtime needs. Powertools' `Logger` satisfies it; tests pass a recorder.
 * Attributes at INFO and above never hold payload values, step results or secrets; only the DEBUG
 * run report line carries step results (payload-derived, never secrets). What a record logs is
 * built in `record-log.ts`.
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
  /**
   * Adds the Lambda context (request id, cold start, function name) to every later line, as
   * Powertools' `Logger.addContext` does. Called at the start of each invocation.
   */
  addContext?(context: Context): void;
  /**
   * Writes one structured line cheaply (the per-record lines go here when present, see
   * `line-logger.ts`): `members` is the line's own members as JSON text without braces
   * (`"message_id":"m-1","outcome":"succeeded"`), which join the standard keys. The sink decides,
   * by its level, whether to write it.
   */
  writeLine?(level: LineLevel, message: string, members: string): void;
  /** Writes what `writeLine` holds back; the handler calls it at the end of every invocation. */
  flush?(): void;
  /**
   * Settles once what `flush` wrote has reached the output, when it did not at once (a full stdout
   * pipe): the handler waits for it before answering, up to its deadline.
   */
  written?(): Promise<void> | undefined;
}

/** The levels a record line is written at. */
export type LineLevel = 'info' | 'warn';

const DEBUG_LEVELS: ReadonlySet<string> = new Set(['TRACE', 'DEBUG']);

/** Whether a DEBUG line would be written; a sink that cannot say is asked to gate it itself. */
export function debugEnabled(logger: LogSink): boolean {
  return logger.getLevelName === undefined || DEBUG_LEVELS.has(logger.getLevelName().toUpperCase());
}

/**
 * The metrics the runtime needs, all counts: `createEmfMetrics` (EMF) in production, and Powertools'
 * `Metrics` satisfies it too; tests pass a recorder.
 */
export interface MetricSink {
  addMetric(name: string, unit: 'Count', value: number): void;
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
  /** Dead-lettered on their last receive (`error_class` `exhausted`): a failure outlasted the retry schedule. */
  recordsExhausted: 'RecordsExhausted',
  /** Steps not run again because an earlier delivery completed them (their saved result was used). */
  stepsResumed: 'StepsResumed',
  /** Checkpoints written to the run-state table (records that ended unfinished after progress). */
  checkpointsSaved: 'CheckpointsSaved',
  /** Run-state writes or deletes that failed (a redelivery may repeat completed steps). */
  runStateErrors: 'RunStateErrors',
  /** Failed records whose visibility could not be changed (they wait the queue's visibility timeout). */
  backoffErrors: 'BackoffErrors',
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
  if (value > 0) metrics.addMetric(name, 'Count', value);
}

export interface ObservabilityOptions {
  /** @default flow-worker */
  readonly serviceName?: string;
  /** EMF namespace. @default FlowWorker */
  readonly namespace?: string;
  readonly logLevel?: string;
  /** Added as a dimension to every metric, e.g. the queue name. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * Where the buffered lines go, once per invocation; a promise while part of them waits to be
   * written (see `streamWriter`). @default streamWriter(process.stdout)
   */
  readonly write?: (text: string) => Promise<void> | void;
  /** The X-Ray trace header of the current invocation (production: `_X_AMZN_TRACE_ID`). */
  readonly traceHeader?: () => string | undefined;
}

/** Powertools' `Logger`: every line but the per-record ones and the metrics. */
export function createPowertoolsLogger(
  options: Pick<ObservabilityOptions, 'serviceName' | 'logLevel'> = {},
): Logger {
  return new Logger({
    serviceName: options.serviceName ?? DEFAULT_SERVICE_NAME,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel as never }),
  });
}

/**
 * The production logger and metrics: record lines ({@link createLineLogger}) and the invocation's
 * EMF line ({@link createEmfMetrics}) written together once per invocation, when the handler
 * publishes the metrics; every other line through Powertools' `Logger`.
 */
export function createObservability(options: ObservabilityOptions = {}): {
  logger: LineLogger;
  metrics: MetricSink;
} {
  const serviceName = options.serviceName ?? DEFAULT_SERVICE_NAME;
  const logger = createLineLogger(createPowertoolsLogger(options), {
    serviceName,
    write: options.write ?? streamWriter(process.stdout),
    ...(options.traceHeader === undefined ? {} : { traceHeader: options.traceHeader }),
  });
  const metrics = createEmfMetrics({
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    serviceName,
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
    // Written with the record lines held before it, in one write, even when a caller gives the
    // handler a logger of its own (this one then holds no record lines).
    write: (line) => {
      logger.append(line);
      logger.flush();
    },
  });
  return { logger, metrics };
}
