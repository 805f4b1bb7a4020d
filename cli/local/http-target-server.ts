import { randomUUID } from 'node:crypto';
import {
  HttpReplyError,
  bearerToken,
  startJsonServer,
  type JsonReply,
  type JsonRequest,
} from './json-http.js';
import type { LocalTargetOptions, RecordedRequest } from './json-http.js';

export type HttpTargetServerOptions = LocalTargetOptions;

export interface LocalHttpTarget {
  /** `http://127.0.0.1:<port>`; any path prefix works (`/api/v1/accounts`). */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** The records of a collection path, e.g. `/api/v1/accounts`, by id. */
  records(collection: string): ReadonlyMap<string, Record<string, unknown>>;
  close(): Promise<void>;
}

function fail(status: number, message: string): HttpReplyError {
  return new HttpReplyError({ status, body: { error: message } });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw fail(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Splits `/api/v1/accounts/42` into the collection `/api/v1/accounts` and the id `42`. */
function splitPath(pathname: string): { collection: string; id: string } {
  const cut = pathname.lastIndexOf('/');
  return { collection: pathname.slice(0, cut), id: decodeURIComponent(pathname.slice(cut + 1)) };
}

function route(store: Map<string, Map<string, Record<string, unknown>>>, request: JsonRequest): JsonReply {
  const collectionOf = (path: string) => {
    let records = store.get(path);
    if (records === undefined) store.set(path, (records = new Map<string, Record<string, unknown>>()));
    return records;
  };
  const pathname = request.url.pathname.replace(/\/+$/, '');
  if (request.method === 'POST') {
    const id = randomUUID();
    const record = { ...objectBody(request.body), id };
    collectionOf(pathname).set(id, record);
    return { status: 201, body: record };
  }
  const { collection, id } = splitPath(pathname);
  const records = collectionOf(collection);
  const existing = records.get(id);
  switch (request.method) {
    case 'GET':
      if (existing === undefined) throw fail(404, `no record "${id}" in ${collection}`);
      return { status: 200, body: existing };
    case 'PUT': {
      const record = { ...objectBody(request.body), id };
      records.set(id, record);
      return { status: existing === undefined ? 201 : 200, body: record };
    }
    case 'PATCH': {
      if (existing === undefined) throw fail(404, `no record "${id}" in ${collection}`);
      const record = { ...existing, ...objectBody(request.body), id };
      records.set(id, record);
      return { status: 200, body: record };
    }
    case 'DELETE':
      if (existing === undefined) throw fail(404, `no record "${id}" in ${collection}`);
      records.delete(id);
      return { status: 204 };
    default:
      throw fail(405, `${request.method} is not supported`);
  }
}

/**
 * A local generic JSON REST API on 127.0.0.1 (a free port) for the `http` target: POST a
 * collection to create (a generated id), PUT `/{collection}/{id}` to create-or-replace, PATCH to
 * update, DELETE to remove, GET to read. Every answer that has a record carries its `id`.
 */
export async function startHttpTargetServer(options: HttpTargetServerOptions = {}): Promise<LocalHttpTarget> {
  const store = new Map<string, Map<string, Record<string, unknown>>>();
  const server = await startJsonServer((request) => {
    if (options.token !== undefined && bearerToken(request.headers) !== options.token) {
      throw fail(401, 'missing or wrong bearer token');
    }
    return options.fault?.(request) ?? route(store, request);
  });
  return {
    url: server.url,
    requests: server.requests,
    records: (collection) => store.get(collection) ?? new Map(),
    close: () => server.close(),
  };
}
