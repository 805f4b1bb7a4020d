import type { ConnectorConfig } from './config.js';

/** One (source, event_type) pair of a config and the flows that listen for it. */
export interface EventFlowManifest {
  readonly source: string;
  readonly event_type: string;
  /** Distinct `event_type_from` hints of the matching flows, in declared order. Never evaluated. */
  readonly event_type_from: readonly string[];
  /** Names of the enabled flows for this pair, in declared (run) order. */
  readonly enabled_flows: readonly string[];
  /** Names of the paused (`enabled: false`) flows for this pair, in declared order. */
  readonly disabled_flows: readonly string[];
}

/** The projection of a config that the dashboard and producers read (docs/cli.md, manifest). */
export interface ConfigManifest {
  readonly connector_id: string;
  readonly version: number;
  /** One entry per (source, event_type), ordered by the first flow that declares the pair. */
  readonly event_flow_manifests: readonly EventFlowManifest[];
}

interface MutableEntry {
  source: string;
  event_type: string;
  event_type_from: string[];
  enabled_flows: string[];
  disabled_flows: string[];
}

/**
 * Projects a parsed config into its `event_flow_manifests`. Pure: same config, same manifest.
 *
 * @example
 * buildManifest(config).event_flow_manifests[0];
 * // { source: 'compass_inbound', event_type: 'upsert_company', event_type_from: ['$.event'],
 * //   enabled_flows: ['compass_company_upsert'], disabled_flows: [] }
 */
export function buildManifest(config: ConnectorConfig): ConfigManifest {
  const entries = new Map<string, MutableEntry>();
  for (const flow of config.flows) {
    // JSON of the pair is an unambiguous key whatever characters the names contain.
    const key = JSON.stringify([flow.source, flow.event_type]);
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = {
        source: flow.source,
        event_type: flow.event_type,
        event_type_from: [],
        enabled_flows: [],
        disabled_flows: [],
      };
      entries.set(key, entry);
    }
    const hint = flow.event_type_from;
    if (hint !== null && hint !== undefined && !entry.event_type_from.includes(hint)) {
      entry.event_type_from.push(hint);
    }
    (flow.enabled === false ? entry.disabled_flows : entry.enabled_flows).push(flow.name);
  }
  return {
    connector_id: config.connector_id,
    version: config.version,
    event_flow_manifests: [...entries.values()],
  };
}
