import { diffConfigs } from '../document/diff.js';
import { isPlainObject, jsonEquals } from '../document/json.js';
import { TARGET_ADDRESS_RANGES } from '../document/target-address.js';
import { validateConfig, type ValidationOptions } from '../document/validate.js';
import { ConfigNotFoundError, ConfigVersionNotFoundError } from '../errors.js';
import { publishConfig, type PublishOptions, type PublishResult } from './publish.js';
import { readBlob, readConnectorState, type ConfigTable, type ConnectorState } from './read.js';

/**
 * How stored versions are read back for history and diff: they passed the network guard of the
 * deployment that published them, so its address ranges are not checked again here.
 */
const STORED: ValidationOptions = { allowTargetAddresses: TARGET_ADDRESS_RANGES };

/**
 * A connector's published versions: list them, read one, compare them, publish an old one again.
 * What is kept and for how long: `STORAGE.retainedVersions` in layout.ts (docs/cli.md, history).
 */

/** One stored version, with the document it holds. */
export interface StoredVersion {
  readonly version: number;
  readonly published_at: string;
  readonly document: unknown;
}

/** The versions a connector's state holds, newest first. */
export function storedVersions(state: ConnectorState): { version: number; published_at: string }[] {
  const single = state.singleItem === undefined ? [] : [state.singleItem];
  return [...single, ...state.entries]
    .map(({ version, published_at }) => ({ version, published_at }))
    .sort((a, b) => b.version - a.version);
}

function noConfig(table: ConfigTable, connectorId: string): ConfigNotFoundError {
  return new ConfigNotFoundError(
    `table ${table.tableName} has no published config for connector "${connectorId}"`,
    {
      context: { connector: connectorId },
    },
  );
}

/**
 * Reads one stored version of a connector (`state` from {@link readConnectorState}).
 * @throws ConfigVersionNotFoundError naming the versions that are stored.
 */
export async function readVersion(
  table: ConfigTable,
  state: ConnectorState,
  connectorId: string,
  version: number,
): Promise<StoredVersion> {
  if (state.singleItem?.version === version) {
    return { version, published_at: state.singleItem.published_at, document: state.singleItem.config };
  }
  const entry = state.entries.find((e) => e.version === version);
  if (entry === undefined) {
    throw new ConfigVersionNotFoundError(
      connectorId,
      version,
      storedVersions(state).map((v) => v.version),
    );
  }
  const document = await readBlob(table, { connectorId, ...entry });
  return { version, published_at: entry.published_at, document };
}

/** A line of `flow-worker history`: a version and what it changed in the flows, by name. */
export interface HistoryEntry {
  readonly version: number;
  readonly published_at: string;
  /** How many flows the version has. */
  readonly flows: number;
  /** Compared with the next older stored version (the oldest one with nothing: all its flows are added). */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** A version's flows by name: validated (defaults applied) when it still validates, as stored otherwise. */
function flowsByName(document: unknown): Map<string, unknown> {
  try {
    return new Map(validateConfig(document, STORED).flows.map((flow) => [flow.name, flow]));
  } catch {
    const flows = isPlainObject(document) && Array.isArray(document.flows) ? document.flows : [];
    return new Map(flows.filter(isPlainObject).map((flow) => [String(flow.name), flow]));
  }
}

/**
 * Flows added, removed and changed by name from `older` to `newer`: the flow part of
 * {@link diffConfigs} (a flow is changed when any field or step differs, or its steps moved).
 */
export function flowChanges(older: ReadonlyMap<string, unknown>, newer: ReadonlyMap<string, unknown>) {
  const names = (map: ReadonlyMap<string, unknown>) => [...map.keys()];
  return {
    added: names(newer).filter((name) => !older.has(name)),
    removed: names(older).filter((name) => !newer.has(name)),
    changed: names(newer).filter((name) => older.has(name) && !jsonEquals(older.get(name), newer.get(name))),
  };
}

/**
 * Every stored version of a connector, newest first, each compared with the one before it.
 * Reads each version once, oldest first, holding two at a time.
 * @throws ConfigNotFoundError when the connector has no published config.
 */
export async function configHistory(table: ConfigTable, connectorId: string): Promise<HistoryEntry[]> {
  const state = await readConnectorState(table, connectorId);
  const versions = storedVersions(state).reverse();
  if (versions.length === 0) throw noConfig(table, connectorId);
  const history: HistoryEntry[] = [];
  let previous = new Map<string, unknown>();
  for (const { version } of versions) {
    const stored = await readVersion(table, state, connectorId, version);
    const flows = flowsByName(stored.document);
    history.push({
      version,
      published_at: stored.published_at,
      flows: flows.size,
      ...flowChanges(previous, flows),
    });
    previous = flows;
  }
  return history.reverse();
}

/**
 * Compares two stored versions (`to` defaults to the current one) as `flow-worker diff` compares
 * two files. Both must still validate.
 */
export async function diffVersions(table: ConfigTable, connectorId: string, from: number, to?: number) {
  const state = await readConnectorState(table, connectorId);
  if (state.head === undefined) throw noConfig(table, connectorId);
  const target = to ?? state.head.version;
  const [older, newer] = await Promise.all([
    readVersion(table, state, connectorId, from),
    readVersion(table, state, connectorId, target),
  ]);
  return {
    from,
    to: target,
    diff: diffConfigs(validateConfig(older.document, STORED), validateConfig(newer.document, STORED)),
  };
}

export interface RollbackResult extends PublishResult {
  /** The version whose content was published again. */
  readonly restoredFrom: number;
}

/**
 * Publishes a stored version's content again as a new version (the current one + 1), through
 * {@link publishConfig}: validated, under the same version guard, with its manifest.
 * @throws ConfigNotFoundError, ConfigVersionNotFoundError, ConfigVersionConflictError (another
 * publish came first), ConfigValidationError (the old content no longer validates).
 */
export async function rollbackConfig(
  table: ConfigTable,
  connectorId: string,
  toVersion: number,
  options: PublishOptions = {},
): Promise<RollbackResult> {
  const state = await readConnectorState(table, connectorId);
  if (state.head === undefined) throw noConfig(table, connectorId);
  const { document } = await readVersion(table, state, connectorId, toVersion);
  const next = state.head.version + 1;
  const restored = isPlainObject(document) ? { ...document, version: next } : document;
  const result = await publishConfig(table, restored, options);
  return { ...result, restoredFrom: toVersion };
}
