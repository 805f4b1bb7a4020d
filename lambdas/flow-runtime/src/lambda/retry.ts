import { RetryableError, errorClassOf } from '../errors.js';
import type { RetryPolicy } from '../engine/steps.js';
import { sleep } from '../targets/sleep.js';
import { deadlineMarginMs } from './deadline.js';

export { sleep };

/** Defaults of {@link RetryOptions}, in one place. */
export const RETRY_DEFAULTS = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
} as const;

export interface RetryOptions {
  /** Attempts in total, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff base: the cap of the wait before attempt n+1 is `baseDelayMs * 2^(n-1)`. @default 200 */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff wait (a `Retry-After` hint may ask for more). @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Time to keep in hand before the Lambda deadline: enough to save checkpoints, dead-letter or
   * back off the records and for the middleware to answer.
   * @default deadlineMarginMs of the time remaining when the policy is created
   */
  readonly safetyMarginMs?: number;
  /** Milliseconds left in the invocation (`context.getRemainingTimeInMillis`); unbounded when omitted. */
  readonly remainingTimeMs?: () => number;
  /** Whether an error is worth another attempt. @default errors of class `retryable` */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Monotonic-enough clock used to measure how long an attempt takes. @default Date.now */
  readonly now?: () => number;
  /** Stops retrying (the last error is rethrown) once aborted. */
  readonly signal?: AbortSignal;
}

// A function, not an inline check: TypeScript would keep the narrowing across the await.
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * The wait before the next attempt: exponential backoff with full jitter
 * (`random() * min(maxDelay, base * 2^(attempt-1))`). When the server gave a `Retry-After`, never
 * less than that, plus a jitter of up to half of it (at least the backoff cap, at most `maxDelayMs`):
 * callers that were told the same `Retry-After` at the same moment do not all come back at once.
 */
export function backoffDelayMs(
  attempt: number,
  error: unknown,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {},
): number {
  const base = options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
  const max = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const cap = Math.min(max, base * 2 ** (attempt - 1));
  const random = options.random ?? Math.random;
  if (error instanceof RetryableError && error.retryAfterSeconds !== undefined) {
    const askedMs = Math.max(0, error.retryAfterSeconds * 1000);
    const spreadMs = Math.min(max, Math.max(cap, askedMs / 2));
    return askedMs + Math.floor(random() * spreadMs);
  }
  return Math.floor(random() * cap);
}

/**
 * Builds the in-process retry policy for one invocation. Retryable errors are retried with
 * exponential backoff and full jitter, honouring `RetryableError.retryAfterSeconds` (with jitter on
 * top, never below it; see {@link backoffDelayMs}), as long as the
 * time left (minus a safety margin) covers the wait plus one more attempt as long as the slowest
 * so far. Then the last error is rethrown, so the record fails and SQS redelivers it.
 *
 * @example
 * const retry = createRetryPolicy({ remainingTimeMs: () => context.getRemainingTimeInMillis() });
 * await retry(() => target.execute(request));
 */
export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxAttempts = Math.max(1, options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts);
  const safetyMarginMs =
    options.safetyMarginMs ??
    (options.remainingTimeMs === undefined ? 0 : deadlineMarginMs(options.remainingTimeMs()));
  const isRetryable = options.isRetryable ?? ((error: unknown) => errorClassOf(error) === 'retryable');
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;

  return async <T>(operation: (attempt: number) => Promise<T>): Promise<T> => {
    let slowestAttemptMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      const started = now();
      try {
        return await operation(attempt);
      } catch (error) {
        slowestAttemptMs = Math.max(slowestAttemptMs, now() - started);
        if (attempt >= maxAttempts || !isRetryable(error) || aborted(options.signal)) throw error;
        const delayMs = backoffDelayMs(attempt, error, options);
        if (options.remainingTimeMs !== undefined) {
          const budgetMs = options.remainingTimeMs() - safetyMarginMs;
          if (delayMs + slowestAttemptMs > budgetMs) throw error;
        }
        await wait(delayMs, options.signal);
        if (aborted(options.signal)) throw error;
      }
    }
  };
}
