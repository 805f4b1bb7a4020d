import { RetryableError } from '../errors.js';

/** How many requests this container may start in any window of `intervalMs`. */
export interface RateLimit {
  readonly requests: number;
  readonly intervalMs: number;
}

export interface RateLimiterOptions {
  readonly limit: RateLimit;
  /** @default Date.now */
  readonly now?: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Spaces the calls one container makes to one rate-limited API, shared by every message group of
 * the container (and every config version that names the same API account).
 *
 * - **Rolling window**: at most `limit.requests` calls start in any `limit.intervalMs`, the way
 *   HubSpot counts (a log of start times; a call waits until the oldest leaves the window).
 * - **Spacing**: while the API says its shared budget is nearly spent, calls are kept at least
 *   {@link spaceBy} milliseconds apart.
 * - **Pause**: after a 429, or when the budget is spent, no call starts before {@link pauseFor} ends.
 *
 * Waiters are served first come, first served. A waiter whose signal aborts leaves the queue with a
 * {@link RetryableError} and takes no slot.
 */
export class RateLimiter {
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  private gapMs = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private tail: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Waits for a slot and takes it. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot(signal));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** No call starts for the next `ms` (a longer pause already in force is kept). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
  }

  /** Keep calls at least `ms` apart from now on (0 lifts the spacing). */
  spaceBy(ms: number): void {
    this.gapMs = Math.max(0, ms);
  }

  /** How long the current pause still lasts, in ms (0 when there is none). */
  pauseRemainingMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** How long a call asking now would wait, in ms: 0 when a slot is free. */
  delayMs(): number {
    const now = this.now();
    const { requests, intervalMs } = this.options.limit;
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - intervalMs) this.starts.shift();
    const windowWait =
      this.starts.length >= requests
        ? (this.starts[this.starts.length - requests] ?? now) + intervalMs - now
        : 0;
    return Math.max(0, windowWait, this.lastStart + this.gapMs - now, this.pausedUntil - now);
  }

  private async waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted === true) {
        throw new RetryableError(
          'not sent: the invocation is about to time out (waiting for a rate-limit slot)',
          {
            context: { operation: 'rate limit' },
          },
        );
      }
      const wait = this.delayMs();
      if (wait <= 0) {
        const now = this.now();
        this.starts.push(now);
        this.lastStart = now;
        return;
      }
      await this.options.sleep(wait, signal);
    }
  }
}
