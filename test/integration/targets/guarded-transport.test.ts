import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AddressNotAllowedError,
  compileConfig,
  createGuardedTransport,
  createHttpClient,
  createRecordingTargets,
  createTargetFactory,
  errorClassOf,
  PermanentError,
  runFlows,
  validateConfig,
  type AddressLookup,
  type ResolvedAddress,
} from '@flow-worker/runtime';
import { json, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

/**
 * The network guard on real connections: a test server on 127.0.0.1 and a stand-in resolver, so
 * a name can be made to resolve anywhere (the metadata address, or elsewhere on a second lookup).
 */

let server: TestHttpServer;
const port = () => new URL(server.url).port;

/** A resolver that answers from a table and records every name it was asked. */
function fakeDns(answers: Record<string, readonly (readonly ResolvedAddress[])[]>) {
  const asked: string[] = [];
  const lookup: AddressLookup = (hostname) => {
    asked.push(hostname);
    const queue = answers[hostname] ?? [];
    const answer = queue.length > 1 ? (queue as ResolvedAddress[][]).shift() : queue[0];
    return Promise.resolve(answer ?? []);
  };
  return { lookup, asked };
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const headers = () => new Headers({ accept: 'application/json' });

async function refusalOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Error)) throw new Error('the request was not refused');
  return error;
}

beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.fallback(json(200, { ok: true }));
});

describe('the guarded transport', () => {
  it('connects to the address the name resolved to, once it is allowed', async () => {
    // Prepare
    const dns = fakeDns({ 'erp.test': [[v4('127.0.0.1')]] });
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'], lookup: dns.lookup });
    // Act
    const response = await transport(`http://erp.test:${port()}/api/ping`, {
      method: 'GET',
      headers: headers(),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(dns.asked).toEqual(['erp.test']);
    expect(server.requests.at(-1)?.headers.host).toBe(`erp.test:${port()}`);
  });

  it.each([
    [
      'the instance metadata address',
      [v4('169.254.169.254')],
      '169.254.169.254, which is a link-local address',
    ],
    [
      'an IPv4-mapped metadata address',
      [{ address: '::ffff:169.254.169.254', family: 6 }],
      '::ffff:169.254.169.254, which is a link-local address',
    ],
    [
      'the IPv6 metadata address',
      [{ address: 'fd00:ec2::254', family: 6 }],
      'fd00:ec2::254, which is a link-local address',
    ],
    ['a private address', [v4('10.0.0.7')], '10.0.0.7, which is a private address'],
    ['an allowed address and a refused one', [v4('127.0.0.1'), v4('169.254.169.254')], '169.254.169.254'],
  ])('refuses a name that resolves to %s, before connecting', async (_what, addresses, reason) => {
    // Prepare
    const before = server.requests.length;
    const dns = fakeDns({ 'metadata.test': [addresses] });
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'], lookup: dns.lookup });
    // Act
    const error = await refusalOf(
      transport(`http://metadata.test:${port()}/latest/meta-data`, { method: 'GET', headers: headers() }),
    );
    // Assess
    expect(error).toBeInstanceOf(AddressNotAllowedError);
    expect(error.message).toContain(`metadata.test resolves to ${reason}`);
    expect(server.requests.length).toBe(before);
  });

  it('checks every new connection, so a name rebound to the metadata address is caught', async () => {
    // Prepare: the first answer is allowed; the server closes that connection; the next is not.
    const before = server.requests.length;
    server.reply(json(200, { ok: true }, { connection: 'close' }));
    const dns = fakeDns({ 'rebind.test': [[v4('127.0.0.1')], [v4('169.254.169.254')]] });
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'], lookup: dns.lookup });
    const url = `http://rebind.test:${port()}/api/ping`;
    // Act
    const first = await transport(url, { method: 'GET', headers: headers() });
    const second = await refusalOf(transport(url, { method: 'GET', headers: headers() }));
    // Assess
    expect(first.status).toBe(200);
    expect(second).toBeInstanceOf(AddressNotAllowedError);
    expect(dns.asked).toEqual(['rebind.test', 'rebind.test']);
    expect(server.requests.length).toBe(before + 1);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a link-local address'],
    ['http://2852039166/', '169.254.169.254 is a link-local address'],
    ['http://0.0.0.0:80/', '0.0.0.0 is not a unicast address a target can have'],
    ['http://10.1.2.3/', '10.1.2.3 is a private address'],
  ])('refuses the literal address of %s without resolving anything', async (url, reason) => {
    // Prepare
    const dns = fakeDns({});
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'], lookup: dns.lookup });
    // Act
    const error = await refusalOf(transport(url, { method: 'GET', headers: headers() }));
    // Assess
    expect(error).toBeInstanceOf(AddressNotAllowedError);
    expect(error.message).toContain(reason);
    expect(dns.asked).toEqual([]);
  });

  it('refuses loopback unless the deployment allows it, with the system resolver too', async () => {
    // Prepare
    const transport = createGuardedTransport();
    // Act
    const literal = await refusalOf(transport(`${server.url}/`, { method: 'GET', headers: headers() }));
    const named = await refusalOf(
      transport(`http://localhost:${port()}/`, { method: 'GET', headers: headers() }),
    );
    // Assess
    expect(literal.message).toContain('127.0.0.1 is a loopback address');
    expect(named).toBeInstanceOf(AddressNotAllowedError);
    expect(named.message).toContain('localhost resolves to');
  });

  it('refuses credentials in the URL without repeating them', async () => {
    // Prepare
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'] });
    // Act
    const error = await refusalOf(
      transport(`http://admin:s3cr3t@127.0.0.1:${port()}/`, { method: 'GET', headers: headers() }),
    );
    // Assess
    expect(error).toBeInstanceOf(AddressNotAllowedError);
    expect(error.message).toBe(
      "a target URL must not contain a user name or password; put credentials in the target's secret",
    );
  });

  it('sends the request target as built: encoded dot segments stay in their place', async () => {
    // Prepare
    const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'] });
    // Act
    await transport(`${server.url}/api/accounts/%2E%2E?x=%2F#fragment`, {
      method: 'GET',
      headers: headers(),
    });
    // Assess
    expect(server.requests.at(-1)?.path).toBe('/api/accounts/%2E%2E');
    expect(server.requests.at(-1)?.query.get('x')).toBe('/');
  });
});

describe('the network guard through the HTTP client and the targets', () => {
  it('is a permanent error naming the target and the operation', async () => {
    // Prepare
    const dns = fakeDns({ 'metadata.test': [[v4('169.254.169.254')]] });
    const client = createHttpClient({
      label: 'http target "erp"',
      fetch: createGuardedTransport({ lookup: dns.lookup }),
    });
    // Act
    const error = await refusalOf(
      client.send({
        method: 'PUT',
        url: 'https://metadata.test/api/accounts/1',
        operation: 'upsert accounts',
      }),
    );
    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(errorClassOf(error)).toBe('permanent');
    expect(error.message).toBe(
      'http target "erp": upsert accounts failed: metadata.test resolves to 169.254.169.254, which is a link-local address (169.254.0.0/16), where instance metadata lives: targets may never use it',
    );
  });

  it('does not follow redirects: a 3xx fails the step permanently', async () => {
    // Prepare
    server.reply(json(302, undefined, { location: 'http://169.254.169.254/latest/meta-data/' }));
    const client = createHttpClient({
      label: 'http target "erp"',
      fetch: createGuardedTransport({ allowTargetAddresses: ['loopback'] }),
    });
    // Act
    const error = await refusalOf(
      client.send({ method: 'GET', url: `${server.url}/moved`, operation: 'read' }),
    );
    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('HTTP 302');
  });

  it('fails the step permanently when a target name resolves to the metadata address at run time', async () => {
    // Prepare: the config validates (a name), and resolves badly when called.
    const dns = fakeDns({ 'erp.example.test': [[v4('169.254.169.254')]] });
    const config = validateConfig({
      connector_id: 'acme',
      version: 1,
      sources: [{ name: 'src' }],
      targets: [{ name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' }],
      flows: [
        {
          name: 'sync',
          source: 'src',
          event_type: 'changed',
          steps: [
            { id: 'put', action: 'upsert', target: 'erp', entity: 'accounts', id_property: 'id', data: '$' },
          ],
        },
      ],
    });
    const compiled = compileConfig(config, {
      targetFactory: createTargetFactory({
        secrets: { getToken: () => Promise.resolve('') },
        lookup: dns.lookup,
      }),
    });
    const envelope = { connector_id: 'acme', source_name: 'src', event_type: 'changed', payload: { id: 1 } };
    // Act
    const outcome = await runFlows(
      compiled,
      envelope,
      { messageId: 'm', messageGroupId: 'g' },
      {
        emitter: createRecordingTargets().emitter,
      },
    );
    // Assess
    expect(outcome.report.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(AddressNotAllowedError);
    expect(errorClassOf(outcome.error)).toBe('permanent');
    expect((outcome.error as AddressNotAllowedError).context).toMatchObject({ flow: 'sync', step: 'put' });
  });
});
