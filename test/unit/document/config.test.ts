import { describe, expect, it } from 'vitest';
import { ConnectorConfig, targetCapabilityProblem } from '@flow-worker/runtime';
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
    expect(targetCapabilityProblem('hubspot', 'upsert', 'companies')?.field).toBe('entity');
    expect(targetCapabilityProblem('http', 'transform', 'x')?.field).toBe('action');
  });
});
