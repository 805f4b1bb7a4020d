import * as z from 'zod';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json.js';
import { MAX_NAME_LENGTH } from './names.js';
import { ENVELOPE_MESSAGES } from './parse-envelope.js';

export { eventIdOf, parseEnvelope, envelopeProblems, type MessageMeta } from './parse-envelope.js';

const nonEmpty = () =>
  z.string({ error: ENVELOPE_MESSAGES.nonEmpty }).min(1, { error: ENVELOPE_MESSAGES.nonEmpty });

/**
 * The SQS message body every producer sends (one JSON object): the one definition of the
 * envelope, for its type and for tools. Unknown top-level fields are kept (forward compatibility)
 * and ignored. The handlers check bodies with `parseEnvelope` (`parse-envelope.ts`), the same rules
 * without zod on the hot path.
 */
export const Envelope = z.looseObject({
  /** The config table's key: no longer than any config's `connector_id`, and well-formed Unicode. */
  connector_id: nonEmpty()
    .max(MAX_NAME_LENGTH, { error: ENVELOPE_MESSAGES.tooLong })
    .refine((id) => id.isWellFormed(), { error: ENVELOPE_MESSAGES.wellFormed }),
  source_name: nonEmpty(),
  event_type: nonEmpty(),
  /** The producer's id of the event: the idempotency key. */
  event_id: nonEmpty().optional(),
  occurred_at: z.iso.datetime({ offset: true, error: ENVELOPE_MESSAGES.dateTime }).optional(),
  /**
   * Any JSON value nested at most `MAX_JSON_DEPTH` levels, required; `null` when the event has none.
   * The event that `$` expressions read.
   */
  payload: z.unknown().superRefine((payload, ctx) => {
    // Present but `undefined` (only possible from code, never from JSON) is missing too.
    if (payload === undefined) ctx.addIssue({ code: 'custom', message: ENVELOPE_MESSAGES.required });
    else if (jsonDepthExceeds(payload, MAX_JSON_DEPTH)) {
      ctx.addIssue({ code: 'custom', message: ENVELOPE_MESSAGES.tooDeep });
    }
  }),
});
export type Envelope = z.infer<typeof Envelope>;

/** The envelope problems the schema finds in a value, worded as `parseEnvelope` words them. */
export function envelopeSchemaProblems(value: unknown): string[] {
  const parsed = Envelope.safeParse(value, {
    error: (issue) => (issue.input === undefined ? ENVELOPE_MESSAGES.required : undefined),
  });
  if (parsed.success) return [];
  const problems = parsed.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')} ${issue.message}`,
  );
  // zod reports `[]` twice for a string field (wrong type, then too short): once is enough.
  return [...new Set(problems)];
}
