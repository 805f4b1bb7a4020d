import type { SQSRecord } from 'aws-lambda';
import type { Envelope } from '../document/envelope.js';
// The zod-free module: envelope.ts would evaluate zod when the handler is imported.
import { eventIdOf, type MessageMeta } from '../document/parse-envelope.js';
import { checkpointAdvanced, checkpointOf, type RunCheckpoint } from '../engine/checkpoint.js';
import type { RunReport } from '../engine/report.js';
import { describeError } from '../errors.js';
import { DEAD_LETTER_ATTRIBUTES } from './dead-letter.js';
import { METRICS, countMetric, type LogSink, type MetricSink } from './observability.js';
import { runIdOf, type RunStateStore } from './run-state.js';

/**
 * When a record's checkpoint is read, written and deleted (docs/handlers.md, delivery over time):
 *
 * - read only when one may exist: on a redelivery (`ApproximateReceiveCount` > 1), or for a
 *   message that came back from the dead-letter queue (it carries `error_class`, or the
 *   `redriven_from` attribute `flow-worker dlq redrive` adds);
 * - written only when the record ends unfinished and finished something new;
 * - deleted when a record that read one finishes.
 *
 * So the happy path (first receive, success) makes no call to the run-state table.
 */

/** One delivery of a record, as far as checkpoints go. */
export interface Delivery {
  /** What earlier deliveries finished; `undefined` when there was nothing (or it was not read). */
  readonly resume: RunCheckpoint | undefined;
  /** Whether the store was read (so a finished record deletes what it found). */
  readonly read: boolean;
}

/** A first receive: nothing to read, so nothing was. */
const FIRST_DELIVERY: Delivery = { resume: undefined, read: false };

export interface CheckpointDeps {
  readonly runState?: RunStateStore | undefined;
  readonly logger: LogSink;
  readonly metrics: MetricSink;
}

/**
 * The message attribute `flow-worker dlq redrive` adds to every message it moves back: the name of
 * the dead-letter queue it came from. (A message SQS itself moved carries no `error_class`.)
 */
export const REDRIVEN_FROM_ATTRIBUTE = 'redriven_from';

/** A redelivery, or a message that has been through the dead-letter queue (and was redriven). */
export function mayHaveCheckpoint(record: Pick<SQSRecord, 'attributes' | 'messageAttributes'>): boolean {
  const receives = Number(record.attributes.ApproximateReceiveCount);
  const attributes = record.messageAttributes ?? {};
  const redriven =
    Object.hasOwn(attributes, DEAD_LETTER_ATTRIBUTES.errorClass) ||
    Object.hasOwn(attributes, REDRIVEN_FROM_ATTRIBUTE);
  return receives > 1 || redriven;
}

/** The run-state key of a record: its source queue, connector and event id. */
function runIdOfRecord(envelope: Envelope, meta: MessageMeta): string {
  return runIdOf(meta.sourceQueue ?? '', envelope.connector_id, eventIdOf(envelope, meta));
}

/**
 * Opens a delivery: reads the checkpoint when one may exist. `undefined` without a store; a first
 * receive answers at once, without a promise.
 * @throws RetryableError when the checkpoint cannot be read (the record must not run without it).
 */
export function openDelivery(
  deps: CheckpointDeps,
  record: SQSRecord,
  envelope: Envelope,
  meta: MessageMeta,
): Delivery | undefined | Promise<Delivery> {
  const store = deps.runState;
  if (store === undefined) return undefined;
  if (!mayHaveCheckpoint(record)) return FIRST_DELIVERY;
  return store.load(runIdOfRecord(envelope, meta)).then((resume) => ({ resume, read: true }));
}

/**
 * Closes a delivery after its run: a finished record deletes the checkpoint it read; an unfinished
 * one saves what it finished, when that is more than the checkpoint already held. A failing store
 * is logged and counted, never thrown: the record's outcome stands, and a redelivery may then run
 * completed steps again (the documented window). `undefined` when there is nothing to write.
 */
export function closeDelivery(
  deps: CheckpointDeps,
  delivery: Delivery | undefined,
  run: { readonly report: RunReport; readonly finished: boolean; readonly configVersion: number },
  about: { readonly envelope: Envelope; readonly meta: MessageMeta },
): Promise<void> | undefined {
  const store = deps.runState;
  if (store === undefined || delivery === undefined) return undefined;
  if (run.finished) {
    if (!delivery.read || delivery.resume === undefined) return undefined;
    return writeRunState(deps, run.finished, about, (runId) => store.clear(runId));
  }
  const checkpoint = checkpointOf(run.report);
  if (checkpoint === undefined || !checkpointAdvanced(delivery.resume, checkpoint)) return undefined;
  return writeRunState(deps, run.finished, about, async (runId) => {
    await store.save(runId, checkpoint, {
      connector: about.envelope.connector_id,
      eventId: eventIdOf(about.envelope, about.meta),
      sourceQueue: about.meta.sourceQueue ?? '',
      configVersion: run.configVersion,
    });
    countMetric(deps.metrics, METRICS.checkpointsSaved);
  });
}

/** One run-state write (a save or a delete); a failure is logged and counted, never thrown. */
async function writeRunState(
  deps: CheckpointDeps,
  finished: boolean,
  about: { readonly envelope: Envelope; readonly meta: MessageMeta },
  write: (runId: string) => Promise<void>,
): Promise<void> {
  const runId = runIdOfRecord(about.envelope, about.meta);
  try {
    await write(runId);
  } catch (error) {
    countMetric(deps.metrics, METRICS.runStateErrors);
    const { name, message } = describeError(error);
    deps.logger.warn(
      finished
        ? 'run state not deleted: it expires on its own'
        : 'run state not saved: a redelivery runs the steps this delivery completed again',
      { message_id: about.meta.messageId, run_id: runId, error_name: name, error_message: message },
    );
  }
}
