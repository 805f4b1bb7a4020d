import { randomUUID } from 'node:crypto';
import {
  HttpReplyError,
  bearerToken,
  startJsonServer,
  type JsonReply,
  type JsonRequest,
} from './json-http.js';
import type { LocalTargetOptions, RecordedRequest } from './json-http.js';

/** A CRM object as the local server stores it. */
export interface HubSpotObject {
  readonly id: string;
  properties: Record<string, string>;
  readonly createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export type HubSpotServerOptions = LocalTargetOptions;

export interface LocalHubSpot {
  /** The base URL to put in a hubspot target's `base_url`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** The live (not archived) objects of a type, e.g. `companies`. */
  objects(objectType: string): readonly HubSpotObject[];
  close(): Promise<void>;
}

const SINGULAR_TO_PLURAL: Readonly<Record<string, string>> = {
  company: 'companies',
  contact: 'contacts',
  deal: 'deals',
  ticket: 'tickets',
};

const OBJECTS_PATH = /^\/crm\/v3\/objects\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

function error(status: number, category: string, message: string): HttpReplyError {
  return new HttpReplyError({
    status,
    body: { status: 'error', message, correlationId: randomUUID(), category },
  });
}

function propertiesOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw error(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be an object');
  }
  const properties: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw error(400, 'VALIDATION_ERROR', `Property values must be strings: "${key}"`);
    }
    properties[key] = v;
  }
  return properties;
}

/** An in-memory CRM store: one list of objects per object type, ids allocated from 1001. */
class Store {
  private readonly byType = new Map<string, HubSpotObject[]>();
  private nextId = 1001;

  list(type: string): HubSpotObject[] {
    let list = this.byType.get(type);
    if (list === undefined) this.byType.set(type, (list = []));
    return list;
  }

  find(type: string, id: string, idProperty: string | null): HubSpotObject | undefined {
    return this.list(type).find(
      (o) =>
        !o.archived &&
        (idProperty === null || idProperty === 'hs_object_id'
          ? o.id === id
          : o.properties[idProperty] === id),
    );
  }

  create(type: string, properties: Record<string, string>): HubSpotObject {
    const now = new Date().toISOString();
    const object = { id: String(this.nextId++), properties, createdAt: now, updatedAt: now, archived: false };
    this.list(type).push(object);
    return object;
  }
}

function view(object: HubSpotObject, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...object, properties: { ...object.properties, hs_object_id: object.id }, ...extra };
}

function batchUpsert(store: Store, type: string, body: unknown): JsonReply {
  const inputs = (body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw error(400, 'VALIDATION_ERROR', '"inputs" must be a non-empty array');
  const startedAt = new Date().toISOString();
  const results = inputs.map((input: { id?: unknown; idProperty?: unknown; properties?: unknown }) => {
    if (typeof input.id !== 'string' || input.id === '' || typeof input.idProperty !== 'string') {
      throw error(400, 'VALIDATION_ERROR', 'each input needs "id" and "idProperty"');
    }
    const properties = propertiesOf(input.properties ?? {});
    const existing = store.find(type, input.id, input.idProperty);
    if (existing !== undefined) {
      Object.assign(existing.properties, properties);
      existing.updatedAt = new Date().toISOString();
      return view(existing, { new: false });
    }
    return view(store.create(type, { ...properties, [input.idProperty]: input.id }), { new: true });
  });
  return {
    status: 200,
    body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
  };
}

function route(store: Store, request: JsonRequest): JsonReply {
  const match = OBJECTS_PATH.exec(request.url.pathname);
  if (match === null) throw error(404, 'OBJECT_NOT_FOUND', `no route for ${request.url.pathname}`);
  const type = SINGULAR_TO_PLURAL[decodeURIComponent(match[1] ?? '')] ?? decodeURIComponent(match[1] ?? '');
  const [second, third] = [match[2], match[3]].map((s) =>
    s === undefined ? undefined : decodeURIComponent(s),
  );
  const idProperty = request.url.searchParams.get('idProperty');
  const { method, body } = request;

  if (method === 'POST' && second === 'batch' && third === 'upsert') return batchUpsert(store, type, body);
  if (third !== undefined) throw error(404, 'OBJECT_NOT_FOUND', `no route for ${request.url.pathname}`);
  if (method === 'POST' && second === undefined) {
    const properties = propertiesOf((body as { properties?: unknown } | undefined)?.properties ?? {});
    return { status: 201, body: view(store.create(type, properties)) };
  }
  if (second === undefined) throw error(405, 'METHOD_NOT_ALLOWED', `${method} is not supported here`);
  const existing = store.find(type, second, idProperty);
  const notFound = () => error(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`);
  switch (method) {
    case 'GET':
      if (existing === undefined) throw notFound();
      return { status: 200, body: view(existing) };
    case 'PATCH':
      if (existing === undefined) throw notFound();
      Object.assign(
        existing.properties,
        propertiesOf((body as { properties?: unknown } | undefined)?.properties ?? {}),
      );
      existing.updatedAt = new Date().toISOString();
      return { status: 200, body: view(existing) };
    case 'DELETE':
      // Like HubSpot, archiving is idempotent: a missing record answers 204 too.
      if (existing !== undefined) existing.archived = true;
      return { status: 204 };
    default:
      throw error(405, 'METHOD_NOT_ALLOWED', `${method} is not supported here`);
  }
}

/**
 * A local HubSpot-compatible CRM v3 objects API on 127.0.0.1 (a free port) with an in-memory store:
 * batch upsert (`POST /crm/v3/objects/{type}/batch/upsert`), create, read and update by id or
 * `?idProperty=`, and archive. Errors use HubSpot's body shape (`status`, `message`,
 * `correlationId`, `category`). `company` and `companies` name the same object type.
 */
export async function startHubSpotServer(options: HubSpotServerOptions = {}): Promise<LocalHubSpot> {
  const store = new Store();
  const server = await startJsonServer((request) => {
    const token = bearerToken(request.headers);
    if (token === undefined || (options.token !== undefined && token !== options.token)) {
      throw error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    }
    return options.fault?.(request) ?? route(store, request);
  });
  return {
    url: server.url,
    requests: server.requests,
    objects: (type) => store.list(SINGULAR_TO_PLURAL[type] ?? type).filter((o) => !o.archived),
    close: () => server.close(),
  };
}
