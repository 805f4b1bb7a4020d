import type { SQSEvent } from 'aws-lambda';
import {
  emitDeduplicationId,
  type ConnectorConfig,
  type ErrorClass,
  type LoggedOutcome,
  type QueueName,
  type RecordLogLine,
} from '@flow-worker/runtime';

/**
 * The data of a local run report (demo and `invoke`), built from what the real handler logged for
 * each record (its one structured line: outcome, flows, step statuses, error) plus the config
 * (step actions) and the local queues (emitted message ids). Plain JSON: `--json` prints it as is.
 */
export interface StepRun {
  readonly id: string;
  readonly action: string;
  readonly status: string;
  readonly result?: unknown;
  readonly error?: { readonly class: string; readonly name: string; readonly message: string };
}

export interface FlowRun {
  readonly name: string;
  readonly status: string;
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

export interface BatchRun {
  readonly title: string;
  readonly queue: QueueName;
  readonly handler: string;
  readonly records: readonly RecordRun[];
  readonly batch_item_failures: readonly string[];
  readonly duration_ms: number;
}

/** Finds the message an `emit` step sent, by the deduplication id the runtime derives. */
export type EmittedMessageLookup = (deduplicationId: string) => string | undefined;

function actionsOf(config: ConnectorConfig | undefined): Map<string, string> {
  const actions = new Map<string, string>();
  for (const flow of config?.flows ?? []) {
    for (const step of flow.steps) actions.set(`${flow.name}\u0000${step.id}`, step.action);
  }
  return actions;
}

function stepRuns(
  line: RecordLogLine,
  flow: NonNullable<RecordLogLine['flows']>[number],
  actions: Map<string, string>,
  findEmitted: EmittedMessageLookup,
): StepRun[] {
  return flow.steps.map((step) => {
    const action = actions.get(`${flow.name}\u0000${step.id}`) ?? '?';
    const failedHere = line.flow === flow.name && line.step === step.id && line.error_class !== undefined;
    let result: unknown;
    if (action === 'emit' && step.status === 'ok' && line.event_id !== undefined) {
      const messageId = findEmitted(emitDeduplicationId(line.event_id, flow.name, step.id));
      if (messageId !== undefined) result = { message_id: messageId };
    }
    return {
      id: step.id,
      action,
      status: step.status,
      ...(result === undefined ? {} : { result }),
      ...(failedHere
        ? {
            error: {
              class: line.error_class,
              name: line.error_name ?? 'Error',
              message: line.error_message ?? '',
            },
          }
        : {}),
    };
  });
}

/** One {@link RecordRun} per record of the event, in event order. */
export function recordRuns(
  event: SQSEvent,
  lines: readonly RecordLogLine[],
  config: ConnectorConfig | undefined,
  findEmitted: EmittedMessageLookup,
): RecordRun[] {
  const actions = actionsOf(config);
  return event.Records.map((record) => {
    const line = lines.find((l) => l.message_id === record.messageId);
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
    return {
      message_id: line.message_id,
      ...(line.message_group_id === undefined ? {} : { message_group_id: line.message_group_id }),
      ...(line.connector === undefined ? {} : { connector: line.connector }),
      ...(line.source === undefined ? {} : { source: line.source }),
      ...(line.event_type === undefined ? {} : { event_type: line.event_type }),
      ...(line.event_id === undefined ? {} : { event_id: line.event_id }),
      outcome: line.outcome,
      flows_matched: line.flows_matched,
      flows: (line.flows ?? []).map((flow) => ({
        name: flow.name,
        status: flow.status,
        steps: stepRuns(line, flow, actions, findEmitted),
      })),
      duration_ms: line.duration_ms,
      ...(line.error_class === undefined
        ? {}
        : {
            error: {
              class: line.error_class,
              name: line.error_name ?? 'Error',
              message: line.error_message ?? '',
            },
          }),
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

/** A value as compact one-line JSON, cut to a readable length. */
export function summarize(value: unknown, max = SUMMARY_LENGTH): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
