import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffCapSeconds,
  backoffDelaySeconds,
  ENVIRONMENT_DEFAULTS,
  longestWaitSeconds,
  receivesToOutlast,
  shortestSpanSeconds,
} from '@flow-worker/runtime';

const DEFAULTS = {
  baseSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS,
  maxSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS,
};
const schedules = fc
  .tuple(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 3600 }))
  .map(([baseSeconds, extra]) => ({ baseSeconds, maxSeconds: baseSeconds + extra }));

describe('backoff between receives', () => {
  it('doubles from the base with each receive and stops at the maximum', () => {
    const caps = [1, 2, 3, 4, 5, 6, 7, 100].map((receive) => backoffCapSeconds(receive, DEFAULTS));

    expect(caps).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('jitters a delay into [cap/2, cap], whole seconds, never shorter than half', () => {
    fc.assert(
      fc.property(
        schedules,
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (schedule, receive, random) => {
          const cap = backoffCapSeconds(receive, schedule);
          const delay = backoffDelaySeconds(receive, schedule, () => random);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(cap / 2);
          expect(delay).toBeLessThanOrEqual(cap);
        },
      ),
    );
    expect(backoffDelaySeconds(1, DEFAULTS, () => 0)).toBe(15);
    expect(backoffDelaySeconds(1, DEFAULTS, () => 0.9999)).toBe(30);
  });

  it('needs 197 receives at the defaults to outlast a 24-hour outage with the shortest jitter', () => {
    const receives = receivesToOutlast(24 * 3600, DEFAULTS);

    expect(receives).toBe(197);
    expect(shortestSpanSeconds(197, DEFAULTS)).toBeGreaterThanOrEqual(86_400);
    expect(shortestSpanSeconds(196, DEFAULTS)).toBeLessThan(86_400);
    expect(longestWaitSeconds(197, DEFAULTS)).toBe(172_830);
  });

  it('finds the fewest receives whose shortest span covers any outage, or none beyond the limit', () => {
    fc.assert(
      fc.property(schedules, fc.integer({ min: 0, max: 200_000 }), (schedule, seconds) => {
        const receives = receivesToOutlast(seconds, schedule);
        if (receives === undefined) {
          expect(shortestSpanSeconds(1000, schedule)).toBeLessThan(seconds);
          return;
        }
        expect(shortestSpanSeconds(receives, schedule)).toBeGreaterThanOrEqual(seconds);
        if (receives > 1) expect(shortestSpanSeconds(receives - 1, schedule)).toBeLessThan(seconds);
      }),
    );
  });
});
