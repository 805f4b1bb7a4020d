import { jsonEquals } from './json.js';
import type { ConnectorConfig } from './config.js';

/** One field whose value differs; `old` / `new` are absent when the field is absent on that side. */
export interface FieldChange {
  readonly field: string;
  readonly old?: unknown;
  readonly new?: unknown;
}

/** A named item (source, target, step) present on both sides with different fields. */
export interface ItemChange {
  /** The item's name, or the step's id. */
  readonly key: string;
  readonly fields: readonly FieldChange[];
}

/** Items of a list keyed by name (or id): what appeared, disappeared, changed or moved. */
export interface ListDiff<Change = ItemChange> {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly Change[];
  /** The items on both sides are in a different relative order (order matters for flows and steps). */
  readonly reordered: boolean;
}

export interface FlowChange {
  readonly name: string;
  /** Changed flow fields other than `steps` (e.g. `enabled`, `event_type`). */
  readonly fields: readonly FieldChange[];
  /** Steps by id. */
  readonly steps: ListDiff;
}

/** Flows by name: like any list, but a changed flow carries its field and step changes. */
export type FlowsDiff = ListDiff<FlowChange>;

/** The difference between two configs (docs/cli.md, diff). */
export interface ConfigDiff {
  /** True when the two documents are the same (defaults applied; key order ignored). */
  readonly equal: boolean;
  /** Changed top-level fields other than the lists: `connector_id`, `version`, `x-*` annotations. */
  readonly fields: readonly FieldChange[];
  readonly sources: ListDiff;
  readonly targets: ListDiff;
  readonly flows: FlowsDiff;
}

type Json = unknown;
type Obj = Readonly<Record<string, Json>>;

function fieldChanges(a: Obj, b: Obj, ignore: readonly string[]): FieldChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !ignore.includes(k));
  const changes: FieldChange[] = [];
  for (const field of keys) {
    if (jsonEquals(a[field], b[field])) continue;
    const change: { field: string; old?: unknown; new?: unknown } = { field };
    if (a[field] !== undefined) change.old = a[field];
    if (b[field] !== undefined) change.new = b[field];
    changes.push(change);
  }
  return changes;
}

/** True when the keys common to both lists appear in a different relative order. */
function isReordered(oldKeys: readonly string[], newKeys: readonly string[]): boolean {
  const common = new Set(newKeys.filter((k) => oldKeys.includes(k)));
  const a = oldKeys.filter((k) => common.has(k));
  const b = newKeys.filter((k) => common.has(k));
  return a.some((k, i) => k !== b[i]);
}

interface Keyed<T> {
  added: string[];
  removed: string[];
  common: { key: string; old: T; new: T }[];
  reordered: boolean;
}

function byKey<T>(oldItems: readonly T[], newItems: readonly T[], keyOf: (item: T) => string): Keyed<T> {
  const oldMap = new Map(oldItems.map((item) => [keyOf(item), item]));
  const newMap = new Map(newItems.map((item) => [keyOf(item), item]));
  const common: { key: string; old: T; new: T }[] = [];
  for (const [key, item] of newMap) {
    const before = oldMap.get(key);
    if (before !== undefined) common.push({ key, old: before, new: item });
  }
  return {
    added: [...newMap.keys()].filter((k) => !oldMap.has(k)),
    removed: [...oldMap.keys()].filter((k) => !newMap.has(k)),
    common,
    reordered: isReordered([...oldMap.keys()], [...newMap.keys()]),
  };
}

function listDiff<T extends object>(
  oldItems: readonly T[],
  newItems: readonly T[],
  keyField: string,
): ListDiff {
  const keyOf = (item: T) => String((item as Obj)[keyField]);
  const keyed = byKey(oldItems, newItems, keyOf);
  const changed = keyed.common
    .map(({ key, old, new: next }) => ({ key, fields: fieldChanges(old as Obj, next as Obj, [keyField]) }))
    .filter((c) => c.fields.length > 0);
  return { added: keyed.added, removed: keyed.removed, changed, reordered: keyed.reordered };
}

function isEmptyList(diff: ListDiff<unknown>): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0 && !diff.reordered;
}

/**
 * Compares two parsed configs: flows added / removed / changed by name, and for a changed flow the
 * fields and the steps (by id) that changed. Sources and targets are compared by name the same way.
 * Pure; the result is plain JSON.
 */
export function diffConfigs(oldConfig: ConnectorConfig, newConfig: ConnectorConfig): ConfigDiff {
  const flowsKeyed = byKey(oldConfig.flows, newConfig.flows, (f) => f.name);
  const changedFlows: FlowChange[] = [];
  for (const { key, old, new: next } of flowsKeyed.common) {
    const fields = fieldChanges(old, next, ['name', 'steps']);
    const steps = listDiff(old.steps, next.steps, 'id');
    if (fields.length > 0 || !isEmptyList(steps)) changedFlows.push({ name: key, fields, steps });
  }
  const flows: FlowsDiff = {
    added: flowsKeyed.added,
    removed: flowsKeyed.removed,
    changed: changedFlows,
    reordered: flowsKeyed.reordered,
  };
  const fields = fieldChanges(oldConfig, newConfig, ['sources', 'targets', 'flows']);
  const sources = listDiff(oldConfig.sources, newConfig.sources, 'name');
  const targets = listDiff(oldConfig.targets, newConfig.targets, 'name');
  const equal = fields.length === 0 && isEmptyList(sources) && isEmptyList(targets) && isEmptyList(flows);
  return { equal, fields, sources, targets, flows };
}
