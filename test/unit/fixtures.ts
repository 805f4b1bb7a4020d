import type { ConnectorConfigInput, Envelope, MessageMeta } from '@flow-worker/runtime';

/** Small factories for unit tests: a valid config, envelope and SQS meta, each overridable. */

type FlowInput = ConnectorConfigInput['flows'][number];
type StepInput = FlowInput['steps'][number];

/** An upsert step; an override set to `undefined` removes that field. */
export function aStep(overrides: Partial<Record<string, unknown>> = {}): StepInput {
  const step: Record<string, unknown> = {
    id: 'upsert_hubspot',
    action: 'upsert',
    target: 'hubspot',
    entity: 'company',
    id_property: 'domain',
    data: '$.payload',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(step).filter(([, value]) => value !== undefined)) as StepInput;
}

export function aFlow(overrides: Partial<FlowInput> = {}): FlowInput {
  return {
    name: 'compass_company_upsert',
    source: 'compass_inbound',
    event_type: 'upsert_company',
    event_type_from: '$.event',
    steps: [aStep()],
    ...overrides,
  };
}

export function aConfig(overrides: Partial<ConnectorConfigInput> = {}): ConnectorConfigInput {
  return {
    connector_id: 'acme',
    version: 3,
    sources: [{ name: 'compass_inbound' }],
    targets: [
      { name: 'hubspot', kind: 'hubspot', secret: 'flow-worker/acme/hubspot' },
      { name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api' },
    ],
    flows: [aFlow()],
    ...overrides,
  };
}

export function anEnvelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    connector_id: 'acme',
    source_name: 'compass_inbound',
    event_type: 'upsert_company',
    event_id: 'evt-0001',
    occurred_at: '2026-11-24T10:00:00Z',
    payload: { event: 'upsert_company', payload: { name: 'Acme', domain: 'acme.test' } },
    ...overrides,
  };
}

export const META: MessageMeta = { messageId: 'msg-in-1', messageGroupId: 'acme' };
