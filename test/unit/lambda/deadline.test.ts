import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { deadlineMarginMs, deadlineSignal } from '@flow-worker/runtime';

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

describe('deadlineSignal', () => {
  const contextWith = (remainingMs: number) =>
    ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

  it('aborts the margin before the deadline, and not earlier', () => {
    vi.useFakeTimers();
    try {
      const { signal, dispose } = deadlineSignal(contextWith(10_000), 1_000);
      vi.advanceTimersByTime(8_999);
      expect(signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(signal.aborted).toBe(true);
      expect(String(signal.reason)).toContain('Lambda deadline is near');
      dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('once disposed, the timer does not reach it', () => {
    vi.useFakeTimers();
    try {
      const { signal, dispose } = deadlineSignal(contextWith(5_000), 500);
      dispose();
      vi.advanceTimersByTime(10_000);
      expect(signal.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has no timer when the context cannot say how much time is left', () => {
    vi.useFakeTimers();
    try {
      const { signal, dispose } = deadlineSignal({} as Context, 500);
      vi.advanceTimersByTime(3_600_000);
      expect(signal.aborted).toBe(false);
      dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
