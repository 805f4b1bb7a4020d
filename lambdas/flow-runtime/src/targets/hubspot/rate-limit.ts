import { isPlainObject } from '../../document/json.js';
import type { HttpResponse } from '../http-client.js';
import { parseRetryAfter } from '../http-client.js';
import type { RateLimiter } from '../rate-limiter.js';

export { HUBSPOT_DEFAULT_RATE_LIMIT } from './default-rate-limit.js';

/** Once less than this fraction of the app's window is left, calls are spaced at its average rate. */
const LOW_WATER = 0.1;

/**
 * How long a 429 pauses the target when it carries no `Retry-After`, by its `policyName` (the
 * waits HubSpot's own client uses; a daily limit is only tested again a minute later).
 */
const POLICY_PAUSE_MS: Readonly<Record<string, number>> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 10_000,
  DAILY: 60_000,
};

function headerNumber(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** The `policyName` of a 429 body (`TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`), if any. */
export function rateLimitPolicy(response: HttpResponse): string | undefined {
  return isPlainObject(response.body) && typeof response.body.policyName === 'string'
    ? response.body.policyName
    : undefined;
}

/** How long a 429 asks every caller to hold off, before jitter. */
function pauseAfter429Ms(response: HttpResponse, now: number): number {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter * 1000;
  const policy = rateLimitPolicy(response);
  if (policy !== undefined && Object.hasOwn(POLICY_PAUSE_MS, policy)) return POLICY_PAUSE_MS[policy] ?? 0;
  return headerNumber(response.headers, 'x-hubspot-ratelimit-interval-milliseconds') ?? 10_000;
}

/**
 * Feeds one HubSpot response to the target's limiter:
 *
 * - `X-HubSpot-RateLimit-Remaining` / `-Max` / `-Interval-Milliseconds` describe the app's shared
 *   rolling window (every container and every other client of the app counts in it): below 10 %
 *   left, calls are spaced one average slot (`interval / max`) apart; with nothing left, the
 *   target pauses for one interval (every call now in the window has left it by then), plus up to
 *   half again of jitter so containers do not resume together;
 * - a 429 pauses the target for `Retry-After`, else by the body's `policyName`, plus up to half
 *   again of jitter.
 *
 * The headers are optional (HubSpot omits them when it cannot compute them): without them only the
 * container's own share applies.
 */
export function observeHubSpotResponse(
  limiter: RateLimiter,
  response: HttpResponse,
  random: () => number,
  now: number,
): void {
  const { headers } = response;
  const max = headerNumber(headers, 'x-hubspot-ratelimit-max');
  const remaining = headerNumber(headers, 'x-hubspot-ratelimit-remaining');
  const interval = headerNumber(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  if (max !== undefined && max > 0 && remaining !== undefined && interval !== undefined && interval > 0) {
    const slotMs = interval / max;
    limiter.spaceBy(remaining < max * LOW_WATER ? slotMs : 0);
    if (remaining <= 0) limiter.pauseFor(interval * (1 + random() / 2));
  }
  if (response.status === 429) limiter.pauseFor(pauseAfter429Ms(response, now) * (1 + random() / 2));
}

/** A 429's wait for the record's retry: until the target's pause ends (at least a second). */
export function hubspotRetryAfterSeconds(limiter: RateLimiter, response: HttpResponse): number | undefined {
  if (response.status !== 429) return undefined;
  return Math.max(1, Math.ceil(limiter.pauseRemainingMs() / 1000));
}
