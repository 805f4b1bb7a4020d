import { describe, expect, it } from 'vitest';
import { ConnectorConfig, HUBSPOT_STANDARD_OBJECTS, targetCapabilityProblem } from '@flow-worker/runtime';
import { aConfig, aFlow, aStep } from '../fixtures.js';

describe('ConnectorConfig schema', () => {
  it('applies the seed defaults', () => {
    const config = ConnectorConfig.parse(
      aConfig({ targets: undefined, flows: [aFlow({ event_type_from: undefined })] }),
    );
    expect(config.targets).toEqual([]);
    expect(config.flows[0]).toMatchObject({ enabled: true, event_type_from: null });
  });

  it('rejects unknown fields but keeps x-* annotations', () => {
    expect(ConnectorConfig.safeParse(aConfig({ 'x-team': 'ops' })).success).toBe(true);
    expect(ConnectorConfig.safeParse({ ...aConfig(), colour: 'red' }).success).toBe(false);
  });

  it('requires exactly one comparison in a condition', () => {
    const step = { id: 'f', action: 'filter', condition: { path: '$.a', equals: 1, exists: true } };
    const result = ConnectorConfig.safeParse(aConfig({ flows: [aFlow({ steps: [step as never] })] }));
    expect(result.error?.issues[0]?.message).toMatch(/needs exactly one of equals, not_equals, in, exists/);
  });

  it('names the record id of update/delete record_id, so the step id stays "id"', () => {
    const step = aStep({ action: 'delete', data: undefined, record_id: '$.payload.domain' });
    const config = ConnectorConfig.parse(aConfig({ flows: [aFlow({ steps: [step] })] }));
    expect(config.flows[0]?.steps[0]).toMatchObject({ id: 'upsert_hubspot', record_id: '$.payload.domain' });
  });
});

describe('targetCapabilityProblem', () => {
  it('knows what each target kind supports', () => {
    expect(targetCapabilityProblem('hubspot', 'upsert', 'p123_cars')).toBeUndefined();
    expect(targetCapabilityProblem('http', 'delete', 'v1.accounts')).toBeUndefined();
    expect(targetCapabilityProblem('hubspot', 'upsert', 'compnay')?.field).toBe('entity');
    expect(targetCapabilityProblem('http', 'transform', 'x')?.field).toBe('action');
  });

  it.each(HUBSPOT_STANDARD_OBJECTS.flatMap((object) => [object.name, object.singular, object.typeId]))(
    'accepts the HubSpot entity %s',
    (entity) => {
      expect(targetCapabilityProblem('hubspot', 'upsert', entity)).toBeUndefined();
    },
  );

  it('accepts custom object type ids and names, and no other spelling', () => {
    expect(targetCapabilityProblem('hubspot', 'create', '2-12345')).toBeUndefined();
    expect(targetCapabilityProblem('hubspot', 'create', 'p12345_cars')).toBeUndefined();
    expect(targetCapabilityProblem('hubspot', 'create', 'Companies')?.field).toBe('entity');
    expect(targetCapabilityProblem('hubspot', 'create', 'line-items')?.field).toBe('entity');
  });

  it('lists every HubSpot object, plural and singular, when it rejects an entity', () => {
    const message = targetCapabilityProblem('hubspot', 'upsert', 'compnay')?.message ?? '';
    for (const object of HUBSPOT_STANDARD_OBJECTS) {
      expect(message).toContain(object.name);
      expect(message).toContain(object.singular);
    }
    expect(message).toContain('"2-12345"');
    expect(message).toContain('"p12345_cars"');
  });

  it('lets hubspot targets associate records, and not http targets', () => {
    expect(targetCapabilityProblem('hubspot', 'associate', 'contacts')).toBeUndefined();
    expect(targetCapabilityProblem('http', 'associate', 'accounts')?.field).toBe('action');
  });
});
