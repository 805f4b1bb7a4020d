import type { RateLimit } from '../rate-limiter.js';

/**
 * HubSpot's smallest published burst limit (Free and Starter accounts: 100 requests per rolling
 * 10 seconds per app; Professional and Enterprise allow 190). A container that was told no share
 * of its own uses this whole budget.
 *
 * A module of its own, with no imports: the handler reads it at init, and the HubSpot client code
 * (with `node:http`) must not load before the first config is compiled.
 */
export const HUBSPOT_DEFAULT_RATE_LIMIT: RateLimit = { requests: 100, intervalMs: 10_000 };
