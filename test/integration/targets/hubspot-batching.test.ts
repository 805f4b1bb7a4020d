import { describe, expect, it } from 'vitest';
import { PermanentError } from '@flow-worker/runtime';
import {
  callsTo,
  compileFor,
  runBatchOf,
  stepResult,
  type Message,
  localHubSpots,
} from '../../support/hubspot-run.js';

/** Coalescing across message groups against the local HubSpot: requests, per-record results and errors. */

const localHubSpot = localHubSpots();

const reversed = <T>(results: readonly T[]) => [...results].reverse();

const upsertCompany = {
  id: 'upsert',
  action: 'upsert',
  target: 'hubspot',
  entity: 'company',
  id_property: 'domain',
  data: '$',
} as const;

function companies(count: number, group = (i: number) => `group-${i}`): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    group: group(i),
    payload: { domain: `c${i}.test`, name: `Company ${i}` },
  }));
}

describe('hubspot target: batching across message groups', () => {
  it('sends 10 upserts from 10 groups as one batch call, each record getting its own id', async () => {
    // Prepare
    const hubspot = await localHubSpot({ resultOrder: reversed });
    const compiled = compileFor(hubspot, [upsertCompany]);
    // Act
    const run = await runBatchOf(compiled, companies(10));
    // Assess
    expect(callsTo(hubspot)).toEqual(['POST /crm/v3/objects/companies/batch/upsert']);
    expect(hubspot.requests[0]?.body).toMatchObject({ inputs: expect.arrayContaining([]) as unknown });
    expect((hubspot.requests[0]?.body as { inputs: unknown[] }).inputs).toHaveLength(10);
    run.reports.forEach((report, i) => {
      const stored = hubspot
        .objects('companies')
        .find((company) => company.properties.domain === `c${i}.test`);
      expect(stepResult(report, 'upsert')).toEqual({ id: stored?.id, created: true });
    });
  });

  it('sends a record that is alone through the single-record call', async () => {
    // Prepare
    const hubspot = await localHubSpot();
    const create = { id: 'create', action: 'create', target: 'hubspot', entity: 'note', data: '$' } as const;
    const compiled = compileFor(hubspot, [create]);
    // Act
    const run = await runBatchOf(compiled, [{ group: 'a', payload: { hs_note_body: 'hello' } }]);
    // Assess
    expect(callsTo(hubspot)).toEqual(['POST /crm/v3/objects/notes']);
    expect(hubspot.requests[0]?.body).toEqual({ properties: { hs_note_body: 'hello' } });
    expect(stepResult(run.reports[0], 'create')).toEqual({ id: hubspot.objects('notes')[0]?.id });
  });

  it('keeps the records of one group in order, one batch per round of the groups', async () => {
    // Prepare: 3 groups of 4 records, each group writing its own company again and again.
    const hubspot = await localHubSpot();
    const compiled = compileFor(hubspot, [upsertCompany]);
    const messages = Array.from({ length: 12 }, (_, i) => ({
      group: `group-${i % 3}`,
      payload: { domain: `g${i % 3}.test`, name: `version ${Math.floor(i / 3)}` },
    }));
    // Act
    const run = await runBatchOf(compiled, messages);
    // Assess
    expect(run.errors.every((error) => error === undefined)).toBe(true);
    expect(callsTo(hubspot)).toHaveLength(4);
    for (const group of [0, 1, 2]) {
      const sent = hubspot.requests.map((request) =>
        (request.body as { inputs: { id: string; properties: { name: string } }[] }).inputs
          .filter((input) => input.id === `g${group}.test`)
          .map((input) => input.properties.name),
      );
      expect(sent).toEqual([['version 0'], ['version 1'], ['version 2'], ['version 3']]);
    }
    expect(hubspot.objects('companies').map((c) => c.properties.name)).toEqual([
      'version 3',
      'version 3',
      'version 3',
    ]);
  });

  it('never puts two writes of the same record in one call, even from different groups', async () => {
    // Prepare
    const hubspot = await localHubSpot();
    const compiled = compileFor(hubspot, [upsertCompany]);
    const messages = companies(4).map((message, i) => ({
      ...message,
      payload: { domain: 'same.test', name: `n${i}` },
    }));
    // Act
    const run = await runBatchOf(compiled, messages);
    // Assess
    expect(run.errors.every((error) => error === undefined)).toBe(true);
    expect(callsTo(hubspot)).toHaveLength(4);
    expect(hubspot.objects('companies')).toHaveLength(1);
  });

  it('splits more than 100 records into calls of at most 100 inputs', async () => {
    // Prepare
    const hubspot = await localHubSpot({ rateLimit: { max: 1_000, intervalMs: 10_000 } });
    const compiled = compileFor(hubspot, [upsertCompany]);
    // Act
    const run = await runBatchOf(compiled, companies(150), { maxConcurrentGroups: 150 });
    // Assess
    expect(run.errors.every((error) => error === undefined)).toBe(true);
    const sizes = hubspot.requests.map((request) => (request.body as { inputs: unknown[] }).inputs.length);
    expect(sizes).toEqual([100, 50]);
  });
});

describe('hubspot target: one error per record', () => {
  it('fails only the update whose record does not exist when HubSpot answers 207', async () => {
    // Prepare
    const hubspot = await localHubSpot({ resultOrder: reversed });
    const seed = await runBatchOf(compileFor(hubspot, [upsertCompany]), companies(5));
    const ids = seed.reports.map((report) => (stepResult(report, 'upsert') as { id: string }).id);
    const seen = hubspot.requests.length;
    const update = {
      id: 'update',
      action: 'update',
      target: 'hubspot',
      entity: 'companies',
      record_id: '$.id',
      data: { name: '$.name' },
    } as const;
    const messages = [...ids, '999999'].map((id, i) => ({
      group: `g${i}`,
      payload: { id, name: `renamed ${i}` },
    }));
    // Act
    const run = await runBatchOf(compileFor(hubspot, [update]), messages);
    // Assess
    expect(callsTo(hubspot, seen)).toEqual(['POST /crm/v3/objects/companies/batch/update']);
    expect(hubspot.requests[seen]?.status).toBe(207);
    ids.forEach((id, i) => expect(stepResult(run.reports[i], 'update')).toEqual({ id }));
    expect(run.errors.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(run.errors[5]).toBeInstanceOf(PermanentError);
    expect(run.errors[5]?.message).toContain('update companies failed: HTTP 207 (OBJECT_NOT_FOUND)');
  });

  it('fails only the create that conflicts, and maps every created id back whatever the order', async () => {
    // Prepare
    const hubspot = await localHubSpot({ resultOrder: reversed });
    const create = {
      id: 'create',
      action: 'create',
      target: 'hubspot',
      entity: 'contact',
      data: '$',
    } as const;
    const compiled = compileFor(hubspot, [create]);
    await runBatchOf(compiled, [{ group: 'seed', payload: { email: 'taken@acme.test' } }]);
    const seen = hubspot.requests.length;
    const emails = ['a@acme.test', 'B@Acme.test', 'taken@acme.test', 'c@acme.test'];
    // Act
    const run = await runBatchOf(
      compiled,
      emails.map((email, i) => ({ group: `g${i}`, payload: { email, firstname: `n${i}` } })),
    );
    // Assess
    expect(callsTo(hubspot, seen)).toEqual(['POST /crm/v3/objects/contacts/batch/create']);
    expect(run.errors[2]).toBeInstanceOf(PermanentError);
    expect(run.errors[2]?.message).toContain('(CONFLICT): Contact already exists');
    for (const i of [0, 1, 3]) {
      const { id } = stepResult(run.reports[i], 'create') as { id: string };
      const stored = hubspot.objects('contacts').find((contact) => contact.id === id);
      expect(stored?.properties.firstname).toBe(`n${i}`);
    }
  });

  it('narrows a whole-call 400 down to the invalid record by bisection', async () => {
    // Prepare: HubSpot names the property, not the input; only one record has a bad option.
    const hubspot = await localHubSpot({
      properties: { companies: { domain: {}, name: {}, lifecyclestage: { options: ['lead', 'customer'] } } },
    });
    const compiled = compileFor(hubspot, [upsertCompany]);
    const messages = companies(10).map((message, i) => ({
      ...message,
      payload: { ...(message.payload as object), lifecyclestage: i === 6 ? 'prospect' : 'lead' },
    }));
    // Act
    const run = await runBatchOf(compiled, messages);
    // Assess
    expect(run.errors.map((error, i) => (error === undefined ? i : `failed ${i}`))).toEqual([
      0,
      1,
      2,
      3,
      4,
      5,
      'failed 6',
      7,
      8,
      9,
    ]);
    expect(run.errors[6]?.message).toContain('prospect was not one of the allowed options');
    expect(hubspot.objects('companies')).toHaveLength(9);
    expect(hubspot.requests.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(10)));
  });

  it('fails at once the records that send a property HubSpot says does not exist, and resends the others', async () => {
    // Prepare
    const hubspot = await localHubSpot({ properties: { companies: { domain: {}, name: {} } } });
    const compiled = compileFor(hubspot, [upsertCompany]);
    const messages = companies(6).map((message, i) => ({
      ...message,
      payload: i % 3 === 0 ? { ...(message.payload as object), nmae: 'typo' } : message.payload,
    }));
    // Act
    const run = await runBatchOf(compiled, messages);
    // Assess
    expect(callsTo(hubspot)).toHaveLength(2);
    expect(run.errors.map((error) => error?.name)).toEqual([
      'PermanentError',
      undefined,
      undefined,
      'PermanentError',
      undefined,
      undefined,
    ]);
    expect(run.errors[0]?.message).toContain('Property \\"nmae\\" does not exist');
  });

  it('fails every record in one call when every record sends the unknown property', async () => {
    // Prepare
    const hubspot = await localHubSpot({ properties: { companies: { domain: {} } } });
    const compiled = compileFor(hubspot, [upsertCompany]);
    // Act
    const run = await runBatchOf(compiled, companies(8));
    // Assess
    expect(callsTo(hubspot)).toHaveLength(1);
    expect(run.errors.every((error) => error instanceof PermanentError)).toBe(true);
  });
});
