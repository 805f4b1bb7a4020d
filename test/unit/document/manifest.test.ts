import { describe, expect, it } from 'vitest';
import { buildManifest, ConnectorConfig, type ConnectorConfigInput } from '@flow-worker/runtime';

type FlowInput = ConnectorConfigInput['flows'][number];

function flow(name: string, overrides: Partial<FlowInput> = {}): FlowInput {
  return {
    name,
    source: 'compass_inbound',
    event_type: 'upsert_company',
    steps: [{ id: 'shape', action: 'transform', data: '$.payload' }],
    ...overrides,
  };
}

function config(flows: FlowInput[]): ConnectorConfig {
  return ConnectorConfig.parse({
    connector_id: 'acme',
    version: 7,
    sources: [{ name: 'compass_inbound' }, { name: 'flow_worker' }],
    flows,
  });
}

describe('buildManifest', () => {
  it('carries the connector id and version', () => {
    const manifest = buildManifest(config([]));

    expect(manifest).toEqual({ connector_id: 'acme', version: 7, event_flow_manifests: [] });
  });

  it('projects the seed flow with its event_type_from hint', () => {
    const manifest = buildManifest(config([flow('compass_company_upsert', { event_type_from: '$.event' })]));

    expect(manifest.event_flow_manifests).toEqual([
      {
        source: 'compass_inbound',
        event_type: 'upsert_company',
        event_type_from: ['$.event'],
        enabled_flows: ['compass_company_upsert'],
        disabled_flows: [],
      },
    ]);
  });

  it('groups flows of one (source, event_type) in declared order and splits enabled from disabled', () => {
    const manifest = buildManifest(
      config([
        flow('b_first'),
        flow('paused', { enabled: false }),
        flow('other', { event_type: 'delete_company' }),
        flow('a_second'),
      ]),
    );

    expect(
      manifest.event_flow_manifests.map((e) => [e.event_type, e.enabled_flows, e.disabled_flows]),
    ).toEqual([
      ['upsert_company', ['b_first', 'a_second'], ['paused']],
      ['delete_company', ['other'], []],
    ]);
  });

  it('lists distinct hints in declared order and skips flows without one', () => {
    const manifest = buildManifest(
      config([
        flow('one', { event_type_from: '$.event' }),
        flow('two'),
        flow('three', { event_type_from: '$.type' }),
        flow('four', { event_type_from: '$.event' }),
      ]),
    );

    expect(manifest.event_flow_manifests[0]?.event_type_from).toEqual(['$.event', '$.type']);
  });

  it('keeps the same event type from two sources apart', () => {
    const manifest = buildManifest(config([flow('inbound'), flow('internal', { source: 'flow_worker' })]));

    expect(manifest.event_flow_manifests.map((e) => `${e.source}/${e.event_type}`)).toEqual([
      'compass_inbound/upsert_company',
      'flow_worker/upsert_company',
    ]);
  });

  it('includes hints of disabled flows', () => {
    const manifest = buildManifest(config([flow('paused', { enabled: false, event_type_from: '$.event' })]));

    expect(manifest.event_flow_manifests[0]).toMatchObject({
      event_type_from: ['$.event'],
      enabled_flows: [],
    });
  });
});
