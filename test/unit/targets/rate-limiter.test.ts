import { describe, expect, it } from 'vitest';
import { RateLimiter, RetryableError } from '@flow-worker/runtime';
import { virtualTime } from '../../support/virtual-time.js';

describe('RateLimiter', () => {
  it('lets `requests` calls start in any rolling window, then waits for the oldest to leave it', async () => {
    // Prepare
    const time = virtualTime(0);
    const limiter = new RateLimiter({ limit: { requests: 3, intervalMs: 1_000 }, ...time });
    // Act
    for (let i = 0; i < 3; i += 1) await limiter.acquire();
    time.advance(400);
    await limiter.acquire();
    // Assess
    expect(time.sleeps).toEqual([600]);
    expect(time.now()).toBe(1_000);
  });

  it('serves waiters first come, first served', async () => {
    // Prepare
    const time = virtualTime(0);
    const limiter = new RateLimiter({ limit: { requests: 1, intervalMs: 100 }, ...time });
    const order: string[] = [];
    // Act
    await Promise.all(['a', 'b', 'c'].map((name) => limiter.acquire().then(() => order.push(name))));
    // Assess
    expect(order).toEqual(['a', 'b', 'c']);
    expect(time.now()).toBe(200);
  });

  it('holds every call during a pause, and keeps the longer of two pauses', async () => {
    // Prepare
    const time = virtualTime(0);
    const limiter = new RateLimiter({ limit: { requests: 100, intervalMs: 10_000 }, ...time });
    limiter.pauseFor(5_000);
    limiter.pauseFor(2_000);
    // Act
    await limiter.acquire();
    // Assess
    expect(time.now()).toBe(5_000);
    expect(limiter.pauseRemainingMs()).toBe(0);
  });

  it('keeps calls apart while spacing is asked for, and not after it is lifted', async () => {
    // Prepare
    const time = virtualTime(0);
    const limiter = new RateLimiter({ limit: { requests: 100, intervalMs: 10_000 }, ...time });
    limiter.spaceBy(250);
    // Act
    await limiter.acquire();
    await limiter.acquire();
    limiter.spaceBy(0);
    await limiter.acquire();
    // Assess
    expect(time.sleeps).toEqual([250]);
  });

  it('lets an aborted waiter leave without a slot, with a retryable error', async () => {
    // Prepare
    const time = virtualTime(0);
    const limiter = new RateLimiter({ limit: { requests: 1, intervalMs: 1_000 }, ...time });
    await limiter.acquire();
    const ending = new AbortController();
    ending.abort();
    // Act
    const error = await limiter.acquire(ending.signal).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(limiter.delayMs()).toBe(1_000);
  });
});
