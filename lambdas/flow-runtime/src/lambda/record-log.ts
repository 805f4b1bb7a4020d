import type { SQSRecord } from 'aws-lambda';
import type { StepAction } from '../document/config.js';
import type { Envelope } from '../document/envelope.js';
import { eventIdOf, type MessageMeta } from '../document/parse-envelope.js';
import { PoisonMessageError, describeError, errorClassOf, type ErrorClass } from '../errors.js';
import type { FlowReport, FlowStatus, RunReport, StepStatus } from '../engine/report.js';
import type { RecordOutcome } from './batch.js';
import type { FailureLocation } from './dead-letter.js';
import {
  METRICS,
  countMetric,
  debugEnabled,
  type LineLevel,
  stepErrorMetric,
  type LogSink,
  type MetricSink,
} from './observability.js';

/**
 * What a record logs and counts, in one place. Every record settles into one {@link SettledRecord};
 * from it come its one log line ({@link RecordLogLine}, identifiers, statuses and timings, never
 * payload values), its DEBUG run report line, and its metrics. See docs/handlers.md (logs and metrics).
 */

/** Everything known about a record when it settles. */
export interface SettledRecord {
  readonly record: SQSRecord;
  readonly meta: MessageMeta;
  readonly outcome: RecordOutcome;
  /** Absent when the body never parsed, or the record was not run (skipped). */
  readonly envelope?: Envelope | undefined;
  /** Absent when no flow ran (poison body, no config, skipped). */
  readonly report?: RunReport | undefined;
  /** The error that decided the outcome, when there was one. */
  readonly failure?: unknown;
  /** Where the failure happened, when the caller knows better than the error's own context. */
  readonly where?: FailureLocation | undefined;
  readonly durationMs: number;
}

/** The final state of one record as logged: `skipped` records were not run (their group was blocked). */
export type LoggedOutcome = 'succeeded' | 'no_match' | 'failed' | 'skipped' | 'dead-lettered';

export type LoggedStep = {
  readonly id: string;
  readonly action: StepAction;
  readonly status: StepStatus;
  readonly duration_ms: number;
};

export type LoggedFlow = {
  readonly name: string;
  readonly status: FlowStatus;
  readonly duration_ms: number;
  /**
   * Every step's status and duration. In a record line, only for a flow that did not complete
   * with every step `ok` (see {@link loggedFlows}); {@link summarizeFlows} always lists them.
   */
  readonly steps?: readonly LoggedStep[];
};

/**
 * The one structured line logged per record. Identifiers, statuses and timings, never payload
 * values. (A type, not an interface, so it is a log attribute object as it is: no cast.)
 */
export type RecordLogLine = {
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
};

/** The message of the DEBUG line that carries a record's whole {@link RunReport}. */
export const RUN_REPORT_MESSAGE = 'run report';

/**
 * Logged at DEBUG after a record's {@link RecordLogLine}, joined to it by `message_id`: the whole
 * run report, step results included. Results are derived from the payload (never from secrets),
 * which is why this line is DEBUG only.
 */
export type RunReportLogLine = {
  readonly connector: string;
  readonly event_id?: string;
  readonly message_id: string;
  readonly run_report: RunReport;
};

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

function loggedOutcomeOf({ outcome, report }: SettledRecord): LoggedOutcome {
  if (outcome.status === 'failed') return outcome.skipped === true ? 'skipped' : 'failed';
  if (outcome.status === 'dead-lettered') return 'dead-lettered';
  return report?.status === 'no_match' ? 'no_match' : 'succeeded';
}

/** The statuses and timings of a run report, every step listed, without results or payload. */
export function summarizeFlows(
  report: RunReport,
): (LoggedFlow & { readonly steps: readonly LoggedStep[] })[] {
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

/** True when the flow completed and every one of its steps ran `ok`: its steps say nothing more. */
function completedCleanly(flow: FlowReport): boolean {
  if (flow.status !== 'completed') return false;
  for (const step of flow.steps) if (step.status !== 'ok') return false;
  return true;
}

/**
 * The flows of a record line: each flow's name, status and duration, and its steps only when it
 * did not complete with every step `ok` (filtered, failed, a step continued past an error, or
 * resumed). A clean flow's step list would repeat "ok" for every step and make up a third of the
 * line; the DEBUG run report still has every step.
 */
export function loggedFlows(report: RunReport): LoggedFlow[] {
  return summarizeFlows(report).map((summary, index) => {
    if (!completedCleanly(report.flows[index]!)) return summary;
    const { steps: _steps, ...flow } = summary;
    return flow;
  });
}

/**
 * The record's one log line. Every line has the same keys in the same order (absent ones are
 * `undefined`, which JSON leaves out): one object shape, so building and writing it stay cheap.
 */
export function recordLogLine(settled: SettledRecord): RecordLogLine {
  const { record, meta, envelope, report, failure, where } = settled;
  const failed = failure !== undefined;
  return {
    connector: envelope?.connector_id,
    source: envelope?.source_name,
    event_type: envelope?.event_type,
    event_id: envelope === undefined ? undefined : eventIdOf(envelope, meta),
    message_id: record.messageId,
    message_group_id: record.attributes.MessageGroupId,
    source_queue: meta.sourceQueue,
    flows_matched: report?.flowsMatched ?? [],
    outcome: loggedOutcomeOf(settled),
    duration_ms: settled.durationMs,
    error_class: failed ? errorClassOf(failure) : undefined,
    error_name: failed ? describeError(failure).name : undefined,
    error_message: failed ? logSafeErrorMessage(failure) : undefined,
    flow: where?.flow,
    step: where?.step,
    flows: report === undefined || report.flows.length === 0 ? undefined : loggedFlows(report),
  };
}

/** `JSON.stringify(recordLogLine(settled))`: the record's line as a JSON object (see {@link recordLogLineMembers}). */
export function recordLogLineJson(settled: SettledRecord): string {
  return `{${recordLogLineMembers(settled)}}`;
}

/**
 * The members of the record's line as JSON text, without the braces: what the line logger writes
 * after the standard keys. Written by hand for a record that ran without a failure (every other
 * record takes `JSON.stringify`): on Node 24 `JSON.stringify` of a record line cost more than a
 * `JSON.parse` of the record's body; this costs about a third of that (docs/performance.md, per
 * record). `test/unit/lambda/record-log.test.ts` holds {@link recordLogLineJson} to
 * `JSON.stringify`'s text for any record.
 */
export function recordLogLineMembers(settled: SettledRecord): string {
  const { record, meta, envelope, report, where } = settled;
  const located = where !== undefined && (where.flow !== undefined || where.step !== undefined);
  if (
    settled.failure !== undefined ||
    envelope === undefined ||
    settled.outcome.status !== 'succeeded' ||
    located
  ) {
    return JSON.stringify(recordLogLine(settled)).slice(1, -1);
  }
  const groupId = record.attributes.MessageGroupId;
  const queue = meta.sourceQueue;
  // The quotes are in the literal text and `escaped` returns a plain identifier itself: no string
  // is built per value, and the line has fewer pieces to gather when it is written.
  let text =
    `"connector":"${escaped(envelope.connector_id)}","source":"${escaped(envelope.source_name)}"` +
    `,"event_type":"${escaped(envelope.event_type)}","event_id":"${escaped(eventIdOf(envelope, meta))}"` +
    `,"message_id":"${escaped(record.messageId)}"` +
    `${groupId === undefined ? '' : `,"message_group_id":"${escaped(groupId)}"`}` +
    `${queue === undefined ? '' : `,"source_queue":"${escaped(queue)}"`}` +
    `,"flows_matched":[${report === undefined ? '' : jsonStrings(report.flowsMatched)}]` +
    `,"outcome":"${loggedOutcomeOf(settled)}"` +
    `,"duration_ms":${jsonNumber(settled.durationMs)}`;
  if (report === undefined || report.flows.length === 0) return text;
  text += ',"flows":[';
  for (let f = 0; f < report.flows.length; f += 1) {
    const flow = report.flows[f]!;
    text +=
      `${f === 0 ? '' : ','}{"name":"${escaped(flow.name)}","status":"${escaped(flow.status)}"` +
      `,"duration_ms":${jsonNumber(flow.durationMs)}`;
    if (completedCleanly(flow)) {
      text += '}';
      continue;
    }
    text += ',"steps":[';
    for (let i = 0; i < flow.steps.length; i += 1) {
      const step = flow.steps[i]!;
      text +=
        `${i === 0 ? '' : ','}{"id":"${escaped(step.id)}","action":"${escaped(step.action)}"` +
        `,"status":"${escaped(step.status)}","duration_ms":${jsonNumber(step.durationMs)}}`;
    }
    text += ']}';
  }
  return `${text}]`;
}

/**
 * `JSON.stringify(text)` without its quotes. Identifiers rarely need escaping: when no character of
 * the text is a quote, a backslash, a control character or a surrogate, it is the text itself (a
 * loop over a short identifier costs less than a regular expression's call).
 */
function escaped(text: string): string {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text).slice(1, -1);
    }
  }
  return text;
}

function jsonStrings(texts: readonly string[]): string {
  let json = '';
  for (let i = 0; i < texts.length; i += 1) json += `${i === 0 ? '"' : ',"'}${escaped(texts[i]!)}"`;
  return json;
}

/** `JSON.stringify(value)` of a number: `null` when it is not finite. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

const LOG_MESSAGES: Record<LoggedOutcome, { level: LineLevel; message: string }> = {
  succeeded: { level: 'info', message: 'record processed' },
  no_match: { level: 'info', message: 'record processed' },
  skipped: { level: 'info', message: 'record not run; SQS will redeliver it (see error_message for why)' },
  'dead-lettered': { level: 'warn', message: 'record dead-lettered' },
  failed: { level: 'warn', message: 'record failed; SQS will redeliver it' },
};

/**
 * Logs a settled record: its one line at INFO (WARN when it failed or was dead-lettered), then, at
 * DEBUG only, its whole run report. The DEBUG line is not even built unless DEBUG is on.
 */
export function logRecord(logger: LogSink, settled: SettledRecord): void {
  const { level, message } = LOG_MESSAGES[loggedOutcomeOf(settled)];
  if (logger.writeLine === undefined) logger[level](message, recordLogLine(settled));
  else logger.writeLine(level, message, recordLogLineMembers(settled));
  const { envelope, report } = settled;
  if (envelope !== undefined && report !== undefined && debugEnabled(logger)) {
    const debugLine: RunReportLogLine = {
      connector: envelope.connector_id,
      event_id: eventIdOf(envelope, settled.meta),
      message_id: settled.record.messageId,
      run_report: report,
    };
    logger.debug(RUN_REPORT_MESSAGE, debugLine);
  }
}

/** Counts what a record's run did: flows matched, no match, step errors by class, resumed steps. */
export function countRecord(metrics: MetricSink, { report }: SettledRecord): void {
  if (report === undefined) return;
  countMetric(metrics, METRICS.flowsMatched, report.flowsMatched.length);
  if (report.status === 'no_match') countMetric(metrics, METRICS.noMatch);
  let resumed = 0;
  let byClass: Map<ErrorClass, number> | undefined;
  for (const flow of report.flows) {
    for (const step of flow.steps) {
      if (step.status === 'resumed') resumed += 1;
      if (step.error === undefined) continue;
      byClass ??= new Map<ErrorClass, number>();
      byClass.set(step.error.class, (byClass.get(step.error.class) ?? 0) + 1);
    }
  }
  countMetric(metrics, METRICS.stepsResumed, resumed);
  if (byClass === undefined) return;
  for (const [errorClass, count] of byClass) countMetric(metrics, stepErrorMetric(errorClass), count);
}

/** Counts how the records of a batch ended. */
export function countOutcomes(metrics: MetricSink, outcomes: readonly RecordOutcome[]): void {
  let succeeded = 0;
  let failed = 0;
  let deadLettered = 0;
  let exhausted = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'succeeded') succeeded += 1;
    else if (outcome.status === 'failed') failed += 1;
    else {
      deadLettered += 1;
      if (outcome.errorClass === 'exhausted') exhausted += 1;
    }
  }
  countMetric(metrics, METRICS.recordsProcessed, outcomes.length);
  countMetric(metrics, METRICS.recordsSucceeded, succeeded);
  countMetric(metrics, METRICS.recordsFailed, failed);
  countMetric(metrics, METRICS.recordsDeadLettered, deadLettered);
  countMetric(metrics, METRICS.recordsExhausted, exhausted);
}
