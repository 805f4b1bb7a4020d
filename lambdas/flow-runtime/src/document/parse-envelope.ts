import { PoisonMessageError } from '../errors.js';
import type { Envelope } from './envelope.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonExact } from './json.js';
import { MAX_NAME_LENGTH } from './names.js';

/**
 * The hot path of every record: the SQS body to an {@link Envelope}, without zod. The zod schema in
 * `envelope.ts` stays the one definition of the envelope (its type, the CLI's checks); this is the
 * same check written out by hand, because building and running the schema was ~40 % of the
 * per-record cost and loading zod a third of the handler's cold start. `test/unit/document/
 * parse-envelope.test.ts` proves both give the same verdict and the same messages for any value.
 */

/** The SQS facts about one record that the runtime needs besides its body (absent ones may be `undefined`). */
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
  /** `connector_id`: the longest connector id a config can have (DynamoDB's key limit is far above). */
  tooLong: `must be at most ${MAX_NAME_LENGTH} characters (no connector config has a longer id)`,
  /** `connector_id`: a lone UTF-16 surrogate cannot be sent to DynamoDB as a key. */
  wellFormed: 'must be well-formed Unicode text (it contains an unpaired surrogate)',
  /** `payload`: deeper values would overflow the stack of JSON.stringify and other recursive code. */
  tooDeep: `must be nested at most ${MAX_JSON_DEPTH} levels deep`,
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

/**
 * Every problem of a parsed body as an envelope, in field order; empty when it is one.
 * `sourceLength`, the length of the JSON text the value was parsed from, lets the payload's depth
 * check be skipped when the text is too short to hold that many levels (each takes two brackets).
 */
export function envelopeProblems(value: Readonly<Record<string, unknown>>, sourceLength?: number): string[] {
  const problems: string[] = [];
  for (const field of REQUIRED_STRINGS) {
    if (!isNonEmptyString(value[field])) problems.push(`${field} ${ENVELOPE_MESSAGES.nonEmpty}`);
    else if (field === 'connector_id') problems.push(...connectorIdProblems(value[field]));
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
  else if (mayBeTooDeep(sourceLength) && jsonDepthExceeds(value.payload, MAX_JSON_DEPTH)) {
    problems.push(`payload ${ENVELOPE_MESSAGES.tooDeep}`);
  }
  return problems;
}

function connectorIdProblems(id: string): string[] {
  const problems: string[] = [];
  if (id.length > MAX_NAME_LENGTH) problems.push(`connector_id ${ENVELOPE_MESSAGES.tooLong}`);
  if (!id.isWellFormed()) problems.push(`connector_id ${ENVELOPE_MESSAGES.wellFormed}`);
  return problems;
}

/** A JSON text nests a value `d` levels deep only with `2 × d` brackets. */
function mayBeTooDeep(sourceLength: number | undefined): boolean {
  return sourceLength === undefined || sourceLength > 2 * MAX_JSON_DEPTH;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Parses a raw SQS body into an envelope. Unknown top-level fields are kept. Numbers a double cannot
 * hold exactly (`9007199254740993`) are kept as written (see `parseJsonExact`), so they reach
 * targets digit for digit.
 * @throws PoisonMessageError saying exactly what is wrong (not JSON, which field is missing or
 * mistyped, a connector id no config can have, a payload nested too deep).
 */
export function parseEnvelope(body: string): Envelope {
  let value: unknown;
  try {
    value = parseJsonExact(body);
  } catch (error) {
    throw new PoisonMessageError(`message body is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PoisonMessageError(`message body must be a JSON object (an envelope), got ${kindOf(value)}`);
  }
  const record = value as Record<string, unknown>;
  const problems = envelopeProblems(record, body.length);
  if (problems.length > 0) {
    const connector = record.connector_id;
    throw new PoisonMessageError(`invalid envelope: ${problems.join('; ')}`, {
      context: typeof connector === 'string' ? { connector } : {},
    });
  }
  return record as Envelope;
}
