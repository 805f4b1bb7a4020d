import type { TargetDefinition } from '../document/config.js';
import type { TargetAddressRange } from '../document/target-address.js';
import { createGuardedTransport, type AddressLookup, type FetchLike } from './guarded-transport.js';
import { DEFAULT_TIMEOUT_MS } from './http-client.js';
import { createHttpTarget } from './http.js';
import { createHubSpotTarget } from './hubspot/target.js';
import { HUBSPOT_DEFAULT_BASE_URL } from './hubspot/objects.js';
import { HUBSPOT_DEFAULT_RATE_LIMIT } from './hubspot/rate-limit.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import type { SecretProvider } from './secrets.js';
import { sleep } from './sleep.js';
import type { Target, TargetFactory } from './target.js';

export interface TargetFactoryOptions {
  /** Where `secret` tokens come from (Secrets Manager in Lambda). */
  readonly secrets: SecretProvider;
  /**
   * Address ranges targets may reach on top of public addresses (`ALLOW_TARGET_ADDRESSES`): checked
   * on every connection, after DNS resolution. @default none
   */
  readonly allowTargetAddresses?: readonly TargetAddressRange[];
  /** Resolves target host names (tests pass their own). @default the system resolver */
  readonly lookup?: AddressLookup;
  /**
   * Sends the requests instead of the guarded transport: for tests that fake the network. The
   * network guard is then the caller's business. @default a guarded transport (see above)
   */
  readonly fetch?: FetchLike;
  /** @default `flow-worker/<version>` */
  readonly userAgent?: string;
  /** Per-request timeout for targets without `timeout_ms`. @default 10_000 */
  readonly defaultTimeoutMs?: number;
  /** Clock for `Retry-After` dates and the rate limiters. @default Date.now */
  readonly now?: () => number;
  /**
   * How many requests this container may send to one HubSpot app (one `secret` at one `base_url`)
   * in a rolling window: its share of the app's budget (see docs/targets.md, "Rate limits").
   * @default 100 per 10 s, HubSpot's smallest burst limit
   */
  readonly hubspotRateLimit?: RateLimit;
  /** Jitter of rate-limit pauses. @default Math.random */
  readonly random?: () => number;
  /** Waits of the rate limiters. @default a `setTimeout` that stops early on abort */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Most inputs in one HubSpot batch call (1 sends every record on its own). @default 100 */
  readonly hubspotMaxBatchSize?: number;
}

/**
 * Builds the real targets (`hubspot`, `http`) from config definitions. Pass it to `compileConfig`:
 * targets are built once per config version and reuse the process's connection pool and token cache.
 * Create one factory per container: it owns the container's HubSpot rate limiters, one per HubSpot
 * app (`base_url` + `secret`), which outlive config versions (a recompiled config keeps its limiter).
 *
 * @example
 * const targetFactory = createTargetFactory({
 *   secrets: createSecretsManagerProvider({ client: new SecretsManagerClient({}) }),
 * });
 */
export function createTargetFactory(options: TargetFactoryOptions): TargetFactory {
  const shared = {
    secrets: options.secrets,
    // One transport for every target of the factory: one connection pool, one guard.
    fetch:
      options.fetch ??
      createGuardedTransport({
        ...(options.allowTargetAddresses === undefined
          ? {}
          : { allowTargetAddresses: options.allowTargetAddresses }),
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      }),
    userAgent: options.userAgent,
    now: options.now,
    defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const limiters = new Map<string, RateLimiter>();
  const limiterFor = (baseUrl: string, secret: string): RateLimiter => {
    const key = JSON.stringify([baseUrl, secret]);
    let limiter = limiters.get(key);
    if (limiter === undefined) {
      limiter = new RateLimiter({
        limit: options.hubspotRateLimit ?? HUBSPOT_DEFAULT_RATE_LIMIT,
        sleep: options.sleep ?? sleep,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      limiters.set(key, limiter);
    }
    return limiter;
  };
  return (definition: TargetDefinition): Target => {
    switch (definition.kind) {
      case 'hubspot':
        return createHubSpotTarget(definition, {
          ...shared,
          limiter: limiterFor(definition.base_url ?? HUBSPOT_DEFAULT_BASE_URL, definition.secret),
          ...(options.random === undefined ? {} : { random: options.random }),
          ...(options.hubspotMaxBatchSize === undefined ? {} : { maxBatchSize: options.hubspotMaxBatchSize }),
        });
      case 'http':
        return createHttpTarget(definition, shared);
    }
  };
}
