import type { ErrorClass } from '../errors.js';
import type { StepAction } from '../document/config.js';

/**
 * The structured account of one record's run. Handlers log its statuses and timings at INFO
 * (`RecordLogLine.flows`, no payload values) and the whole report, results included, only at DEBUG
 * (`RunReportLogLine`); the local CLI prints it.
 */
export type StepStatus = 'ok' | 'failed' | 'continued' | 'skipped' | 'resumed';

export interface ReportedError {
  readonly class: ErrorClass;
  readonly name: string;
  readonly message: string;
}

export interface StepReport {
  readonly id: string;
  readonly action: StepAction;
  /**
   * `continued`: failed with `on_error: continue`; `skipped`: not run (an earlier step stopped the
   * flow); `resumed`: completed on an earlier delivery of the message, so not run again (its saved
   * result is what later steps see).
   */
  readonly status: StepStatus;
  readonly durationMs: number;
  /** The step's result (`$$.steps.<id>`); for `continued`, the error as a plain object. */
  readonly result?: unknown;
  readonly error?: ReportedError;
}

/**
 * `filtered`: a filter step was false and stopped the flow successfully. Flows are independent: a
 * failed flow does not stop the others. A flow an earlier delivery finished keeps its status, with
 * its steps `resumed`.
 */
export type FlowStatus = 'completed' | 'filtered' | 'failed';

export interface FlowReport {
  readonly name: string;
  readonly status: FlowStatus;
  readonly durationMs: number;
  readonly steps: readonly StepReport[];
}

/** `no_match` is a success: no enabled flow listens for this (source, event_type). */
export type RunStatus = 'ok' | 'no_match' | 'failed';

export interface RunReport {
  readonly status: RunStatus;
  readonly flowsMatched: readonly string[];
  readonly flows: readonly FlowReport[];
  readonly durationMs: number;
  /** Set when status is `failed`: the error that decides the record's fate (see `RunOutcome.error`). */
  readonly error?: ReportedError;
}
