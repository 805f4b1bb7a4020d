import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createGuardedTransport,
  createHttpClient,
  PermanentError,
  RetryableError,
  USER_AGENT,
} from '@flow-worker/runtime';

const LOOPBACK = createGuardedTransport({ allowTargetAddresses: ['loopback'] });
import runtimePackage from '../../../lambdas/flow-runtime/package.json' with { type: 'json' };
import {
  delayed,
  json,
  resetConnection,
  startHttpServer,
  type TestHttpServer,
} from '../../support/http-server.js';

const TOKEN = 'pat-na1-SECRET-TOKEN-0123456789';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
  server.fallback(json(200, {}));
});

function client(overrides: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
  // The test server runs on 127.0.0.1: loopback is allowed explicitly, as a local run allows it.
  return createHttpClient({ label: 'http target "api"', timeoutMs: 2_000, fetch: LOOPBACK, ...overrides });
}

function send(overrides: Partial<Parameters<ReturnType<typeof createHttpClient>['send']>[0]> = {}) {
  return client().send({
    method: 'POST',
    url: `${server.url}/things`,
    operation: 'create thing',
    token: TOKEN,
    body: { name: 'Acme' },
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

describe('http client', () => {
  it('sends JSON with bearer auth and the flow-worker user agent', async () => {
    server.reply(json(201, { id: 'x1' }));

    const response = await send();

    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['user-agent']).toBe(`flow-worker/${runtimePackage.version}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json()).toEqual({ name: 'Acme' });
    expect(response).toMatchObject({ status: 201, body: { id: 'x1' } });
    expect(USER_AGENT).toBe(`flow-worker/${runtimePackage.version}`);
  });

  it('reuses keep-alive connections instead of opening one per request', async () => {
    const fresh = await startHttpServer();
    const http = client();

    for (let i = 0; i < 6; i += 1) await http.send({ method: 'GET', url: fresh.url, operation: 'read' });
    await fresh.close();

    // undici may alternate between two pooled sockets; what matters is that it does not open six.
    expect(new Set(fresh.requests.map((r) => r.connection)).size).toBeLessThanOrEqual(2);
  });

  it('lets the bearer token win over a static Authorization header', async () => {
    await send({ headers: { Authorization: 'Basic c3RhdGlj', 'X-Api-Version': '2' } });

    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]?.headers['x-api-version']).toBe('2');
  });

  it('maps 429 to a retryable error carrying Retry-After seconds', async () => {
    server.reply(
      json(
        429,
        { status: 'error', message: 'You have reached your secondly limit.' },
        { 'retry-after': '7' },
      ),
    );

    const error = await failure(send());

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    expect(error.message).toContain('You have reached your secondly limit.');
  });

  it('reads a Retry-After HTTP-date relative to the clock', async () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    server.reply(json(503, undefined, { 'retry-after': 'Tue, 24 Nov 2026 10:00:30 GMT' }));

    const error = await failure(
      client({ now: () => now }).send({ method: 'GET', url: `${server.url}/x`, operation: 'read x' }),
    );

    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 30 });
  });

  it('maps 500 to a retryable error', async () => {
    server.reply(json(500, { message: 'internal error' }));

    const error = await failure(send());

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 500, retryAfterSeconds: undefined });
  });

  it('maps a 400 to a permanent error with the remote message and correlation id', async () => {
    server.reply(
      json(400, {
        status: 'error',
        message: 'Property values were not valid',
        correlationId: 'c0ffee-42',
        category: 'VALIDATION_ERROR',
      }),
    );

    const error = await failure(send());

    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 400, correlationId: 'c0ffee-42' });
    expect(error.message).toBe(
      'http target "api": create thing failed: HTTP 400 (VALIDATION_ERROR): Property values were not valid [correlation id c0ffee-42]',
    );
  });

  it('maps a response slower than the timeout to a retryable timeout', async () => {
    server.reply(delayed(1_000, json(200, {})));

    const error = await failure(
      client({ timeoutMs: 150 }).send({ method: 'GET', url: server.url, operation: 'read' }),
    );

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('timed out after 150 ms');
  });

  it('maps a body that stalls past the timeout to a retryable timeout', async () => {
    server.reply((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });

    const error = await failure(
      client({ timeoutMs: 150 }).send({ method: 'GET', url: server.url, operation: 'read' }),
    );

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('timed out');
  });

  it('maps a connection reset to a retryable network error', async () => {
    server.reply(resetConnection);

    const error = await failure(send());

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('network error');
  });

  it('maps a refused connection to a retryable network error', async () => {
    const closed = await startHttpServer();
    await closed.close();

    const error = await failure(send({ url: `${closed.url}/things` }));

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it("stops waiting when the caller's signal aborts", async () => {
    server.reply(delayed(1_000, json(200, {})));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(send({ signal: controller.signal }));

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('aborted');
  });

  it('returns accepted non-2xx statuses instead of raising', async () => {
    server.reply(json(404, { message: 'not found' }));

    const response = await send({ method: 'DELETE', body: undefined, acceptStatuses: [404] });

    expect(response.status).toBe(404);
  });

  it('never puts the token in error messages, error JSON or log output', async () => {
    const logged = vi.spyOn(console, 'log');
    const errored = vi.spyOn(console, 'error');
    const warned = vi.spyOn(console, 'warn');
    server.reply(json(401, { message: `Invalid token ${TOKEN}`, correlationId: 'c-1' }));
    server.reply(resetConnection);

    const errors = [await failure(send()), await failure(send())];

    for (const error of errors) {
      expect(error.message).not.toContain(TOKEN);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect(String(error.stack)).not.toContain(TOKEN);
    }
    expect(errors[0]?.message).toContain('Invalid token [redacted]');
    const output = [logged, errored, warned].flatMap((spy) =>
      spy.mock.calls.map((call) => JSON.stringify(call)),
    );
    expect(output.join('\n')).not.toContain(TOKEN);
    vi.restoreAllMocks();
  });
});
