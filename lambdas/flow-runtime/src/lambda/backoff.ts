/**
 * The wait between receives of a failed record, in one place: the handler uses it to change a
 * failed record's visibility, and the CDK construct uses it to choose `maxReceiveCount` and to
 * check that the queues can hold the schedule (docs/handlers.md, delivery over time).
 *
 * After the n-th receive of a record failed, the record waits `min(max, base × 2^(n−1))` seconds
 * (its cap), with jitter that never shortens it below half: a value between cap/2 and cap.
 */
export interface BackoffSchedule {
  /** `RETRY_BACKOFF_BASE_SECONDS`: the cap after the first receive. */
  readonly baseSeconds: number;
  /** `RETRY_BACKOFF_MAX_SECONDS`: no cap is longer. */
  readonly maxSeconds: number;
}

/** The longest wait after the `receiveCount`-th receive failed: `min(max, base × 2^(n−1))`. */
export function backoffCapSeconds(receiveCount: number, schedule: BackoffSchedule): number {
  const doublings = Math.min(Math.max(0, receiveCount - 1), 40);
  return Math.min(schedule.maxSeconds, schedule.baseSeconds * 2 ** doublings);
}

/**
 * The wait after the `receiveCount`-th receive failed, in whole seconds: the cap with jitter, a
 * value from cap/2 to cap (`random` is uniform in [0, 1)).
 */
export function backoffDelaySeconds(
  receiveCount: number,
  schedule: BackoffSchedule,
  random: () => number = Math.random,
): number {
  const cap = backoffCapSeconds(receiveCount, schedule);
  return Math.min(cap, Math.ceil(cap / 2 + random() * (cap / 2)));
}

/**
 * The least time between the first and the `receives`-th receive of a record that fails every
 * time: the sum of the shortest waits (half of each cap). Processing time only adds to it.
 */
export function shortestSpanSeconds(receives: number, schedule: BackoffSchedule): number {
  let total = 0;
  for (let n = 1; n < receives; n += 1) total += backoffCapSeconds(n, schedule) / 2;
  return total;
}

/** The most waiting between the first and the `receives`-th receive: the sum of the caps. */
export function longestWaitSeconds(receives: number, schedule: BackoffSchedule): number {
  let total = 0;
  for (let n = 1; n < receives; n += 1) total += backoffCapSeconds(n, schedule);
  return total;
}

/**
 * The fewest receives whose schedule spans at least `seconds` even with the shortest jitter, so
 * that a record failing all along is received once more after an outage of that length ended.
 * `undefined` when more than `limit` receives would be needed (SQS allows 1000).
 */
export function receivesToOutlast(
  seconds: number,
  schedule: BackoffSchedule,
  limit = 1000,
): number | undefined {
  let span = 0;
  for (let receives = 1; receives <= limit; receives += 1) {
    if (span >= seconds) return receives;
    span += backoffCapSeconds(receives, schedule) / 2;
  }
  return undefined;
}
