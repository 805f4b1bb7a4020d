import type { TargetDefinition } from '../document/config.js';
import type { TargetAddressRange } from '../document/target-address.js';
import { createGuardedTransport, type AddressLookup, type FetchLike } from './guarded-transport.js';
import { DEFAULT_TIMEOUT_MS } from './http-client.js';
import { createHttpTarget } from './http.js';
import { createHubSpotTarget } from './hubspot.js';
import type { SecretProvider } from './secrets.js';
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
  /** Clock for `Retry-After` dates. @default Date.now */
  readonly now?: () => number;
}

/**
 * Builds the real targets (`hubspot`, `http`) from config definitions. Pass it to `compileConfig`:
 * targets are built once per config version and reuse the process's connection pool and token cache.
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
  return (definition: TargetDefinition): Target => {
    switch (definition.kind) {
      case 'hubspot':
        return createHubSpotTarget(definition, shared);
      case 'http':
        return createHttpTarget(definition, shared);
    }
  };
}
