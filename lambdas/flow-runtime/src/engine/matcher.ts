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
 * Builds the index: source → event_type → flows. Two nested Maps, so no (source, event_type) pair
 * can collide with another whatever characters the names contain, and a lookup allocates nothing.
 */
export function buildFlowIndex<F extends MatchableFlow>(flows: readonly F[]): FlowIndex<F> {
  const index = new Map<string, Map<string, F[]>>();
  for (const flow of flows) {
    if (!flow.enabled) continue;
    let byEventType = index.get(flow.source);
    if (byEventType === undefined) index.set(flow.source, (byEventType = new Map<string, F[]>()));
    const bucket = byEventType.get(flow.event_type);
    if (bucket === undefined) byEventType.set(flow.event_type, [flow]);
    else bucket.push(flow);
  }
  for (const byEventType of index.values()) for (const bucket of byEventType.values()) Object.freeze(bucket);
  return {
    match: (sourceName, eventType) => index.get(sourceName)?.get(eventType) ?? NONE,
  };
}
