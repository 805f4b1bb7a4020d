import { PoisonMessageError } from '../errors.js';
import type { Envelope } from './envelope.js';

/**
 * The hot path of every record: the SQS body to an {@link Envelope}, without zod. The zod schema in
 * `envelope.ts` stays the one definition of the envelope (its type, the CLI's checks); this is the
 * same check written out by hand, because building and running the schema was ~40 % of the
 * per-record cost and loading zod a third of the handler's cold start. `test/unit/document/
 * parse-envelope.test.ts` proves both give the same verdict and the same messages for any value.
 */

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

export const ENVELOPE_MESSAGES = {
  nonEmpty: 'must be a non-empty string',
  dateTime: 'must be an ISO-8601 date-time with a time zone',
  required: 'is required',
} as const;

/** Required, then optional string fields, in the order their problems are reported. */
const REQUIRED_STRINGS = ['connector_id', 'source_name', 'event_type'] as const;

const DATE =
  '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))';
/**
 * RFC 3339 date-time with seconds and an explicit zone (`Z` or `±hh:mm`), calendar-checked dates
 * (29 February only in leap years) and any fraction of a second.
 */
const DATE_TIME = new RegExp(
  `^${DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Every problem of a parsed body as an envelope, in field order; empty when it is one. */
export function envelopeProblems(value: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const field of REQUIRED_STRINGS) {
    if (!isNonEmptyString(value[field])) problems.push(`${field} ${ENVELOPE_MESSAGES.nonEmpty}`);
  }
  if (value.event_id !== undefined && !isNonEmptyString(value.event_id)) {
    problems.push(`event_id ${ENVELOPE_MESSAGES.nonEmpty}`);
  }
  const { occurred_at: occurredAt } = value;
  if (occurredAt !== undefined && (typeof occurredAt !== 'string' || !DATE_TIME.test(occurredAt))) {
    problems.push(`occurred_at ${ENVELOPE_MESSAGES.dateTime}`);
  }
  // Any JSON value, `null` included, but present: an event without a payload is a producer bug.
  if (value.payload === undefined) problems.push(`payload ${ENVELOPE_MESSAGES.required}`);
  return problems;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Parses a raw SQS body into an envelope. Unknown top-level fields are kept.
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
    throw new PoisonMessageError(`message body must be a JSON object (an envelope), got ${kindOf(value)}`);
  }
  const record = value as Record<string, unknown>;
  const problems = envelopeProblems(record);
  if (problems.length > 0) {
    const connector = record.connector_id;
    throw new PoisonMessageError(`invalid envelope: ${problems.join('; ')}`, {
      context: typeof connector === 'string' ? { connector } : {},
    });
  }
  return record as Envelope;
}
