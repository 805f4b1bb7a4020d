import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTargetFactory,
  type HttpTargetDefinition,
  PermanentError,
  RetryableError,
  type SecretProvider,
  type Target,
} from '@flow-worker/runtime';
import {
  delayed,
  json,
  resetConnection,
  startHttpServer,
  type TestHttpServer,
} from '../../support/http-server.js';

const TOKEN = 'bearer-SECRET-abcdef0123456789';

let api: TestHttpServer;
const secrets: SecretProvider = { getToken: () => Promise.resolve(TOKEN) };

function httpTarget(overrides: Partial<HttpTargetDefinition> = {}): Target {
  return createTargetFactory({ secrets, allowTargetAddresses: ['loopback'] })({
    name: 'erp',
    kind: 'http',
    base_url: `${api.url}/api/v1/`,
    secret: 'flow-worker/acme/erp',
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeAll(async () => {
  api = await startHttpServer();
});
afterAll(() => api.close());
afterEach(() => {
  api.requests.length = 0;
});

describe('http target', () => {
  it('refuses to associate records, permanently and without a request', async () => {
    // Prepare
    const before = api.requests.length;
    // Act
    const error = await failure(
      httpTarget().execute({
        action: 'associate',
        from: { entity: 'account', id: '1' },
        to: { entity: 'contact', id: '2' },
      }),
    );
    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe('http target "erp": a http target cannot associate records');
    expect(api.requests.length).toBe(before);
  });

  it('creates with POST to the entity path and reports the body id', async () => {
    api.reply(json(201, { id: 314 }));

    const result = await httpTarget().execute({
      action: 'create',
      entity: 'customers',
      data: { name: 'Acme' },
    });

    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/customers' });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json()).toEqual({ name: 'Acme' });
    expect(result).toEqual({ id: '314' });
  });

  it('sends the idempotency key of a create as Idempotency-Key, and a static header cannot replace it', async () => {
    api.reply(json(201, { id: 1 }), json(200, { id: 2 }));
    const target = httpTarget({ headers: { 'Idempotency-Key': 'static' } });

    await target.execute({ action: 'create', entity: 'customers', data: {}, idempotencyKey: 'key-1' });
    await target.execute({ action: 'update', entity: 'customers', id: '1', data: {} });

    expect(api.requests[0]?.headers['idempotency-key']).toBe('key-1');
    expect(api.requests[1]?.headers['idempotency-key']).toBe('static');
  });

  it('upserts with PUT to the id_property value, URL-encoded, and reports created on 201', async () => {
    api.reply(json(201, {}), json(200, {}));
    const request = {
      action: 'upsert',
      entity: 'customers',
      idProperty: 'code',
      id: 'AC/ME 1',
      data: { code: 'AC/ME 1', name: 'Acme' },
    } as const;

    const first = await httpTarget().execute(request);
    const second = await httpTarget().execute(request);

    expect(api.requests[0]).toMatchObject({ method: 'PUT', path: '/api/v1/customers/AC%2FME%201' });
    expect(api.requests[0]?.json()).toEqual({ code: 'AC/ME 1', name: 'Acme' });
    expect(first).toEqual({ id: 'AC/ME 1', created: true });
    expect(second).toEqual({ id: 'AC/ME 1', created: false });
  });

  it('updates with PATCH to the record path', async () => {
    api.reply(json(200, { id: 'c-9', name: 'Acme' }));

    const result = await httpTarget().execute({
      action: 'update',
      entity: 'customers',
      id: 'c-9',
      data: { name: 'Acme' },
    });

    expect(api.requests[0]).toMatchObject({ method: 'PATCH', path: '/api/v1/customers/c-9' });
    expect(result).toEqual({ id: 'c-9' });
  });

  it('deletes with DELETE and treats 404 as already deleted', async () => {
    api.reply(json(204), json(404, { error: 'not found' }));

    const deleted = await httpTarget().execute({ action: 'delete', entity: 'customers', id: 'c-9' });
    const missing = await httpTarget().execute({ action: 'delete', entity: 'customers', id: 'c-9' });

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /api/v1/customers/c-9',
      'DELETE /api/v1/customers/c-9',
    ]);
    expect(api.requests[0]?.body).toBe('');
    expect(deleted).toEqual({ id: 'c-9', deleted: true });
    expect(missing).toEqual({ id: 'c-9', deleted: false });
  });

  it('uses the per-entity path from paths', async () => {
    api.reply(json(201, { id: 'o1' }));

    await httpTarget({ paths: { order: '/sales/orders' } }).execute({
      action: 'create',
      entity: 'order',
      data: {},
    });

    expect(api.requests[0]?.path).toBe('/api/v1/sales/orders');
  });

  it('sends static headers but never lets them replace the secret token', async () => {
    api.reply(json(200, {}));

    await httpTarget({ headers: { 'X-Tenant': 'acme', authorization: 'Basic c3RhdGlj' } }).execute({
      action: 'update',
      entity: 'customers',
      id: '1',
      data: {},
    });

    expect(api.requests[0]?.headers['x-tenant']).toBe('acme');
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('sends no Authorization header without a secret', async () => {
    api.reply(json(201, {}));

    const result = await httpTarget({ secret: undefined }).execute({
      action: 'create',
      entity: 'events',
      data: {},
    });

    expect(api.requests[0]?.headers.authorization).toBeUndefined();
    expect(result).toEqual({});
  });

  it('fails permanently, before any request, when update has no id', async () => {
    const error = await failure(
      httpTarget().execute({ action: 'update', entity: 'customers', id: '', data: {} }),
    );

    expect(error).toBeInstanceOf(PermanentError);
    expect(api.requests).toHaveLength(0);
  });

  it('maps 422 to a permanent error with the remote message', async () => {
    api.reply(json(422, { error: { message: 'name is required' } }, { 'x-request-id': 'req-5' }));

    const error = await failure(httpTarget().execute({ action: 'create', entity: 'customers', data: {} }));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 422, correlationId: 'req-5' });
    expect(error.message).toBe(
      'http target "erp": create customers failed: HTTP 422: name is required [correlation id req-5]',
    );
  });

  it('maps 429, 503, a reset and a slow response to retryable errors', async () => {
    api.reply(
      json(429, {}, { 'retry-after': '2' }),
      json(503, 'unavailable'),
      resetConnection,
      delayed(2_000, json(200, {})),
    );
    const target = httpTarget({ timeout_ms: 200 });
    const create = () => target.execute({ action: 'create', entity: 'customers', data: {} });

    const errors = [
      await failure(create()),
      await failure(create()),
      await failure(create()),
      await failure(create()),
    ];

    expect(errors.every((e) => e instanceof RetryableError)).toBe(true);
    expect(errors[0]).toMatchObject({ status: 429, retryAfterSeconds: 2 });
    expect(errors[1]).toMatchObject({ status: 503 });
    expect(errors.map((e) => e.message).join('\n')).not.toContain(TOKEN);
  });
});
