import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTargetFactory,
  errorClassOf,
  PermanentError,
  type SecretProvider,
  type TargetDefinition,
  type TargetRequest,
} from '@flow-worker/runtime';
import { json, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

/**
 * Record ids and entities are data: whatever they hold, each stays one path segment and reaches
 * the server as written. Checked on the wire, against a real server on 127.0.0.1.
 */

let api: TestHttpServer;
const secrets: SecretProvider = { getToken: () => Promise.resolve('token') };
const factory = () => createTargetFactory({ secrets, allowTargetAddresses: ['loopback'] });

const httpTarget = (extra: Partial<Extract<TargetDefinition, { kind: 'http' }>> = {}) =>
  factory()({ name: 'erp', kind: 'http', base_url: `${api.url}/api`, ...extra });
const hubspotTarget = () => factory()({ name: 'crm', kind: 'hubspot', secret: 's', base_url: api.url });

/** The last path segment the server received, decoded as a server framework would. */
const lastSegment = () => decodeURIComponent(api.requests.at(-1)?.path.split('/').at(-1) ?? '');

const HOSTILE_IDS = [
  '..',
  '.',
  '...',
  'a/b',
  '../../admin',
  '%2E%2E',
  '%',
  '?x=1',
  '#top',
  'a b',
  'é',
  '😀',
  '\\..',
];

beforeAll(async () => {
  api = await startHttpServer();
});
afterAll(() => api.close());
afterEach(() => {
  api.requests.length = 0;
  api.fallback(json(200, { id: 'h-1' }));
});

describe('http target: every id stays in its path segment', () => {
  it.each(HOSTILE_IDS)('upserts id %j at /api/accounts/<that id>', async (id) => {
    // Act
    await httpTarget().execute({ action: 'upsert', entity: 'accounts', idProperty: 'id', id, data: { id } });
    // Assess
    const [request] = api.requests;
    expect(request?.method).toBe('PUT');
    expect(request?.path.split('/').slice(0, 3)).toEqual(['', 'api', 'accounts']);
    expect(request?.path.split('/')).toHaveLength(4);
    expect(lastSegment()).toBe(id);
  });

  it('sends "..", the id of the issue, as PUT {base}/{entity}/%2E%2E and DELETE likewise', async () => {
    // Act
    await httpTarget().execute({
      action: 'upsert',
      entity: 'accounts',
      idProperty: 'id',
      id: '..',
      data: {},
    });
    await httpTarget().execute({ action: 'delete', entity: 'accounts', id: '..' });
    // Assess
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/accounts/%2E%2E',
      'DELETE /api/accounts/%2E%2E',
    ]);
  });

  it('keeps any string id in its segment (fast-check over well-formed strings)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), async (id) => {
        api.requests.length = 0;
        await httpTarget().execute({ action: 'update', entity: 'accounts', id, data: {} });
        expect(api.requests[0]?.path.split('/')).toHaveLength(4);
        expect(lastSegment()).toBe(id);
      }),
      { numRuns: 100 },
    );
  });

  it('uses a configured path only when the entity is its own key, never an inherited member', async () => {
    // Act
    await httpTarget({ paths: { account: '/accounts' } }).execute({
      action: 'create',
      entity: 'constructor',
      data: {},
    });
    await httpTarget({ paths: { account: '/accounts' } }).execute({
      action: 'create',
      entity: 'account',
      data: {},
    });
    // Assess
    expect(api.requests.map((r) => r.path)).toEqual(['/api/constructor', '/api/accounts']);
  });

  it('refuses an id with an unpaired surrogate permanently, before sending anything', async () => {
    // Act
    const error = await httpTarget()
      .execute({ action: 'delete', entity: 'accounts', id: 'a\uD800' })
      .catch((thrown: unknown) => thrown);
    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(errorClassOf(error)).toBe('permanent');
    expect((error as Error).message).toBe(
      'http target "erp": delete accounts cannot put the record id in a URL: it contains an unpaired UTF-16 surrogate',
    );
    expect(api.requests).toEqual([]);
  });
});

describe('hubspot target: every id stays in its path segment', () => {
  it.each(HOSTILE_IDS)('updates and deletes id %j at /crm/v3/objects/companies/<that id>', async (id) => {
    // Prepare
    const request = (action: 'update' | 'delete'): TargetRequest => ({
      action,
      entity: 'company',
      id,
      ...(action === 'update' ? { data: { name: 'x' } } : {}),
    });
    // Act
    await hubspotTarget().execute(request('update'));
    const updated = { path: api.requests.at(-1)?.path ?? '', id: lastSegment() };
    await hubspotTarget().execute(request('delete'));
    // Assess
    for (const path of [updated.path, api.requests.at(-1)?.path ?? '']) {
      expect(path.split('/').slice(0, 5)).toEqual(['', 'crm', 'v3', 'objects', 'companies']);
      expect(path.split('/')).toHaveLength(6);
    }
    expect(updated.id).toBe(id);
    expect(lastSegment()).toBe(id);
  });
});
