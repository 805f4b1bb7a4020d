import type { SQSEvent } from 'aws-lambda';
import {
  summarizeFlows,
  type ErrorClass,
  type LoggedFlow,
  type LoggedOutcome,
  type QueueName,
  type RecordLogLine,
  type RunReportLogLine,
} from '@flow-worker/runtime';

/**
 * The data of a local run report (demo and `invoke`), built from what the real handler logged for
 * each record: its INFO line (outcome, matched flows, step actions, statuses and durations, the
 * error) and, since the CLI runs the handlers at `LOG_LEVEL=DEBUG`, its `run report` line (every
 * step's result and error). Plain JSON: `--json` prints it as is.
 */
export interface StepRun {
  readonly id: string;
  readonly action: string;
  readonly status: string;
  /** 0 for a step that did not run. */
  readonly duration_ms: number;
  /** The step's result (`$$.steps.<id>`), from the DEBUG run report. */
  readonly result?: unknown;
  readonly error?: { readonly class: string; readonly name: string; readonly message: string };
}

export interface FlowRun {
  readonly name: string;
  readonly status: string;
  readonly duration_ms: number;
  readonly steps: readonly StepRun[];
}

export interface RecordRun {
  readonly message_id: string;
  readonly message_group_id?: string;
  readonly connector?: string;
  readonly source?: string;
  readonly event_type?: string;
  readonly event_id?: string;
  readonly outcome: LoggedOutcome;
  readonly flows_matched: readonly string[];
  readonly flows: readonly FlowRun[];
  readonly duration_ms: number;
  readonly error?: { readonly class: ErrorClass; readonly name: string; readonly message: string };
  readonly failed_at?: { readonly flow?: string; readonly step?: string };
}

/** A `flow-worker dlq redrive` the run made before a batch: what it moved back, and where from. */
export interface RedriveRun {
  /** Why the operator redrives, in words. */
  readonly note: string;
  readonly command: string;
  readonly redriven: number;
  readonly skipped: number;
  readonly failed: number;
  readonly moves: readonly {
    readonly message_id: string;
    readonly reason: string;
    readonly connector: string | null;
    readonly to: string;
  }[];
}

export interface BatchRun {
  /** Set on the batch that delivered what a redrive moved back. */
  readonly redrive?: RedriveRun;
  readonly title: string;
  readonly queue: QueueName;
  readonly handler: string;
  readonly records: readonly RecordRun[];
  readonly batch_item_failures: readonly string[];
  readonly duration_ms: number;
}

/** What the handler logged during one invocation (see `invokeCaptured`). */
export interface LoggedRun {
  readonly records: readonly RecordLogLine[];
  readonly runReports: readonly RunReportLogLine[];
}

function errorOf(line: RecordLogLine): RecordRun['error'] {
  return line.error_class === undefined
    ? undefined
    : { class: line.error_class, name: line.error_name ?? 'Error', message: line.error_message ?? '' };
}

/**
 * Steps and flows with results, from the DEBUG run report: the INFO line's timings and statuses
 * (the runtime's own summary) with each step's result and error added.
 */
function flowsFromRunReport(debug: RunReportLogLine): FlowRun[] {
  const { flows } = debug.run_report;
  return summarizeFlows(debug.run_report).map((flow, f) => ({
    ...flow,
    steps: flow.steps.map((step, s) => {
      const { result, error } = flows[f]?.steps[s] ?? {};
      return {
        ...step,
        ...(result === undefined ? {} : { result }),
        ...(error === undefined
          ? {}
          : { error: { class: error.class, name: error.name, message: error.message } }),
      };
    }),
  }));
}

/**
 * Steps and flows without results, from the INFO line (a handler logging above DEBUG). That line
 * lists a flow's steps only when it did not complete with every step ok.
 */
function flowsFromRecordLine(line: RecordLogLine): FlowRun[] {
  const error = errorOf(line);
  return (line.flows ?? []).map((flow: LoggedFlow) => ({
    name: flow.name,
    status: flow.status,
    duration_ms: flow.duration_ms,
    steps: (flow.steps ?? []).map((step) => ({
      id: step.id,
      action: step.action,
      status: step.status,
      duration_ms: step.duration_ms,
      ...(error !== undefined && line.flow === flow.name && line.step === step.id ? { error } : {}),
    })),
  }));
}

/** One {@link RecordRun} per record of the event, in event order. */
export function recordRuns(event: SQSEvent, logged: LoggedRun): RecordRun[] {
  return event.Records.map((record) => {
    const line = logged.records.find((l) => l.message_id === record.messageId);
    if (line === undefined) {
      return {
        message_id: record.messageId,
        outcome: 'failed',
        flows_matched: [],
        flows: [],
        duration_ms: 0,
        error: { class: 'retryable', name: 'Unknown', message: 'the handler logged nothing for this record' },
      };
    }
    const debug = logged.runReports.find((r) => r.message_id === record.messageId);
    const error = errorOf(line);
    return {
      message_id: line.message_id,
      ...(line.message_group_id === undefined ? {} : { message_group_id: line.message_group_id }),
      ...(line.connector === undefined ? {} : { connector: line.connector }),
      ...(line.source === undefined ? {} : { source: line.source }),
      ...(line.event_type === undefined ? {} : { event_type: line.event_type }),
      ...(line.event_id === undefined ? {} : { event_id: line.event_id }),
      outcome: line.outcome,
      flows_matched: line.flows_matched,
      flows: debug === undefined ? flowsFromRecordLine(line) : flowsFromRunReport(debug),
      duration_ms: line.duration_ms,
      ...(error === undefined ? {} : { error }),
      ...(line.flow === undefined && line.step === undefined
        ? {}
        : {
            failed_at: {
              ...(line.flow ? { flow: line.flow } : {}),
              ...(line.step ? { step: line.step } : {}),
            },
          }),
    };
  });
}

/** One call that reached a target (or, in a dry run, would have). */
export interface TargetCall {
  /** `POST /crm/v3/objects/companies/batch/upsert`, or `upsert company` in a dry run. */
  readonly request: string;
  readonly status?: number;
  /** A one-line summary of the body sent. */
  readonly body?: string;
  /** A one-line summary of the answer. */
  readonly response?: string;
}

export interface TargetTraffic {
  readonly target: string;
  readonly kind: string;
  readonly url?: string;
  readonly calls: readonly TargetCall[];
}

/** A message in a queue at the end of the run: a dead-lettered record or an emitted envelope. */
export interface QueuedMessage {
  readonly queue: string;
  readonly message_id: string;
  readonly message_group_id?: string;
  readonly message_deduplication_id?: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LocalRunReport {
  readonly title: string;
  /** What was set up and rewritten, in words. */
  readonly notes: readonly string[];
  readonly batches: readonly BatchRun[];
  readonly targets: readonly TargetTraffic[];
  readonly emitted: readonly QueuedMessage[];
  readonly dead_lettered: readonly QueuedMessage[];
}

const SUMMARY_LENGTH = 110;

/**
 * A value as compact one-line JSON of at most `max` characters. An object or array too long for
 * that keeps its leading members whole and ends `…}` / `…]`, so no key or value is cut mid-way;
 * strings, and containers whose first member alone is too long, are cut at `max` with `…`.
 */
export function summarize(value: unknown, max = SUMMARY_LENGTH): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= max) return text;
  if (typeof value === 'object' && value !== null) {
    const members = Array.isArray(value)
      ? value.map((item) => JSON.stringify(item) ?? 'null')
      : Object.entries(value).map(
          ([key, item]) => `${JSON.stringify(key)}:${JSON.stringify(item) ?? 'null'}`,
        );
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    let kept = '';
    for (const member of members) {
      const next = kept === '' ? member : `${kept},${member}`;
      if (open.length + next.length + `,…${close}`.length > max) break;
      kept = next;
    }
    if (kept !== '') return `${open}${kept},…${close}`;
  }
  return `${text.slice(0, max - 1)}…`;
}
