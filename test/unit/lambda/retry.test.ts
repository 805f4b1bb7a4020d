import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, backoffDelayMs, createRetryPolicy } from '@flow-worker/runtime';

/** A fake clock and sleep: waiting advances time instantly and is recorded. */
function fakeTime(start = 0) {
  let now = start;
  const waits: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** An operation that fails with the given errors, then returns 'done'. */
function failingThen(errors: Error[], time?: { advance: (ms: number) => void }, attemptMs = 0) {
  const attempts: number[] = [];
  const operation = (attempt: number) => {
    attempts.push(attempt);
    time?.advance(attemptMs);
    const error = errors.shift();
    return error === undefined ? Promise.resolve('done') : Promise.reject(error);
  };
  return { operation, attempts };
}

describe('createRetryPolicy', () => {
  it('retries a retryable error and returns the later success', async () => {
    const time = fakeTime();
    const retry = createRetryPolicy({ sleep: time.sleep, now: time.now, random: () => 0.5 });
    const { operation, attempts } = failingThen([new RetryableError('503'), new RetryableError('503')]);

    await expect(retry(operation)).resolves.toBe('done');

    expect(attempts).toEqual([1, 2, 3]);
  });

  it('waits with exponential backoff and full jitter', async () => {
    const time = fakeTime();
    const retry = createRetryPolicy({
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
      baseDelayMs: 100,
      maxDelayMs: 300,
      maxAttempts: 5,
    });
    const { operation } = failingThen([1, 2, 3, 4].map(() => new RetryableError('503')));

    await retry(operation);

    // caps 100, 200, 400→300, 800→300; times random() = 0.5
    expect(time.waits).toEqual([50, 100, 150, 150]);
  });

  it('waits at least a Retry-After hint, plus jitter of up to half of it', async () => {
    const time = fakeTime();
    const retry = createRetryPolicy({ sleep: time.sleep, now: time.now, random: () => 0.5 });
    const { operation } = failingThen([new RetryableError('429', { status: 429, retryAfterSeconds: 3 })]);

    await retry(operation);

    expect(time.waits).toEqual([3000 + 750]);
  });

  it('spreads callers told the same Retry-After over [Retry-After, 1.5 × Retry-After)', () => {
    const error = new RetryableError('429', { status: 429, retryAfterSeconds: 4 });

    const waits = [0, 0.25, 0.5, 0.999].map((r) => backoffDelayMs(1, error, { random: () => r }));

    expect(waits).toEqual([4000, 4500, 5000, 5998]);
    expect(new Set(waits).size).toBe(waits.length);
  });

  it('does not retry permanent errors', async () => {
    const retry = createRetryPolicy({ sleep: () => Promise.resolve() });
    const { operation, attempts } = failingThen([new PermanentError('400')]);

    await expect(retry(operation)).rejects.toBeInstanceOf(PermanentError);

    expect(attempts).toEqual([1]);
  });

  it('rethrows the last error after maxAttempts', async () => {
    const retry = createRetryPolicy({ sleep: () => Promise.resolve(), maxAttempts: 3 });
    const last = new RetryableError('third');
    const { operation, attempts } = failingThen([new RetryableError('1'), new RetryableError('2'), last]);

    await expect(retry(operation)).rejects.toBe(last);

    expect(attempts).toEqual([1, 2, 3]);
  });

  it('stops when the time left cannot cover the wait, another attempt and the safety margin', async () => {
    const time = fakeTime();
    const deadline = 5_000;
    const retry = createRetryPolicy({
      sleep: time.sleep,
      now: time.now,
      random: () => 0.99,
      baseDelayMs: 1_000,
      maxAttempts: 10,
      safetyMarginMs: 1_000,
      remainingTimeMs: () => deadline - time.now(),
    });
    // Each attempt takes 1 s: after attempt 1 (t=1s) wait ~990 ms → attempt 2 ends t≈3s; the next
    // wait (~1980 ms) + 1 s attempt does not fit in 5 s - 3 s - 1 s margin.
    const { operation, attempts } = failingThen(
      Array.from({ length: 9 }, () => new RetryableError('503')),
      time,
      1_000,
    );

    await expect(retry(operation)).rejects.toBeInstanceOf(RetryableError);

    expect(attempts).toEqual([1, 2]);
    expect(time.now()).toBeLessThanOrEqual(deadline - 1_000);
  });

  it('does not wait for a Retry-After longer than the time left', async () => {
    const time = fakeTime();
    const retry = createRetryPolicy({
      sleep: time.sleep,
      now: time.now,
      remainingTimeMs: () => 10_000,
      safetyMarginMs: 1_000,
    });
    const { operation, attempts } = failingThen([new RetryableError('429', { retryAfterSeconds: 30 })]);

    await expect(retry(operation)).rejects.toBeInstanceOf(RetryableError);

    expect(attempts).toEqual([1]);
    expect(time.waits).toEqual([]);
  });

  it('stops retrying once the deadline signal aborts', async () => {
    const controller = new AbortController();
    const retry = createRetryPolicy({
      signal: controller.signal,
      sleep: () => {
        controller.abort();
        return Promise.resolve();
      },
    });
    const { operation, attempts } = failingThen([new RetryableError('1'), new RetryableError('2')]);

    await expect(retry(operation)).rejects.toThrow('1');

    expect(attempts).toEqual([1]);
  });
});

describe('backoffDelayMs', () => {
  it('never exceeds the cap', () => {
    for (let attempt = 1; attempt < 20; attempt += 1) {
      expect(backoffDelayMs(attempt, new RetryableError('x'), { random: () => 0.999999 })).toBeLessThan(
        5_000,
      );
    }
  });
});
