import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HUBSPOT_STANDARD_OBJECTS, PermanentError } from '@flow-worker/runtime';
import { startHubSpotServer, type LocalHubSpot } from '../../../cli/local/hubspot-server.js';
import { callsTo, compileFor, runBatchOf, stepResult } from '../../support/hubspot-run.js';

/** Every object name HubSpot uses, and associations (v4), against the local HubSpot. */

let hubspot: LocalHubSpot;
let seen = 0;
beforeAll(async () => {
  hubspot = await startHubSpotServer({ rateLimit: { max: 10_000, intervalMs: 10_000 } });
});
afterAll(() => hubspot.close());
beforeEach(() => {
  seen = hubspot.requests.length;
});

describe('hubspot target: every standard object', () => {
  it.each(HUBSPOT_STANDARD_OBJECTS.flatMap((object) => [object.name, object.singular, object.typeId]))(
    'creates a record of %s, stored under HubSpot’s own object',
    async (entity) => {
      // Prepare
      const create = { id: 'create', action: 'create', target: 'hubspot', entity, data: '$' } as const;
      const compiled = compileFor(hubspot, [create]);
      const object = HUBSPOT_STANDARD_OBJECTS.find((o) => [o.name, o.singular, o.typeId].includes(entity));
      // Act
      const run = await runBatchOf(compiled, [{ group: 'a', payload: { marker: entity } }]);
      // Assess
      const { id } = stepResult(run.reports[0], 'create') as { id: string };
      expect(hubspot.objects(object?.name ?? '').find((record) => record.id === id)?.properties.marker).toBe(
        entity,
      );
    },
  );

  it('sends custom objects by their type id or name as given', async () => {
    // Prepare
    const steps = ['2-12345', 'p12345_cars'].map((entity, i) => ({
      id: `create_${i}`,
      action: 'create' as const,
      target: 'hubspot',
      entity,
      data: '$',
    }));
    // Act
    await runBatchOf(compileFor(hubspot, steps), [{ group: 'a', payload: { name: 'x' } }]);
    // Assess
    expect(callsTo(hubspot, seen)).toEqual([
      'POST /crm/v3/objects/2-12345',
      'POST /crm/v3/objects/p12345_cars',
    ]);
  });
});

const upsertContact = {
  id: 'contact',
  action: 'upsert',
  target: 'hubspot',
  entity: 'contact',
  id_property: 'email',
  data: { email: '$.email' },
} as const;
const upsertCompany = {
  id: 'company',
  action: 'upsert',
  target: 'hubspot',
  entity: 'companies',
  id_property: 'domain',
  data: { domain: '$.domain' },
} as const;
const link = {
  id: 'link',
  action: 'associate',
  target: 'hubspot',
  from: { entity: 'contact', record_id: '$$.steps.contact.id' },
  to: { entity: 'company', record_id: '$$.steps.company.id' },
} as const;

const people = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    group: `g${i}`,
    payload: { email: `p${i}@acme.test`, domain: `c${i}.test` },
  }));

describe('hubspot target: associate', () => {
  it('links the records of 5 groups in one default-association batch, each step reporting its pair', async () => {
    // Prepare
    const compiled = compileFor(hubspot, [upsertContact, upsertCompany, link]);
    // Act
    const run = await runBatchOf(compiled, people(5));
    // Assess
    expect(callsTo(hubspot, seen)).toEqual([
      'POST /crm/v3/objects/contacts/batch/upsert',
      'POST /crm/v3/objects/companies/batch/upsert',
      'POST /crm/v4/associations/0-1/0-2/batch/associate/default',
    ]);
    run.reports.forEach((report) => {
      const contact = stepResult(report, 'contact') as { id: string };
      const company = stepResult(report, 'company') as { id: string };
      expect(stepResult(report, 'link')).toEqual({ from_id: contact.id, to_id: company.id });
      expect(hubspot.associations()).toContainEqual({
        fromType: 'contacts',
        fromId: contact.id,
        toType: 'companies',
        toId: company.id,
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }],
      });
    });
  });

  it('succeeds when the records are already associated', async () => {
    // Prepare
    const compiled = compileFor(hubspot, [upsertContact, upsertCompany, link]);
    const messages = [{ group: 'a', payload: { email: 'twice@acme.test', domain: 'twice.test' } }];
    await runBatchOf(compiled, messages);
    // Act
    const again = await runBatchOf(compiled, messages);
    // Assess
    expect(again.errors).toEqual([undefined]);
    expect(callsTo(hubspot, seen).at(-1)).toMatch(
      /^PUT \/crm\/v4\/objects\/0-1\/\d+\/associations\/default\/0-2\/\d+$/,
    );
    expect(
      hubspot
        .associations()
        .filter((a) => a.fromId === (stepResult(again.reports[0], 'link') as { from_id: string }).from_id),
    ).toHaveLength(1);
  });

  it('sends a labelled association with its category and type id, alone and in a batch', async () => {
    // Prepare
    const labelled = { ...link, label: { category: 'USER_DEFINED', type_id: 42 } } as const;
    const primary = { ...link, id: 'primary', label: 1 } as const;
    const compiled = compileFor(hubspot, [upsertContact, upsertCompany, labelled, primary]);
    // Act
    const run = await runBatchOf(
      compiled,
      people(3).map((m) => ({ ...m, group: `label-${m.group}` })),
    );
    // Assess
    expect(run.errors).toEqual([undefined, undefined, undefined]);
    const batches = hubspot.requests
      .slice(seen)
      .filter((r) => r.path === '/crm/v4/associations/0-1/0-2/batch/create');
    expect(batches.map((r) => (r.body as { inputs: { types: unknown }[] }).inputs[0]?.types)).toEqual([
      [{ associationCategory: 'USER_DEFINED', associationTypeId: 42 }],
      [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }],
    ]);
  });

  it('fails only the pair whose record does not exist', async () => {
    // Prepare
    const compiled = compileFor(hubspot, [
      upsertContact,
      { ...link, to: { entity: 'company', record_id: '$.company_id' } },
    ]);
    const companies = await runBatchOf(compileFor(hubspot, [upsertCompany]), people(2));
    const ids = companies.reports.map((report) => (stepResult(report, 'company') as { id: string }).id);
    const messages = [...ids, '424242'].map((company_id, i) => ({
      group: `x${i}`,
      payload: { email: `x${i}@acme.test`, company_id },
    }));
    // Act
    const run = await runBatchOf(compiled, messages);
    // Assess
    expect(run.errors.slice(0, 2)).toEqual([undefined, undefined]);
    expect(run.errors[2]).toBeInstanceOf(PermanentError);
    expect(run.errors[2]?.message).toContain('OBJECT_NOT_FOUND');
  });
});
