import { isPlainObject } from '../../document/json.js';
import { PermanentError } from '../../errors.js';
import type { HttpResponse } from '../http-client.js';
import type { RecordRequest, TargetResult } from '../target.js';
import { contextValues, normalizeKey, type BatchKeys } from './batch-answer.js';
import type { BatchEntry, BatchOperation, SendCall } from './batch-runner.js';
import { apiUrl, withIdProperty } from './objects.js';

/** HubSpot's limit on inputs per batch call. */
export const HUBSPOT_MAX_BATCH_INPUTS = 100;

const OBJECTS = '/crm/v3/objects';

/** A queued upsert, create or update of one record. */
export interface ObjectEntry extends BatchEntry {
  readonly request: RecordRequest;
  /** The unique property `id` is a value of (upsert always; update when given). */
  readonly idProperty?: string;
  /** upsert: the id property's value; update: the record id or that value. */
  readonly id?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** {@link normalizeKey} of `id`: how results and errors name the record. */
  readonly key?: string;
}

/** What every object operation of one target shares. */
export interface ObjectLaneContext {
  readonly label: string;
  readonly baseUrl: string;
  /** The v3 object type (`companies`), the same for every entry of the lane. */
  readonly objectType: string;
}

const idsOfError = (error: Readonly<Record<string, unknown>>) =>
  contextValues(error, 'ids').flatMap((id) => normalizeKey(id) ?? []);

function keysBy(idProperty: string | undefined): BatchKeys {
  return {
    ofResult: (result) => {
      const properties = isPlainObject(result.properties) ? result.properties : {};
      const key = normalizeKey(idProperty === undefined ? result.id : properties[idProperty]);
      return key === undefined ? [] : [key];
    },
    ofError: idsOfError,
  };
}

function recordId(item: Readonly<Record<string, unknown>>): string | undefined {
  return typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : undefined;
}

/** The properties an entry sends (for narrowing a failed batch down to its input). */
const propertyNames = (entry: ObjectEntry): string[] => Object.keys(entry.properties);

/** A create's or update's result: HubSpot's record id. */
function idResult(item: Readonly<Record<string, unknown>>): TargetResult | undefined {
  const id = recordId(item);
  return id === undefined ? undefined : { id };
}

/** Sends a single-record call and raises its error. */
async function sendOrThrow(
  send: SendCall,
  entry: ObjectEntry,
  call: Parameters<SendCall>[0],
): Promise<HttpResponse> {
  const { response, error } = await send(call, entry.description);
  if (error !== undefined) throw error;
  return response;
}

function unexpected(label: string, entry: ObjectEntry, what: string): PermanentError {
  return new PermanentError(`${label}: ${entry.description} got an unexpected response: ${what}`, {
    context: { operation: entry.description },
  });
}

/** `POST …/batch/upsert`: alone, one input with `idProperty`, as HubSpot's own client sends it. */
export function upsertOperation(lane: ObjectLaneContext, idProperty: string): BatchOperation<ObjectEntry> {
  const url = apiUrl(lane.baseUrl, OBJECTS, lane.objectType, 'batch', 'upsert');
  const input = (entry: ObjectEntry) => ({ idProperty, id: entry.id, properties: entry.properties });
  const result = (item: Readonly<Record<string, unknown>>): TargetResult | undefined => {
    const id = recordId(item);
    return id === undefined ? undefined : { id, created: item.new === true };
  };
  return {
    label: lane.label,
    name: `upsert ${lane.objectType}`,
    idempotent: true,
    keys: keysBy(idProperty),
    properties: propertyNames,
    result,
    batch: (entries) => ({
      call: {
        method: 'POST',
        url,
        body: { inputs: entries.map((entry, i) => ({ ...input(entry), objectWriteTraceId: String(i) })) },
      },
      refs: entries.map((entry, i) => ({
        traceId: String(i),
        ...(entry.key === undefined ? {} : { key: entry.key }),
      })),
    }),
    async lone(entry, send) {
      const response = await sendOrThrow(send, entry, {
        method: 'POST',
        url,
        body: { inputs: [input(entry)] },
      });
      return loneBatchResult(lane.label, entry, response, result);
    },
  };
}

/** `POST …/batch/create`; alone, `POST /crm/v3/objects/{type}`. Never resent: a create is not idempotent. */
export function createOperation(lane: ObjectLaneContext): BatchOperation<ObjectEntry> {
  const url = apiUrl(lane.baseUrl, OBJECTS, lane.objectType);
  return {
    label: lane.label,
    name: `create ${lane.objectType}`,
    idempotent: false,
    keys: { ofResult: () => [], ofError: () => [] },
    properties: propertyNames,
    result: idResult,
    batch: (entries) => ({
      call: {
        method: 'POST',
        url: `${url}/batch/create`,
        body: {
          inputs: entries.map((entry, i) => ({
            properties: entry.properties,
            associations: [],
            objectWriteTraceId: String(i),
          })),
        },
      },
      refs: entries.map((entry, i) => ({ traceId: String(i), properties: entry.properties })),
    }),
    async lone(entry, send) {
      const response = await sendOrThrow(send, entry, {
        method: 'POST',
        url,
        body: { properties: entry.properties },
      });
      return { id: objectId(lane.label, entry, response) };
    },
  };
}

/** `POST …/batch/update` (by record id, or by `idProperty`); alone, `PATCH …/{id}`. */
export function updateOperation(
  lane: ObjectLaneContext,
  idProperty: string | undefined,
): BatchOperation<ObjectEntry> {
  return {
    label: lane.label,
    name: `update ${lane.objectType}`,
    idempotent: true,
    keys: keysBy(idProperty),
    properties: propertyNames,
    result: idResult,
    batch: (entries) => ({
      call: {
        method: 'POST',
        url: apiUrl(lane.baseUrl, OBJECTS, lane.objectType, 'batch', 'update'),
        body: {
          inputs: entries.map((entry, i) => ({
            id: entry.id,
            ...(idProperty === undefined ? {} : { idProperty }),
            properties: entry.properties,
            objectWriteTraceId: String(i),
          })),
        },
      },
      refs: entries.map((entry, i) => ({
        traceId: String(i),
        ...(entry.key === undefined ? {} : { key: entry.key }),
      })),
    }),
    async lone(entry, send) {
      const url = withIdProperty(apiUrl(lane.baseUrl, OBJECTS, lane.objectType, entry.id ?? ''), idProperty);
      const response = await sendOrThrow(send, entry, {
        method: 'PATCH',
        url,
        body: { properties: entry.properties },
      });
      return { id: objectId(lane.label, entry, response) };
    },
  };
}

function objectId(label: string, entry: ObjectEntry, response: HttpResponse): string {
  const id = isPlainObject(response.body) ? recordId(response.body) : undefined;
  if (id !== undefined) return id;
  throw unexpected(label, entry, 'no "id" in the body');
}

/** The one result of a one-input batch call; a `207` with only `errors` is that input's failure. */
function loneBatchResult(
  label: string,
  entry: ObjectEntry,
  response: HttpResponse,
  read: (item: Readonly<Record<string, unknown>>) => TargetResult | undefined,
): TargetResult {
  const body = isPlainObject(response.body) ? response.body : {};
  const first: unknown = Array.isArray(body.results) ? body.results[0] : undefined;
  const result = isPlainObject(first) ? read(first) : undefined;
  if (result !== undefined) return result;
  const error: unknown = Array.isArray(body.errors) ? body.errors[0] : undefined;
  if (!isPlainObject(error)) throw unexpected(label, entry, 'no "results[0].id" in the body');
  const category = typeof error.category === 'string' ? ` (${error.category})` : '';
  const message = typeof error.message === 'string' ? `: ${error.message}` : '';
  throw new PermanentError(
    `${label}: ${entry.description} failed: HTTP ${response.status}${category}${message}`,
    {
      status: response.status,
      correlationId: typeof body.correlationId === 'string' ? body.correlationId : undefined,
      context: { operation: entry.description },
    },
  );
}
