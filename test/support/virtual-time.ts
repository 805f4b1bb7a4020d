/**
 * A clock that only moves when something sleeps (or a test advances it): rate-limit and backoff
 * waits take no real time, and every wait is recorded in `sleeps`.
 */
export function virtualTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => (now += ms),
  };
}
