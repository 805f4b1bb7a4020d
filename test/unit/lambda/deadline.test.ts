import { describe, expect, it } from 'vitest';
import { deadlineMarginMs } from '@flow-worker/runtime';

describe('deadlineMarginMs', () => {
  it('keeps 10% of the time in hand, at least 0.5 s and at most 2 s', () => {
    const margins = [3_000, 10_000, 15_000, 30_000, 900_000].map(deadlineMarginMs);

    expect(margins).toEqual([500, 1_000, 1_500, 2_000, 2_000]);
  });

  it('never takes more than half, so a short invocation still runs', () => {
    const margins = [2_000, 1_000, 600, 0].map(deadlineMarginMs);

    expect(margins).toEqual([500, 500, 300, 0]);
  });
});
