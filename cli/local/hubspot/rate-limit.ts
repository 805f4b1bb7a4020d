import { randomUUID } from 'node:crypto';
import type { JsonReply } from '../json-http.js';

/** The local HubSpot's rate limits, per token (HubSpot counts per app). */
export interface LocalRateLimit {
  /** Requests allowed in any rolling `intervalMs`. */
  readonly max: number;
  readonly intervalMs: number;
  /** Requests allowed per "day" (the server's lifetime). @default unlimited */
  readonly daily?: number;
  /** Send `Retry-After` with a 429 (HubSpot documents it only for other statuses). @default false */
  readonly retryAfter?: boolean;
}

/** HubSpot's Free and Starter burst limit: 100 requests per rolling 10 seconds. */
export const DEFAULT_LOCAL_RATE_LIMIT: LocalRateLimit = { max: 100, intervalMs: 10_000 };

interface Usage {
  readonly starts: number[];
  day: number;
}

/** What one request is answered with, as far as rate limits go. */
export interface Admission {
  /** `X-HubSpot-RateLimit-*` and `X-HubSpot-Correlation-Id`, sent with every answer. */
  readonly headers: Readonly<Record<string, string>>;
  /** The 429 to answer instead, when the request is over a limit. */
  readonly rejection?: JsonReply;
}

/**
 * HubSpot's rate limiting as its answers show it: a rolling window per token (a 1-second window is
 * HubSpot's `SECONDLY` policy, anything longer `TEN_SECONDLY_ROLLING`), an optional daily quota,
 * headers on every answer, and 429s with `errorType: RATE_LIMIT` and the `policyName`. Rejected
 * requests do not count.
 */
export class RateLimits {
  private readonly usage = new Map<string, Usage>();

  constructor(
    private readonly limit: LocalRateLimit,
    private readonly now: () => number,
  ) {}

  admit(token: string): Admission {
    const now = this.now();
    let usage = this.usage.get(token);
    if (usage === undefined) this.usage.set(token, (usage = { starts: [], day: 0 }));
    const { max, intervalMs, daily } = this.limit;
    while (usage.starts.length > 0 && (usage.starts[0] ?? 0) <= now - intervalMs) usage.starts.shift();
    const overDaily = daily !== undefined && usage.day >= daily;
    const overWindow = usage.starts.length >= max;
    if (!overDaily && !overWindow) {
      usage.starts.push(now);
      usage.day += 1;
    }
    const headers = this.headers(usage, now);
    if (!overDaily && !overWindow) return { headers };
    const policy = overDaily ? 'DAILY' : intervalMs <= 1_000 ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING';
    const waitMs = overDaily ? 86_400_000 : (usage.starts[0] ?? now) + intervalMs - now;
    const rejection: JsonReply = {
      status: 429,
      headers:
        this.limit.retryAfter === true
          ? { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) }
          : {},
      body: {
        status: 'error',
        message: `You have reached your ${policy === 'DAILY' ? 'daily' : policy.toLowerCase()} limit.`,
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: policy,
        groupName: `publicapi:private-app-api-calls-${policy.toLowerCase()}:local`,
      },
    };
    return { headers, rejection };
  }

  private headers(usage: Usage, now: number): Record<string, string> {
    const { max, intervalMs, daily } = this.limit;
    const lastSecond = usage.starts.filter((start) => start > now - 1_000).length;
    const secondly = Math.max(1, Math.round((max * 1_000) / intervalMs));
    return {
      'x-hubspot-ratelimit-max': String(max),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, max - usage.starts.length)),
      'x-hubspot-ratelimit-interval-milliseconds': String(intervalMs),
      'x-hubspot-ratelimit-secondly': String(secondly),
      'x-hubspot-ratelimit-secondly-remaining': String(Math.max(0, secondly - lastSecond)),
      ...(daily === undefined
        ? {}
        : {
            'x-hubspot-ratelimit-daily': String(daily),
            'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, daily - usage.day)),
          }),
      'x-hubspot-correlation-id': randomUUID(),
    };
  }
}
