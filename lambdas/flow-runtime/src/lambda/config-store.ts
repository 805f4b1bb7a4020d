import type { CompiledConfig } from '../engine/compile.js';
import { ConfigNotFoundError, ConfigValidationError, RetryableError } from '../errors.js';
import { readHead, readHeadDocument, type ConfigTable } from '../store/read.js';
import type { StoredHead } from '../store/layout.js';
import { ENVIRONMENT_DEFAULTS } from './environment.js';
import { METRICS, countMetric } from './observability.js';
import type { LogSink, MetricSink } from './observability.js';
import type { TargetFactory } from '../targets/target.js';
import type { ValidationOptions } from '../document/validate.js';

/** Where the record processor gets a connector's compiled config from. */
export interface ConfigSource {
  /**
   * @throws ConfigNotFoundError (no item), ConfigValidationError (stored config invalid): permanent.
   * @throws RetryableError when DynamoDB fails (throttling, network).
   */
  get(connectorId: string): CompiledConfig | Promise<CompiledConfig>;
}

/** A target factory loaded when the first config is compiled (the handler's: see `bootstrap.ts`). */
export interface LazyTargetFactory {
  /** Called for every compile; answers the same factory every time. */
  load(): Promise<TargetFactory>;
}

export interface ConfigStoreOptions extends ConfigTable, ValidationOptions {
  /** Builds the targets of each compiled config version. */
  readonly targetFactory: TargetFactory | LazyTargetFactory;
  /** How long a read stays fresh. @default 30 (`CONFIG_CACHE_TTL_SECONDS`) */
  readonly ttlSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly logger?: LogSink;
  /** Receives `ConfigCacheHits` / `ConfigCacheMisses` / `InvalidStoredConfig`. */
  readonly metrics?: MetricSink;
}

/**
 * Validating and compiling a config (zod, the config schema, the expression compiler, the steps)
 * is needed only when a config version is compiled: loaded then. In the deployed bundle these are
 * chunks of their own that a cold start does not read (docs/performance.md, cold start).
 */
const loadCompiler = () =>
  Promise.all([import('../document/validate.js'), import('../engine/compile.js')]).then(
    ([{ validateConfig }, { compileConfig }]) => ({ validateConfig, compileConfig }),
  );

function targetFactoryOf(option: TargetFactory | LazyTargetFactory): TargetFactory | Promise<TargetFactory> {
  return typeof option === 'function' ? option : option.load();
}

/** How long "no published config" is remembered: long enough to cover one batch, short enough for a fresh publish. */
export const NOT_FOUND_TTL_MS = 2_000;

interface CacheEntry {
  readonly expiresAt: number;
  readonly config: Promise<CompiledConfig>;
  /** The loaded config, once `config` has resolved: a hit then answers without a promise. */
  loaded?: CompiledConfig;
}

/**
 * A read-through, per-connector cache of compiled configs.
 *
 * - A read stays fresh for `ttlSeconds`; every `get` inside that window is a cache hit.
 * - Concurrent `get`s of one connector share one read (the in-flight read is the cache entry), so
 *   a batch never reads a connector twice.
 * - A read is one `GetItem` of the head item. Only a version it does not hold yet costs more: its
 *   chunk items (`store/read.ts`), then validation and compilation, once per (connector, version,
 *   digest). A refresh that finds the same version reuses the compiled one.
 * - "Stored config invalid" is cached for the TTL too (permanent until a publish). "No item" is
 *   cached for at most {@link NOT_FOUND_TTL_MS}: a connector published moments ago must not have
 *   its first messages dead-lettered for a whole TTL. DynamoDB failures are not cached, so the
 *   next record tries again.
 */
export function createConfigStore(options: ConfigStoreOptions): ConfigSource {
  const ttlMs = (options.ttlSeconds ?? ENVIRONMENT_DEFAULTS.CONFIG_CACHE_TTL_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const compiled = new Map<string, { readonly identity: string; readonly config: CompiledConfig }>();

  const load = async (connectorId: string): Promise<CompiledConfig> => {
    const head = await readHead(options, connectorId);
    if (head === undefined) {
      throw new ConfigNotFoundError(
        `no published config for connector "${connectorId}" in table ${options.tableName}; publish one (flow-worker publish) and redrive the message`,
        { context: { connector: connectorId } },
      );
    }
    // The head names the version (and, in the current layout, its digest): an unchanged one is
    // reused without reading or compiling anything more.
    const previous = compiled.get(connectorId);
    if (previous !== undefined && previous.identity === identityOf(head)) return previous.config;
    const document = await readHeadDocument(options, head);
    const next = await compileDocument(connectorId, head.version, document, options);
    compiled.set(connectorId, { identity: identityOf(head), config: next });
    return next;
  };

  return {
    get(connectorId) {
      const at = now();
      const entry = cache.get(connectorId);
      if (entry !== undefined && at < entry.expiresAt) {
        if (options.metrics) countMetric(options.metrics, METRICS.configCacheHits);
        return entry.loaded ?? entry.config;
      }
      if (options.metrics) countMetric(options.metrics, METRICS.configCacheMisses);
      const config = load(connectorId);
      const fresh: CacheEntry = { expiresAt: at + ttlMs, config };
      cache.set(connectorId, fresh);
      config.then(
        (loaded) => {
          fresh.loaded = loaded;
        },
        (error: unknown) => {
          if (cache.get(connectorId) !== fresh) return;
          if (error instanceof RetryableError) cache.delete(connectorId);
          else if (error instanceof ConfigNotFoundError) {
            cache.set(connectorId, { config, expiresAt: Math.min(fresh.expiresAt, at + NOT_FOUND_TTL_MS) });
          }
        },
      );
      return config;
    },
  };
}

/** What makes two reads the same stored version: its number, and its digest when it has one. */
function identityOf(head: StoredHead): string {
  return head.layout === 'chunked' ? `${head.version}:${head.digest}` : String(head.version);
}

async function compileDocument(
  connectorId: string,
  version: number,
  document: unknown,
  options: ConfigStoreOptions,
): Promise<CompiledConfig> {
  const [{ validateConfig, compileConfig }, targetFactory] = await Promise.all([
    loadCompiler(),
    targetFactoryOf(options.targetFactory),
  ]);
  try {
    const validation = { allowTargetAddresses: options.allowTargetAddresses ?? [] };
    return compileConfig(validateConfig(document, validation), { targetFactory });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      // Loud: every message of this connector is dead-lettered until a valid version is published.
      options.logger?.error('stored connector config is invalid; its messages are dead-lettered', {
        connector: connectorId,
        version,
        problems: error.problems,
      });
      if (options.metrics) countMetric(options.metrics, METRICS.invalidStoredConfig);
      throw new ConfigValidationError(error.problems, {
        cause: error,
        context: { connector: connectorId, version },
      });
    }
    throw error;
  }
}
