import type { TargetDefinition } from '../document/config.js';
import { DEFAULT_TIMEOUT_MS } from './http-client.js';
import { createHttpTarget } from './http.js';
import { createHubSpotTarget } from './hubspot.js';
import type { SecretProvider } from './secrets.js';
import type { Target, TargetFactory } from './target.js';

export interface TargetFactoryOptions {
  /** Where `secret` tokens come from (Secrets Manager in Lambda). */
  readonly secrets: SecretProvider;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
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
    fetch: options.fetch,
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
