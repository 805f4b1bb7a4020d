/**
 * The flow index: built once per config version, answers "which enabled flows listen for this
 * (source, event_type)?" with one Map lookup. Matching is strict equality, declared order (seed).
 */
export interface MatchableFlow {
  readonly source: string;
  readonly event_type: string;
  readonly enabled: boolean;
}

export interface FlowIndex<F extends MatchableFlow> {
  /** Enabled flows whose `source` and `event_type` equal the arguments, in declared order. */
  match(sourceName: string, eventType: string): readonly F[];
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Builds the index. Keys are JSON-encoded pairs, so no (source, event_type) pair can collide with
 * another whatever characters the names contain (`"a|b" + "c"` vs `"a" + "b|c"`).
 */
export function buildFlowIndex<F extends MatchableFlow>(flows: readonly F[]): FlowIndex<F> {
  const index = new Map<string, F[]>();
  for (const flow of flows) {
    if (!flow.enabled) continue;
    const key = matchKey(flow.source, flow.event_type);
    const bucket = index.get(key);
    if (bucket === undefined) index.set(key, [flow]);
    else bucket.push(flow);
  }
  for (const bucket of index.values()) Object.freeze(bucket);
  return {
    match: (sourceName, eventType) => index.get(matchKey(sourceName, eventType)) ?? NONE,
  };
}

function matchKey(source: string, eventType: string): string {
  return JSON.stringify([source, eventType]);
}
