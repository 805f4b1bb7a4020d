import { isPlainObject } from '../../document/json.js';

/**
 * Maps the answer to a HubSpot batch call back to its inputs. HubSpot does not promise to answer
 * in input order, and a `207` lists only the failed inputs in `errors[]` (the others in
 * `results[]`), so each item is matched by what names it, most reliable first:
 *
 * 1. the `objectWriteTraceId` every input is sent with (results may echo it; errors name it in
 *    `context.objectWriteTraceId`);
 * 2. the input's key: an upsert's `idProperty` value, an update's id, an association's pair of ids
 *    (results carry it in `properties` / `id` / `from`–`to`; errors in `context.ids`);
 * 3. for creates, which have no key, the properties sent (a created record echoes them);
 * 4. the one input left without an answer and the one error left without an input belong together.
 *
 * Whatever cannot be matched is `unknown`: the caller resends it alone (idempotent actions) or fails it.
 */

/** One input of a batch call, as matching needs it. */
export interface BatchInputRef {
  /** The `objectWriteTraceId` it was sent with. */
  readonly traceId: string;
  /** Its normalized key (see {@link normalizeKey}), when it has one. */
  readonly key?: string;
  /** The properties it sent, for inputs without a key (creates). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** How results and errors name their input, by operation. */
export interface BatchKeys {
  /** Normalized keys a result may carry. */
  readonly ofResult: (result: Readonly<Record<string, unknown>>) => readonly string[];
  /** Normalized keys an error names (e.g. `context.ids`). */
  readonly ofError: (error: Readonly<Record<string, unknown>>) => readonly string[];
}

export type BatchItemOutcome =
  | { readonly kind: 'result'; readonly result: Readonly<Record<string, unknown>> }
  | { readonly kind: 'error'; readonly error: Readonly<Record<string, unknown>> }
  | { readonly kind: 'unknown' };

/** Keys compare trimmed and case-insensitively: HubSpot lowercases e-mail addresses and domains. */
export function normalizeKey(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.trim().toLowerCase();
}

/** `context[name]` of a HubSpot error: its values are arrays of strings. */
export function contextValues(error: Readonly<Record<string, unknown>>, name: string): string[] {
  const context = isPlainObject(error.context) ? error.context : {};
  const values = context[name];
  if (Array.isArray(values)) return values.filter((value): value is string => typeof value === 'string');
  return typeof values === 'string' ? [values] : [];
}

function items(body: unknown, field: 'results' | 'errors'): Readonly<Record<string, unknown>>[] {
  const list = isPlainObject(body) ? body[field] : undefined;
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

/** One outcome per input, in input order. */
export function matchBatchAnswer(
  inputs: readonly BatchInputRef[],
  body: unknown,
  keys: BatchKeys,
): BatchItemOutcome[] {
  const outcomes: (BatchItemOutcome | undefined)[] = inputs.map(() => undefined);
  const open = (index: number | undefined): index is number =>
    index !== undefined && outcomes[index] === undefined;
  const byTrace = new Map(inputs.map((input, index) => [input.traceId, index]));
  const firstOpenWithKey = (key: string) => inputs.findIndex((input, i) => input.key === key && open(i));

  const leftResults = items(body, 'results').filter((result) => {
    const traced = byTrace.get(String(result.objectWriteTraceId));
    const index = open(traced)
      ? traced
      : keys
          .ofResult(result)
          .map(firstOpenWithKey)
          .find((i) => i >= 0);
    if (index === undefined || !open(index)) return true;
    outcomes[index] = { kind: 'result', result };
    return false;
  });
  const leftErrors = items(body, 'errors').filter((error) => {
    const traced = contextValues(error, 'objectWriteTraceId').map((id) => byTrace.get(id));
    const keyed = keys.ofError(error).map(firstOpenWithKey);
    const indexes = [...traced, ...keyed].filter(open);
    for (const index of indexes) outcomes[index] = { kind: 'error', error };
    return indexes.length === 0;
  });
  for (const result of leftResults) {
    const index = inputs.findIndex((input, i) => open(i) && input.key === undefined && echoes(result, input));
    if (index >= 0) outcomes[index] = { kind: 'result', result };
  }
  const stillOpen = outcomes.flatMap((outcome, index) => (outcome === undefined ? [index] : []));
  if (stillOpen.length === 1 && leftErrors.length === 1 && leftErrors[0] !== undefined) {
    outcomes[stillOpen[0] ?? 0] = { kind: 'error', error: leftErrors[0] };
  }
  return outcomes.map((outcome) => outcome ?? { kind: 'unknown' });
}

/** Whether a created record carries every non-empty property the input sent. */
function echoes(result: Readonly<Record<string, unknown>>, input: BatchInputRef): boolean {
  const properties = isPlainObject(result.properties) ? result.properties : {};
  const sent = Object.entries(input.properties ?? {}).filter(([, value]) => value !== '');
  return sent.every(([name, value]) => normalizeKey(properties[name]) === normalizeKey(value));
}
