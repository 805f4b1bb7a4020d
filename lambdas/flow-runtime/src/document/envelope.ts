import * as z from 'zod';
import { PoisonMessageError } from '../errors.js';

const NON_EMPTY = 'must be a non-empty string';
const nonEmpty = () => z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY });

/**
 * The SQS message body every producer sends (one JSON object). Unknown top-level fields are kept
 * (forward compatibility) and ignored.
 */
export const Envelope = z.looseObject({
  connector_id: nonEmpty(),
  source_name: nonEmpty(),
  event_type: nonEmpty(),
  /** The producer's id of the event: the idempotency key. */
  event_id: nonEmpty().optional(),
  occurred_at: z.iso
    .datetime({ offset: true, error: 'must be an ISO-8601 date-time with a time zone' })
    .optional(),
  /** Any JSON value; `null` when the event has none. The event that `$` expressions read. */
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

/** The SQS facts about one record that the runtime needs besides its body. */
export interface MessageMeta {
  readonly messageId: string;
  readonly messageGroupId: string;
  readonly deduplicationId?: string;
  /** The queue the record came from, e.g. `inbound-sync`. */
  readonly sourceQueue?: string;
}

/** The idempotency key of an event: `event_id`, else the SQS deduplication id, else the message id. */
export function eventIdOf(envelope: Envelope, meta: MessageMeta): string {
  return envelope.event_id ?? meta.deduplicationId ?? meta.messageId;
}

/**
 * Parses a raw SQS body into an envelope.
 * @throws PoisonMessageError saying exactly what is wrong (not JSON, which field is missing or mistyped).
 */
export function parseEnvelope(body: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError(`message body is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PoisonMessageError(
      `message body must be a JSON object (an envelope), got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  const parsed = Envelope.safeParse(value, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join('.')} ${issue.message}`,
    );
    throw new PoisonMessageError(`invalid envelope: ${problems.join('; ')}`, {
      context:
        typeof (value as { connector_id?: unknown }).connector_id === 'string'
          ? { connector: (value as { connector_id: string }).connector_id }
          : {},
    });
  }
  return parsed.data;
}
