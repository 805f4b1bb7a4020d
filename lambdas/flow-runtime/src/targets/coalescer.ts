/** What the coalescer needs of a queued request. */
export interface CoalescedEntry {
  /** The request's abort signal: an aborted entry leaves the queue instead of waiting for a slot. */
  readonly signal?: AbortSignal | undefined;
  /** Settles the entry with an error (it was never sent). */
  fail(error: unknown): void;
}

export interface CoalescerOptions<E extends CoalescedEntry> {
  /** Most entries one call carries (HubSpot: 100). */
  readonly maxBatchSize: number;
  /**
   * Entries with the same key (the same record) never share a call nor are in flight at the same
   * time: the later one waits for the earlier one's answer.
   */
  readonly conflictKey: (entry: E) => string | undefined;
  /** Waits for, and takes, the slot of a batch's first call (the rate limiter); rejects on abort. */
  readonly acquire: (signal: AbortSignal | undefined) => Promise<void>;
  /** Sends one batch of a lane, its first call's slot already taken, and settles every entry. Never rejects. */
  readonly send: (laneKey: string, entries: readonly E[]) => Promise<void>;
  /**
   * When a lane's queue is flushed. @default setImmediate: once every message group that can run
   * has run up to its own call, so the calls issued "at the same time" travel together, without a timer.
   */
  readonly schedule?: (task: () => void) => void;
}

interface Lane<E> {
  pending: E[];
  readonly inFlight: Map<string, number>;
  scheduled: boolean;
}

/**
 * Gathers requests that concurrent callers issue at about the same time into batches, per lane
 * (e.g. one lane per HubSpot object type and action). A lane is flushed on the next turn of the
 * event loop after its first request arrives; while its flush waits for a rate-limit slot, later
 * requests join the same batch. Batches of one lane may be in flight at the same time, but never two
 * requests for the same record (see {@link CoalescerOptions.conflictKey}).
 *
 * A caller awaits its own request, so requests of one caller (one message group) are never
 * reordered: the next one is only issued once the previous one has its answer.
 */
export class Coalescer<E extends CoalescedEntry> {
  private readonly lanes = new Map<string, Lane<E>>();
  private readonly schedule: (task: () => void) => void;

  constructor(private readonly options: CoalescerOptions<E>) {
    this.schedule = options.schedule ?? ((task) => void setImmediate(task));
  }

  /** Queues `entry` on `laneKey`; the entry is settled by `send` (or failed, if it is aborted first). */
  submit(laneKey: string, entry: E): void {
    let lane = this.lanes.get(laneKey);
    if (lane === undefined) {
      lane = { pending: [], inFlight: new Map(), scheduled: false };
      this.lanes.set(laneKey, lane);
    }
    lane.pending.push(entry);
    this.kick(laneKey, lane);
  }

  private kick(laneKey: string, lane: Lane<E>): void {
    if (lane.scheduled) return;
    if (lane.pending.length === 0 && lane.inFlight.size === 0) {
      // A batch of this lane may still be in flight: forget the lane only if no newer one replaced it.
      if (this.lanes.get(laneKey) === lane) this.lanes.delete(laneKey);
      return;
    }
    if (!lane.pending.some((entry) => !this.conflicts(lane, entry, undefined))) return;
    lane.scheduled = true;
    this.schedule(() => void this.drain(laneKey, lane));
  }

  private async drain(laneKey: string, lane: Lane<E>): Promise<void> {
    try {
      await this.options.acquire(combinedSignal(lane.pending));
    } catch (error) {
      // Only an abort ends the wait: the aborted entries leave, the others try again.
      lane.pending = lane.pending.filter((entry) => {
        if (entry.signal?.aborted !== true) return true;
        entry.fail(error);
        return false;
      });
      lane.scheduled = false;
      this.kick(laneKey, lane);
      return;
    }
    const batch = this.take(lane);
    lane.scheduled = false;
    if (batch.length === 0) return this.kick(laneKey, lane);
    const keys = batch.map((entry) => this.options.conflictKey(entry));
    for (const key of keys) if (key !== undefined) lane.inFlight.set(key, (lane.inFlight.get(key) ?? 0) + 1);
    void this.options.send(laneKey, batch).finally(() => {
      for (const key of keys) {
        if (key === undefined) continue;
        const count = (lane.inFlight.get(key) ?? 1) - 1;
        if (count === 0) lane.inFlight.delete(key);
        else lane.inFlight.set(key, count);
      }
      this.kick(laneKey, lane);
    });
    this.kick(laneKey, lane);
  }

  /** The next batch, in queue order, skipping entries whose record is in flight or already taken. */
  private take(lane: Lane<E>): E[] {
    const batch: E[] = [];
    const taken = new Set<string>();
    const rest: E[] = [];
    for (const entry of lane.pending) {
      if (batch.length < this.options.maxBatchSize && !this.conflicts(lane, entry, taken)) {
        batch.push(entry);
        const key = this.options.conflictKey(entry);
        if (key !== undefined) taken.add(key);
      } else {
        rest.push(entry);
      }
    }
    lane.pending = rest;
    return batch;
  }

  private conflicts(lane: Lane<E>, entry: E, taken: ReadonlySet<string> | undefined): boolean {
    const key = this.options.conflictKey(entry);
    return key !== undefined && (lane.inFlight.has(key) || taken?.has(key) === true);
  }
}

/** Aborts when any entry's signal aborts (in Lambda they all share the invocation's one signal). */
function combinedSignal(entries: readonly CoalescedEntry[]): AbortSignal | undefined {
  const signals = [
    ...new Set(entries.flatMap((entry) => (entry.signal === undefined ? [] : [entry.signal]))),
  ];
  if (signals.length <= 1) return signals[0];
  return AbortSignal.any(signals);
}
