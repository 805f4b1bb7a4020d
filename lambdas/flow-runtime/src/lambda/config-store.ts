import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compileConfig } from '../engine/compile.js';
import type { CompiledConfig } from '../engine/compile.js';
import {
  ConfigNotFoundError,
  ConfigValidationError,
  ConfigVersionConflictError,
  RetryableError,
  describeError,
} from '../errors.js';
import { parseJsonExact } from '../document/json.js';
import { ENVIRONMENT_DEFAULTS } from './environment.js';
import { METRICS, countMetric } from './observability.js';
import type { LogSink, MetricSink } from './observability.js';
import type { TargetFactory } from '../targets/target.js';
import type { ValidationOptions } from '../document/validate.js';

/** The config table (layout in docs/deploy.md): one item per connector. */
export interface ConfigTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * An item of the config table, as read. `config` is the document as published (`x-*` kept); it is
 * stored as JSON text (see {@link publishConfig}), and items stored as a map by earlier versions
 * read the same.
 */
export interface ConfigItem {
  readonly connector_id: string;
  readonly version: number;
  readonly config: unknown;
  readonly published_at: string;
}

/** Where the record processor gets a connector's compiled config from. */
export interface ConfigSource {
  /**
   * @throws ConfigNotFoundError (no item), ConfigValidationError (stored config invalid): permanent.
   * @throws RetryableError when DynamoDB fails (throttling, network).
   */
  get(connectorId: string): Promise<CompiledConfig>;
}

export interface ConfigStoreOptions extends ConfigTable, ValidationOptions {
  /** Builds the targets of each compiled config version. */
  readonly targetFactory: TargetFactory;
  /** How long a read stays fresh. @default 30 (`CONFIG_CACHE_TTL_SECONDS`) */
  readonly ttlSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly logger?: LogSink;
  /** Receives `ConfigCacheHits` / `ConfigCacheMisses` / `InvalidStoredConfig`. */
  readonly metrics?: MetricSink;
}

/**
 * Config validation loads zod and the config schema: about a third of the handler's import time
 * (docs/performance.md), needed only when a config version is compiled or published. Loaded on
 * first use; the bundle keeps it, evaluated then.
 */
const loadValidation = () => import('../document/validate.js');

/** How long "no published config" is remembered: long enough to cover one batch, short enough for a fresh publish. */
export const NOT_FOUND_TTL_MS = 2_000;

interface CacheEntry {
  readonly expiresAt: number;
  readonly config: Promise<CompiledConfig>;
}

/**
 * A read-through, per-connector cache of compiled configs.
 *
 * - A read stays fresh for `ttlSeconds`; every `get` inside that window is a cache hit.
 * - Concurrent `get`s of one connector share one `GetItem` (the in-flight read is the cache entry),
 *   so a batch never reads a connector twice.
 * - A config is validated and compiled once per (connector, version): a refresh that finds the
 *   same version reuses the compiled one.
 * - "Stored config invalid" is cached for the TTL too (permanent until a publish). "No item" is
 *   cached for at most {@link NOT_FOUND_TTL_MS}: a connector published moments ago must not have
 *   its first messages dead-lettered for a whole TTL. DynamoDB failures are not cached, so the
 *   next record tries again.
 */
export function createConfigStore(options: ConfigStoreOptions): ConfigSource {
  const ttlMs = (options.ttlSeconds ?? ENVIRONMENT_DEFAULTS.CONFIG_CACHE_TTL_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const compiled = new Map<string, CompiledConfig>();

  const load = async (connectorId: string): Promise<CompiledConfig> => {
    const item = await readConfigItem(options, connectorId);
    if (item === undefined) {
      throw new ConfigNotFoundError(
        `no published config for connector "${connectorId}" in table ${options.tableName}; publish one (flow-worker publish) and redrive the message`,
        { context: { connector: connectorId } },
      );
    }
    const previous = compiled.get(connectorId);
    if (previous !== undefined && previous.version === item.version) return previous;
    const next = await compileItem(connectorId, item, options);
    compiled.set(connectorId, next);
    return next;
  };

  return {
    get(connectorId) {
      const at = now();
      const entry = cache.get(connectorId);
      if (entry !== undefined && at < entry.expiresAt) {
        if (options.metrics) countMetric(options.metrics, METRICS.configCacheHits);
        return entry.config;
      }
      if (options.metrics) countMetric(options.metrics, METRICS.configCacheMisses);
      const config = load(connectorId);
      const fresh: CacheEntry = { expiresAt: at + ttlMs, config };
      cache.set(connectorId, fresh);
      config.catch((error: unknown) => {
        if (cache.get(connectorId) !== fresh) return;
        if (error instanceof RetryableError) cache.delete(connectorId);
        else if (error instanceof ConfigNotFoundError) {
          cache.set(connectorId, { config, expiresAt: Math.min(fresh.expiresAt, at + NOT_FOUND_TTL_MS) });
        }
      });
      return config;
    },
  };
}

async function compileItem(
  connectorId: string,
  item: ConfigItem,
  options: ConfigStoreOptions,
): Promise<CompiledConfig> {
  const { validateConfig } = await loadValidation();
  try {
    const validation = { allowTargetAddresses: options.allowTargetAddresses ?? [] };
    return compileConfig(validateConfig(item.config, validation), { targetFactory: options.targetFactory });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      // Loud: every message of this connector is dead-lettered until a valid version is published.
      options.logger?.error('stored connector config is invalid; its messages are dead-lettered', {
        connector: connectorId,
        version: item.version,
        problems: error.problems,
      });
      if (options.metrics) countMetric(options.metrics, METRICS.invalidStoredConfig);
      throw new ConfigValidationError(error.problems, {
        cause: error,
        context: { connector: connectorId, version: item.version },
      });
    }
    throw error;
  }
}

/** Reads a connector's stored item as is (no validation); `undefined` when none. */
export async function readConfigItem(
  table: ConfigTable,
  connectorId: string,
): Promise<ConfigItem | undefined> {
  try {
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: { connector_id: connectorId } }),
    );
    if (Item === undefined) return undefined;
    const stored = Item as ConfigItem;
    return typeof stored.config === 'string' ? { ...stored, config: parseJsonExact(stored.config) } : stored;
  } catch (error) {
    // Throttling, network, a missing table: let SQS redeliver rather than dead-letter good messages.
    const { name } = describeError(error);
    throw new RetryableError(
      `reading the config of connector "${connectorId}" from table ${table.tableName} failed (${name})`,
      { cause: error, context: { connector: connectorId } },
    );
  }
}

export interface PublishOptions extends ValidationOptions {
  /** Clock for `published_at`. @default Date.now */
  readonly now?: () => number;
}

export interface PublishResult {
  readonly connectorId: string;
  readonly version: number;
  readonly publishedAt: string;
}

/**
 * Validates a config document and writes it as the connector's published config, only if the
 * stored version is older (or there is none), so two publishers never lose an update silently.
 * The document is stored as given, so `x-*` annotations survive, and as JSON text: DynamoDB's
 * document marshalling cannot store every JSON object (a key `constructor` makes it throw "Unsupported
 * type", a key `__proto__` is lost), and what validates must be what is published and run.
 *
 * @throws ConfigValidationError listing every problem.
 * @throws ConfigVersionConflictError when the stored version is the same or newer.
 * @example
 * await publishConfig({ client, tableName: 'flow-worker-config' }, document);
 */
export async function publishConfig(
  table: ConfigTable,
  document: unknown,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { validateConfig } = await loadValidation();
  const config = validateConfig(document, { allowTargetAddresses: options.allowTargetAddresses ?? [] });
  const publishedAt = new Date((options.now ?? Date.now)()).toISOString();
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          connector_id: config.connector_id,
          version: config.version,
          config: JSON.stringify(document),
          published_at: publishedAt,
        },
        ConditionExpression: 'attribute_not_exists(connector_id) OR #version < :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': config.version },
      }),
    );
  } catch (error) {
    if (describeError(error).name !== 'ConditionalCheckFailedException') throw error;
    const stored = await readConfigItem(table, config.connector_id);
    throw new ConfigVersionConflictError(config.connector_id, config.version, stored?.version);
  }
  return { connectorId: config.connector_id, version: config.version, publishedAt };
}

/**
 * Creates the config table (on-demand billing) for local runs and tests; an existing table is
 * left alone. Production tables come from the CDK stack.
 */
export async function createConfigTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'connector_id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'connector_id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
