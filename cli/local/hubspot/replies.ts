import { randomUUID } from 'node:crypto';
import { HttpReplyError, type JsonReply } from '../json-http.js';

/** HubSpot's error body: `{status: "error", message, correlationId, category}` (plus extras). */
export function hubspotError(
  status: number,
  category: string,
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
): HttpReplyError {
  return new HttpReplyError({
    status,
    body: { status: 'error', message, correlationId: randomUUID(), category, ...extra },
  });
}

/** One input's error inside a batch answer (HubSpot's `StandardError`): context values are string arrays. */
export interface ItemError {
  readonly status: 'error';
  readonly category: string;
  readonly message: string;
  readonly context: Readonly<Record<string, readonly string[]>>;
}

export function itemError(
  category: string,
  message: string,
  context: Readonly<Record<string, readonly string[]>>,
): ItemError {
  return { status: 'error', category, message, context };
}

/**
 * A batch answer as HubSpot shapes it: `status: COMPLETE`, `results`, the times, and with any
 * failed input `errors` + `numErrors` and the status `207 Multi-Status`.
 */
export function batchReply(
  okStatus: number,
  startedAt: string,
  results: readonly unknown[],
  errors: readonly ItemError[],
): JsonReply {
  const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (errors.length === 0) return { status: okStatus, body };
  return { status: 207, body: { ...body, errors, numErrors: errors.length } };
}

/** The `inputs` of a batch call: a non-empty array of objects, at most 100 of them. */
export function batchInputs(body: unknown): Record<string, unknown>[] {
  const inputs =
    typeof body === 'object' && body !== null ? (body as { inputs?: unknown }).inputs : undefined;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: "inputs" must be a non-empty array');
  }
  if (inputs.length > 100) {
    throw hubspotError(
      400,
      'VALIDATION_ERROR',
      `Batch input of ${inputs.length} exceeds the limit of 100 inputs`,
    );
  }
  return inputs.map((input: unknown) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: every input must be an object');
    }
    return input as Record<string, unknown>;
  });
}
