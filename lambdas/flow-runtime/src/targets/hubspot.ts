import type { HubSpotTargetDefinition } from '../document/config.js';
import { PermanentError } from '../errors.js';
import { isPlainObject, isRawNumber } from '../document/json.js';
import type { HttpResponse } from './http-client.js';
import { joinUrl } from './url-path.js';
import { createRemoteTarget, type RemoteTargetOptions } from './remote-target.js';
import type { Target, TargetRequest, TargetResult } from './target.js';

/** @default the HubSpot API's public endpoint */
export const HUBSPOT_DEFAULT_BASE_URL = 'https://api.hubapi.com';

/** Step entities with a friendly name; any other entity is used as the object type as is (`2-12345`, `0-1`). */
export const HUBSPOT_OBJECT_TYPES = {
  company: 'companies',
  contact: 'contacts',
  deal: 'deals',
  ticket: 'tickets',
} as const;

/** The CRM v3 object type for a step's `entity`. */
export function hubspotObjectType(entity: string): string {
  return Object.hasOwn(HUBSPOT_OBJECT_TYPES, entity)
    ? HUBSPOT_OBJECT_TYPES[entity as keyof typeof HUBSPOT_OBJECT_TYPES]
    : entity;
}

/**
 * Property values as the CRM objects API takes them: strings. Numbers and booleans are
 * stringified, `null` becomes `""` (HubSpot clears a property given an empty string), arrays of
 * scalars become HubSpot's `a;b` multi-select format, other objects are sent as JSON text, and
 * `undefined` leaves the property untouched.
 */
export function toHubSpotProperties(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const converted = toHubSpotValue(value);
    if (converted !== undefined) properties[key] = converted;
  }
  return properties;
}

function toHubSpotValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  // A number too long for a double, kept as the producer wrote it.
  if (isRawNumber(value)) return value.rawJSON;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (
    Array.isArray(value) &&
    value.every((item) => item === null || typeof item !== 'object' || isRawNumber(item))
  ) {
    return value
      .filter((item) => item !== null && item !== undefined)
      .map((item: unknown) => (isRawNumber(item) ? item.rawJSON : String(item)))
      .join(';');
  }
  return JSON.stringify(value);
}

/**
 * HubSpot's 429 responses carry rate-limit headers rather than `Retry-After`: when the window is
 * used up, wait for one interval.
 */
function hubspotRetryHint(headers: Headers): number | undefined {
  const interval = Number(headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  const remaining = headers.get('x-hubspot-ratelimit-remaining');
  if (!Number.isFinite(interval) || interval <= 0 || remaining === null || Number(remaining) > 0)
    return undefined;
  return Math.ceil(interval / 1000);
}

/**
 * A HubSpot CRM v3 objects target (`/crm/v3/objects/{objectType}`):
 * upsert = batch upsert with one input and `idProperty`; create = POST; update = PATCH by id or
 * by `?idProperty=`; delete = archive (DELETE), a missing record counting as already deleted.
 */
export function createHubSpotTarget(
  definition: HubSpotTargetDefinition,
  options: RemoteTargetOptions,
): Target {
  const baseUrl = definition.base_url ?? HUBSPOT_DEFAULT_BASE_URL;
  return createRemoteTarget(definition, options, { retryAfterHint: hubspotRetryHint }, (kit) => {
    const { label, call, required, segment, upsertKey } = kit;
    /** `/crm/v3/objects/{type}/{…}`: the type and every id each one path segment. */
    const objectsUrl = (request: TargetRequest, ...ids: string[]) =>
      joinUrl(
        baseUrl,
        [
          '/crm/v3/objects',
          segment(request, 'the object type', hubspotObjectType(request.entity)),
          ...ids.map((id) => segment(request, 'the record id', id)),
        ].join('/'),
      );

    return {
      async upsert(request: TargetRequest): Promise<TargetResult> {
        const { idProperty, id } = upsertKey(request);
        const input = { idProperty, id, properties: toHubSpotProperties(request.data ?? {}) };
        const response = await call(request, {
          method: 'POST',
          url: `${objectsUrl(request)}/batch/upsert`,
          body: { inputs: [input] },
        });
        const result = firstBatchResult(response, label, request);
        return { id: result.id, created: result.new === true };
      },
      async create(request: TargetRequest): Promise<TargetResult> {
        const properties = toHubSpotProperties(request.data ?? {});
        const response = await call(request, {
          method: 'POST',
          url: objectsUrl(request),
          body: { properties },
        });
        return { id: objectId(response, label, request) };
      },
      async update(request: TargetRequest): Promise<TargetResult> {
        const id = required(request, 'an id', request.id);
        const url = withIdProperty(objectsUrl(request, id), request.idProperty);
        const response = await call(request, {
          method: 'PATCH',
          url,
          body: { properties: toHubSpotProperties(request.data ?? {}) },
        });
        return { id: objectId(response, label, request) };
      },
      async delete(request: TargetRequest): Promise<TargetResult> {
        const given = required(request, 'an id', request.id);
        let id = given;
        if (request.idProperty !== undefined && request.idProperty !== '') {
          // Archive takes only the record id: look it up by the unique property first.
          const url = withIdProperty(objectsUrl(request, given), request.idProperty);
          const found = await call(request, { method: 'GET', url, acceptStatuses: [404] });
          if (found.status === 404) return { id: given, deleted: false };
          id = objectId(found, label, request);
        }
        const response = await call(request, {
          method: 'DELETE',
          url: objectsUrl(request, id),
          acceptStatuses: [404],
        });
        return { id, deleted: response.status !== 404 };
      },
    };
  });
}

function withIdProperty(url: string, idProperty: string | undefined): string {
  return idProperty === undefined || idProperty === ''
    ? url
    : `${url}?idProperty=${encodeURIComponent(idProperty)}`;
}

function unexpected(label: string, request: TargetRequest, what: string): PermanentError {
  return new PermanentError(
    `${label}: ${request.action} ${request.entity} got an unexpected response: ${what}`,
    {
      context: { operation: `${request.action} ${request.entity}` },
    },
  );
}

function objectId(response: HttpResponse, label: string, request: TargetRequest): string {
  const id = isPlainObject(response.body) ? response.body.id : undefined;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  throw unexpected(label, request, 'no "id" in the body');
}

/** The one result of a one-input batch call; a 207 with only `errors` is that input's failure. */
function firstBatchResult(
  response: HttpResponse,
  label: string,
  request: TargetRequest,
): { id: string; new?: unknown } {
  const body = isPlainObject(response.body) ? response.body : {};
  const result = Array.isArray(body.results) ? (body.results[0] as unknown) : undefined;
  if (isPlainObject(result) && (typeof result.id === 'string' || typeof result.id === 'number')) {
    return { id: String(result.id), new: result.new };
  }
  const error = Array.isArray(body.errors) && isPlainObject(body.errors[0]) ? body.errors[0] : undefined;
  if (error !== undefined) {
    const category = typeof error.category === 'string' ? ` (${error.category})` : '';
    const message = typeof error.message === 'string' ? `: ${error.message}` : '';
    return throwError(
      new PermanentError(
        `${label}: ${request.action} ${request.entity} failed: HTTP ${response.status}${category}${message}`,
        {
          status: response.status,
          correlationId: typeof body.correlationId === 'string' ? body.correlationId : undefined,
          context: { operation: `${request.action} ${request.entity}` },
        },
      ),
    );
  }
  throw unexpected(label, request, 'no "results[0].id" in the body');
}

function throwError(error: Error): never {
  throw error;
}
