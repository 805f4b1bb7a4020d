import type { SQSRecord } from 'aws-lambda';
import {
  createConfigStore,
  createFlowWorkerHandler,
  createRecordingTargets,
  readEnvironment,
  type ConfigTable,
  type DeadLetterReason,
  type MetricSink,
  type QueueName,
  type RecordingTargets,
  type SqsHandler,
} from '@flow-worker/runtime';
import { summarize, type QueuedMessage, type TargetTraffic } from '../run-report.js';

/** What a dry run recorded instead of sending. */
export interface DryRun {
  readonly handler: SqsHandler;
  readonly recording: RecordingTargets;
  readonly deadLettered: { readonly record: SQSRecord; readonly reason: DeadLetterReason }[];
}

const NO_METRICS: MetricSink = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

/**
 * The handler as the Lambda builds it from its environment (`createFlowWorkerHandler`), with every
 * target, the emitter and the dead-letter queue replaced by recorders. The config is still read
 * from the table, through the same config store.
 */
export function dryRunHandler(
  queue: QueueName,
  env: Readonly<Record<string, string>>,
  table: ConfigTable,
): DryRun {
  const recording = createRecordingTargets();
  const deadLettered: DryRun['deadLettered'] = [];
  const handler = createFlowWorkerHandler(env, {
    queue,
    overrides: {
      // The same address rules as the handler (ALLOW_TARGET_ADDRESSES), so a dry run refuses what a run would.
      configs: createConfigStore({
        ...table,
        targetFactory: recording.factory,
        allowTargetAddresses: readEnvironment(env).allowTargetAddresses,
      }),
      emitter: recording.emitter,
      deadLetter: {
        send: (record, reason) => {
          deadLettered.push({ record, reason });
          return Promise.resolve();
        },
      },
      metrics: NO_METRICS,
    },
  });
  return { handler, recording, deadLettered };
}

/** The recorded target calls, per target, in order. */
export function recordedTraffic(dryRun: DryRun): TargetTraffic[] {
  const byTarget = new Map<string, TargetTraffic & { calls: TargetTraffic['calls'][number][] }>();
  for (const call of dryRun.recording.calls) {
    let traffic = byTarget.get(call.target);
    if (traffic === undefined)
      byTarget.set(call.target, (traffic = { target: call.target, kind: call.kind, calls: [] }));
    const id = call.id === undefined ? '' : ` ${call.idProperty ?? 'id'}=${call.id}`;
    const to = call.to === undefined ? '' : ` → ${call.to.entity} id=${call.to.id}`;
    const label = call.type === undefined ? '' : ` (${call.type.category} ${call.type.typeId})`;
    traffic.calls.push({
      request: `${call.action} ${call.entity}${id}${to}${label}`,
      ...(call.data === undefined ? {} : { body: summarize(call.data) }),
    });
  }
  return [...byTarget.values()];
}

/** The recorded emits, as queue messages. */
export function recordedEmits(dryRun: DryRun): QueuedMessage[] {
  return dryRun.recording.emitter.emitted.map((emit) => ({
    queue: `${emit.queue}.fifo`,
    message_id: emit.messageId,
    message_group_id: emit.messageGroupId,
    message_deduplication_id: emit.messageDeduplicationId,
    attributes: {},
    body: JSON.stringify(emit.envelope),
  }));
}

/** The recorded dead letters, with the attributes the real DLQ message would carry. */
export function recordedDeadLetters(dryRun: DryRun, queue: QueueName): QueuedMessage[] {
  return dryRun.deadLettered.map(({ record, reason }) => ({
    queue: `${queue}-dlq.fifo`,
    message_id: '(not sent)',
    ...(record.attributes.MessageGroupId === undefined
      ? {}
      : { message_group_id: record.attributes.MessageGroupId }),
    message_deduplication_id: record.messageId,
    attributes: {
      error_class: reason.errorClass,
      error_message: reason.errorMessage,
      ...(reason.flow === undefined ? {} : { flow: reason.flow }),
      ...(reason.step === undefined ? {} : { step: reason.step }),
      source_queue: record.eventSourceARN.split(':').at(-1) ?? '',
    },
    body: record.body,
  }));
}
