import { isPlainObject } from '../../document/json.js';
import { PermanentError, RetryableError } from '../../errors.js';
import type { CoalescedEntry } from '../coalescer.js';
import type { HttpExchange, HttpResponse } from '../http-client.js';
import type { RemoteCall } from '../remote-target.js';
import type { TargetResult } from '../target.js';
import { contextValues, matchBatchAnswer, type BatchInputRef, type BatchKeys } from './batch-answer.js';

/** One queued request of a batched operation, settled exactly once. */
export interface BatchEntry extends CoalescedEntry {
  /** `upsert company`: how errors about this entry name it. */
  readonly description: string;
  succeed(result: TargetResult): void;
}

/**
 * Sends one HTTP call (taking a rate-limit slot first), named `operation` in errors; a non-2xx
 * answer comes back with its error.
 */
export type SendCall = (call: RemoteCall, operation: string) => Promise<HttpExchange>;

/** How one kind of batched request is sent alone, sent together, and read back. */
export interface BatchOperation<E extends BatchEntry> {
  /** Names the target in errors, e.g. `hubspot target "crm"`. */
  readonly label: string;
  /** Names a batch call in errors, e.g. `upsert companies`. */
  readonly name: string;
  /** An entry whose outcome the answer does not tell may be sent again on its own. */
  readonly idempotent: boolean;
  readonly keys: BatchKeys;
  /** The single-record call for an entry alone (or the last step of narrowing). */
  lone(entry: E, send: SendCall): Promise<TargetResult>;
  /** The batch call of several entries, and what matching needs to know of each input. */
  batch(entries: readonly E[]): { readonly call: RemoteCall; readonly refs: readonly BatchInputRef[] };
  /** A matched result item as the entry's result; `undefined` when it lacks what the step reports. */
  result(item: Readonly<Record<string, unknown>>, entry: E): TargetResult | undefined;
  /** The property names an entry sends (to tell which inputs a "property does not exist" 400 is about). */
  properties(entry: E): readonly string[];
}

/** Statuses of a whole batch that one bad input can cause: worth narrowing down to that input. */
const NARROWABLE_STATUSES = new Set([400, 409]);

/**
 * Sends `entries` (one lane, at most one batch) and settles every entry with its own result or
 * error:
 *
 * - one entry: its single-record call;
 * - a `200`/`201`/`207`: each input gets its matched result or error; inputs the answer does not
 *   account for are sent again alone when the operation is idempotent, else failed;
 * - a `400`/`409` for the whole call: inputs that send a property HubSpot says does not exist fail
 *   and the others are sent again; a problem of the call itself (a non-unique `idProperty`) fails
 *   every input; otherwise the batch is split in halves, each sent again (bisection), until the
 *   invalid inputs are alone;
 * - anything else (429, 5xx, timeouts, 401/403): every entry fails with that error.
 */
export async function runBatch<E extends BatchEntry>(
  operation: BatchOperation<E>,
  entries: readonly E[],
  send: SendCall,
): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) {
    const entry = entries[0] as E;
    await operation.lone(entry, send).then(
      (result) => entry.succeed(result),
      (error: unknown) => entry.fail(error),
    );
    return;
  }
  const { call, refs } = operation.batch(entries);
  let exchange: HttpExchange;
  try {
    exchange = await send(call, `${operation.name} (${entries.length} records)`);
  } catch (error) {
    for (const entry of entries) entry.fail(copyError(error));
    return;
  }
  if (exchange.error !== undefined)
    return narrow(operation, entries, send, exchange.response, exchange.error);

  const unanswered: E[] = [];
  matchBatchAnswer(refs, exchange.response.body, operation.keys).forEach((outcome, index) => {
    const entry = entries[index] as E;
    const result = outcome.kind === 'result' ? operation.result(outcome.result, entry) : undefined;
    if (result !== undefined) entry.succeed(result);
    else if (outcome.kind === 'error')
      entry.fail(itemError(operation.label, entry, exchange.response, outcome.error));
    else unanswered.push(entry);
  });
  if (operation.idempotent) {
    await Promise.all(unanswered.map((entry) => runBatch(operation, [entry], send)));
  } else {
    for (const entry of unanswered) entry.fail(unansweredError(operation.label, entry, exchange.response));
  }
}

async function narrow<E extends BatchEntry>(
  operation: BatchOperation<E>,
  entries: readonly E[],
  send: SendCall,
  response: HttpResponse,
  error: Error,
): Promise<void> {
  if (!NARROWABLE_STATUSES.has(response.status)) {
    for (const entry of entries) entry.fail(copyError(error));
    return;
  }
  const missing = missingProperties(response.body);
  const named = entries.filter((entry) => operation.properties(entry).some((name) => missing.has(name)));
  if (named.length > 0) {
    for (const entry of named) entry.fail(copyError(error));
    await runBatch(
      operation,
      entries.filter((entry) => !named.includes(entry)),
      send,
    );
    return;
  }
  if (isAboutTheWholeCall(response.body)) {
    for (const entry of entries) entry.fail(copyError(error));
    return;
  }
  const half = Math.ceil(entries.length / 2);
  await Promise.all([
    runBatch(operation, entries.slice(0, half), send),
    runBatch(operation, entries.slice(half), send),
  ]);
}

/**
 * Properties a validation error says do not exist: HubSpot names them in `errors[].context.propertyName`
 * (code `PROPERTY_DOESNT_EXIST`) and in the JSON list inside `message`.
 */
export function missingProperties(body: unknown): ReadonlySet<string> {
  const names = new Set<string>();
  if (!isPlainObject(body)) return names;
  const errors = Array.isArray(body.errors) ? body.errors.filter(isPlainObject) : [];
  for (const error of errors) {
    if (error.code === 'PROPERTY_DOESNT_EXIST')
      for (const name of contextValues(error, 'propertyName')) names.add(name);
  }
  const message = typeof body.message === 'string' ? body.message : '';
  for (const match of message.matchAll(/"error":"PROPERTY_DOESNT_EXIST","name":"([^"\\]+)"/g)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/** A 400 about the call, not an input: the `idProperty` is not a unique property. */
function isAboutTheWholeCall(body: unknown): boolean {
  const message = isPlainObject(body) && typeof body.message === 'string' ? body.message : '';
  return /by non-unique .* property/i.test(message);
}

const MAX_REMOTE_MESSAGE = 500;

/** One input's error from a `207` (or a `200` that carries `errors`): permanent, like a 4xx. */
function itemError(
  label: string,
  entry: BatchEntry,
  response: HttpResponse,
  error: Readonly<Record<string, unknown>>,
): PermanentError {
  const category = typeof error.category === 'string' ? ` (${error.category})` : '';
  const text = typeof error.message === 'string' ? error.message : '';
  const message =
    text === ''
      ? ''
      : `: ${text.length > MAX_REMOTE_MESSAGE ? `${text.slice(0, MAX_REMOTE_MESSAGE)}…` : text}`;
  const body = isPlainObject(response.body) ? response.body : {};
  return new PermanentError(
    `${label}: ${entry.description} failed: HTTP ${response.status}${category}${message}`,
    {
      status: response.status,
      correlationId: typeof body.correlationId === 'string' ? body.correlationId : undefined,
      context: {
        operation: entry.description,
        ...(typeof error.category === 'string' ? { category: error.category } : {}),
      },
    },
  );
}

function unansweredError(label: string, entry: BatchEntry, response: HttpResponse): PermanentError {
  return new PermanentError(
    `${label}: ${entry.description} got an unexpected response: HTTP ${response.status} names no result or error for this record, so whether it was written is unknown`,
    { status: response.status, context: { operation: entry.description } },
  );
}

/**
 * Each record gets its own error instance: the runner adds the record's flow and step to the
 * error's context, which must not leak into another record's error.
 */
export function copyError(error: unknown): unknown {
  if (error instanceof RetryableError) {
    return new RetryableError(error.message, {
      cause: error.cause,
      context: { ...error.context },
      status: error.status,
      retryAfterSeconds: error.retryAfterSeconds,
    });
  }
  if (error instanceof PermanentError) {
    return new PermanentError(error.message, {
      cause: error.cause,
      context: { ...error.context },
      status: error.status,
      correlationId: error.correlationId,
    });
  }
  return error;
}
