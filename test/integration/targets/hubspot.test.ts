import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTargetFactory,
  type HubSpotTargetDefinition,
  PermanentError,
  RetryableError,
  type SecretProvider,
  type Target,
  type TargetRequest,
} from '@flow-worker/runtime';
import {
  delayed,
  json,
  resetConnection,
  startHttpServer,
  type TestHttpServer,
} from '../../support/http-server.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

let hubspot: TestHttpServer;
let target: Target;
const secretIds: string[] = [];
const secrets: SecretProvider = {
  getToken: (secretId) => {
    secretIds.push(secretId);
    return Promise.resolve(TOKEN);
  },
};

/** A target with its own factory, so its own rate limiter (a 429 pauses only that one). */
function hubspotTarget(overrides: Partial<HubSpotTargetDefinition> = {}): Target {
  return createTargetFactory({ secrets, random: () => 0, allowTargetAddresses: ['loopback'] })({
    name: 'crm',
    kind: 'hubspot',
    secret: 'flow-worker/acme/hubspot',
    base_url: hubspot.url,
    ...overrides,
  });
}

const upsertCompany: TargetRequest = {
  action: 'upsert',
  entity: 'company',
  idProperty: 'domain',
  id: 'acme.test',
  data: { domain: 'acme.test', name: 'Acme', numberofemployees: 42, is_public: false, description: null },
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeAll(async () => {
  hubspot = await startHttpServer();
  target = hubspotTarget();
});
afterAll(() => hubspot.close());
afterEach(() => {
  hubspot.requests.length = 0;
  secretIds.length = 0;
});

describe('hubspot target', () => {
  it('upserts through the batch upsert endpoint with idProperty and string properties', async () => {
    hubspot.reply(json(200, { status: 'COMPLETE', results: [{ id: '9001', new: true, properties: {} }] }));

    const result = await target.execute(upsertCompany);

    const [request] = hubspot.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/crm/v3/objects/companies/batch/upsert');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/^flow-worker\/\d+\.\d+\.\d+/);
    expect(request?.json()).toEqual({
      inputs: [
        {
          idProperty: 'domain',
          id: 'acme.test',
          properties: {
            domain: 'acme.test',
            name: 'Acme',
            numberofemployees: '42',
            is_public: 'false',
            description: '',
          },
        },
      ],
    });
    expect(secretIds).toEqual(['flow-worker/acme/hubspot']);
    expect(result).toEqual({ id: '9001', created: true });
  });

  it('reports created: false when the upsert updated an existing record', async () => {
    hubspot.reply(json(200, { status: 'COMPLETE', results: [{ id: '9001', new: false }] }));

    await expect(target.execute(upsertCompany)).resolves.toEqual({ id: '9001', created: false });
  });

  it('takes the upsert id from data when the request carries none', async () => {
    hubspot.reply(json(200, { results: [{ id: '7', new: true }] }));

    await target.execute({ ...upsertCompany, id: undefined });

    expect(hubspot.requests[0]?.json()).toMatchObject({ inputs: [{ id: 'acme.test' }] });
  });

  it('fails permanently, before any request, when the id_property value is missing', async () => {
    const error = await failure(target.execute({ ...upsertCompany, id: undefined, data: { name: 'Acme' } }));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('"domain"');
    expect(hubspot.requests).toHaveLength(0);
  });

  it('maps a batch error in a 207 response to a permanent error', async () => {
    hubspot.reply(
      json(207, {
        status: 'COMPLETE',
        results: [],
        errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'Property "foo" does not exist' }],
      }),
    );

    const error = await failure(target.execute(upsertCompany));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('Property "foo" does not exist');
  });

  it('creates with POST and reports the new id', async () => {
    hubspot.reply(json(201, { id: '501', properties: { email: 'a@b.test' } }));

    const result = await target.execute({ action: 'create', entity: 'contact', data: { email: 'a@b.test' } });

    expect(hubspot.requests[0]).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts' });
    expect(hubspot.requests[0]?.json()).toEqual({ properties: { email: 'a@b.test' } });
    expect(result).toEqual({ id: '501' });
  });

  it('updates with PATCH by record id', async () => {
    hubspot.reply(json(200, { id: '77' }));

    const result = await target.execute({
      action: 'update',
      entity: 'deal',
      id: '77',
      data: { amount: 1500.5 },
    });

    expect(hubspot.requests[0]).toMatchObject({ method: 'PATCH', path: '/crm/v3/objects/deals/77' });
    expect(hubspot.requests[0]?.query.get('idProperty')).toBeNull();
    expect(hubspot.requests[0]?.json()).toEqual({ properties: { amount: '1500.5' } });
    expect(result).toEqual({ id: '77' });
  });

  it('updates by a unique property with ?idProperty= and an encoded id', async () => {
    hubspot.reply(json(200, { id: '12' }));

    const result = await target.execute({
      action: 'update',
      entity: 'contact',
      id: 'jo+1@acme.test',
      idProperty: 'email',
      data: { firstname: 'Jo' },
    });

    expect(hubspot.requests[0]?.path).toBe('/crm/v3/objects/contacts/jo%2B1%40acme.test');
    expect(hubspot.requests[0]?.query.get('idProperty')).toBe('email');
    expect(result).toEqual({ id: '12' });
  });

  it('passes custom object type ids through, URL-encoded', async () => {
    hubspot.reply(json(201, { id: '3' }));

    await target.execute({ action: 'create', entity: '2-12345', data: { name: 'x' } });

    expect(hubspot.requests[0]?.path).toBe('/crm/v3/objects/2-12345');
  });

  it('archives with DELETE and reports deleted: true', async () => {
    hubspot.reply(json(204));

    const result = await target.execute({ action: 'delete', entity: 'ticket', id: '88' });

    expect(hubspot.requests[0]).toMatchObject({ method: 'DELETE', path: '/crm/v3/objects/tickets/88' });
    expect(result).toEqual({ id: '88', deleted: true });
  });

  it('treats a 404 on delete as already deleted', async () => {
    hubspot.reply(json(404, { status: 'error', message: 'Object not found', category: 'OBJECT_NOT_FOUND' }));

    await expect(target.execute({ action: 'delete', entity: 'ticket', id: '88' })).resolves.toEqual({
      id: '88',
      deleted: false,
    });
  });

  it('deletes by a unique property by looking the record id up first', async () => {
    hubspot.reply(json(200, { id: '4242' }), json(204));

    const result = await target.execute({
      action: 'delete',
      entity: 'company',
      id: 'acme.test',
      idProperty: 'domain',
    });

    expect(hubspot.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /crm/v3/objects/companies/acme.test',
      'DELETE /crm/v3/objects/companies/4242',
    ]);
    expect(hubspot.requests[0]?.query.get('idProperty')).toBe('domain');
    expect(result).toEqual({ id: '4242', deleted: true });
  });

  it('reports deleted: false when the unique property matches no record', async () => {
    hubspot.reply(json(404, { status: 'error', message: 'Object not found' }));

    const result = await target.execute({
      action: 'delete',
      entity: 'company',
      id: 'gone.test',
      idProperty: 'domain',
    });

    expect(result).toEqual({ id: 'gone.test', deleted: false });
    expect(hubspot.requests).toHaveLength(1);
  });

  it('maps a 400 HubSpot error body to a permanent error with status, message and correlation id', async () => {
    hubspot.reply(
      json(400, {
        status: 'error',
        message: 'Property values were not valid: numberofemployees',
        correlationId: '3f1a-77',
        category: 'VALIDATION_ERROR',
      }),
    );

    const error = await failure(target.execute(upsertCompany));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 400, correlationId: '3f1a-77' });
    expect(error.message).toContain(
      'hubspot target "crm": upsert company failed: HTTP 400 (VALIDATION_ERROR)',
    );
    expect(error.message).toContain('Property values were not valid: numberofemployees');
  });

  it('maps 429 to a retryable error with Retry-After seconds', async () => {
    hubspot.reply(
      json(
        429,
        { status: 'error', message: 'secondly limit', category: 'RATE_LIMITS' },
        { 'retry-after': '3' },
      ),
    );

    const error = await failure(hubspotTarget().execute(upsertCompany));

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 3 });
  });

  it("waits out HubSpot's rate-limit interval when a 429 has no Retry-After nor policy", async () => {
    hubspot.reply(
      json(
        429,
        { category: 'RATE_LIMITS' },
        {
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
          'x-hubspot-ratelimit-remaining': '0',
        },
      ),
    );

    const error = await failure(hubspotTarget().execute(upsertCompany));

    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 10 });
  });

  it('maps 500 and a connection reset to retryable errors', async () => {
    hubspot.reply(json(500, { message: 'internal' }), resetConnection);

    const errors = [
      await failure(target.execute(upsertCompany)),
      await failure(target.execute(upsertCompany)),
    ];

    expect(errors[0]).toBeInstanceOf(RetryableError);
    expect(errors[1]).toBeInstanceOf(RetryableError);
  });

  it('maps a response slower than timeout_ms to a retryable error', async () => {
    hubspot.reply(delayed(2_000, json(200, { results: [{ id: '1', new: false }] })));

    const error = await failure(hubspotTarget({ timeout_ms: 200 }).execute(upsertCompany));

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('timed out after 200 ms');
  });

  it('keeps the token out of every failure it reports', async () => {
    hubspot.reply(json(401, { message: `token ${TOKEN} is invalid`, category: 'INVALID_AUTHENTICATION' }));

    const error = await failure(target.execute(upsertCompany));

    expect(error).toBeInstanceOf(PermanentError);
    expect(`${error.message}${JSON.stringify(error)}${String(error.stack)}`).not.toContain(TOKEN);
  });
});
