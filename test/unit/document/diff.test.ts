import { describe, expect, it } from 'vitest';
import { ConnectorConfig, type ConnectorConfigInput, diffConfigs } from '@flow-worker/runtime';

function base(): ConnectorConfigInput {
  return {
    connector_id: 'acme',
    version: 1,
    sources: [{ name: 'compass_inbound' }],
    targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'flow-worker/acme/hubspot' }],
    flows: [
      {
        name: 'compass_company_upsert',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        event_type_from: '$.event',
        steps: [
          {
            id: 'upsert_hubspot',
            action: 'upsert',
            target: 'hubspot',
            entity: 'company',
            id_property: 'domain',
            data: '$.payload',
          },
        ],
      },
      {
        name: 'shape_only',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          { id: 'a', action: 'transform', data: { x: '$.x' } },
          { id: 'b', action: 'transform', data: { y: '$.y' } },
        ],
      },
    ],
  };
}

/** Parses a copy of the base config after applying `edit` to it. */
function variant(edit: (c: ConnectorConfigInput) => void = () => {}): ConnectorConfig {
  const input = structuredClone(base());
  edit(input);
  return ConnectorConfig.parse(input);
}

describe('diffConfigs', () => {
  it('reports equal configs as equal with nothing listed', () => {
    const diff = diffConfigs(variant(), variant());

    expect(diff.equal).toBe(true);
    expect(diff.flows).toEqual({ added: [], removed: [], changed: [], reordered: false });
    expect(diff.fields).toEqual([]);
  });

  it('treats a written default the same as an omitted one', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows[1]!.enabled = true;
      }),
    );

    expect(diff.equal).toBe(true);
  });

  it('reports a version bump as a changed top-level field', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.version = 2;
      }),
    );

    expect(diff.equal).toBe(false);
    expect(diff.fields).toEqual([{ field: 'version', old: 1, new: 2 }]);
  });

  it('lists flows added and removed by name', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows[1]!.name = 'renamed';
      }),
    );

    expect(diff.flows.added).toEqual(['renamed']);
    expect(diff.flows.removed).toEqual(['shape_only']);
    expect(diff.flows.changed).toEqual([]);
  });

  it('names the changed fields of a changed flow with old and new values', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows[0]!.enabled = false;
      }),
    );

    expect(diff.flows.changed).toEqual([
      {
        name: 'compass_company_upsert',
        fields: [{ field: 'enabled', old: true, new: false }],
        steps: { added: [], removed: [], changed: [], reordered: false },
      },
    ]);
  });

  it('lists steps added, removed and changed by id within a changed flow', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows[1]!.steps = [
          { id: 'a', action: 'transform', data: { x: '$.other' } },
          { id: 'c', action: 'filter', condition: { path: '$.x', exists: true } },
        ];
      }),
    );

    const change = diff.flows.changed[0];
    expect(change?.name).toBe('shape_only');
    expect(change?.fields).toEqual([]);
    expect(change?.steps.added).toEqual(['c']);
    expect(change?.steps.removed).toEqual(['b']);
    expect(change?.steps.changed).toEqual([
      { key: 'a', fields: [{ field: 'data', old: { x: '$.x' }, new: { x: '$.other' } }] },
    ]);
  });

  it('reports reordered steps, since steps run in order', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows[1]!.steps.reverse();
      }),
    );

    expect(diff.flows.changed[0]?.steps.reordered).toBe(true);
    expect(diff.flows.changed[0]?.steps.changed).toEqual([]);
  });

  it('reports reordered flows without listing them as changed', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.flows.reverse();
      }),
    );

    expect(diff.flows.reordered).toBe(true);
    expect(diff.flows.changed).toEqual([]);
    expect(diff.equal).toBe(false);
  });

  it('reports a field that disappeared without a new value', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        delete c.flows[0]!.event_type_from;
      }),
    );

    expect(diff.flows.changed[0]?.fields).toEqual([{ field: 'event_type_from', old: '$.event', new: null }]);
  });

  it('compares targets by name', () => {
    const diff = diffConfigs(
      variant(),
      variant((c) => {
        c.targets = [
          { name: 'hubspot', kind: 'hubspot', secret: 'other' },
          { name: 'erp', kind: 'http', base_url: 'https://erp.test' },
        ];
      }),
    );

    expect(diff.targets.added).toEqual(['erp']);
    expect(diff.targets.changed).toEqual([
      { key: 'hubspot', fields: [{ field: 'secret', old: 'flow-worker/acme/hubspot', new: 'other' }] },
    ]);
    expect(diff.flows.changed).toEqual([]);
  });

  it('does not depend on key order', () => {
    const reordered = variant((c) => {
      const step = c.flows[0]!.steps[0]!;
      c.flows[0]!.steps[0] = Object.fromEntries(Object.entries(step).reverse()) as typeof step;
    });

    expect(diffConfigs(variant(), reordered).equal).toBe(true);
  });
});
