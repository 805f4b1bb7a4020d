import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectorConfig } from '../document/config.js';
import { CONFIG_LIMITS, checkConfigLimits, nestingDepth, storageProblems } from '../document/limits.js';
import { validateConfig, type ValidationOptions } from '../document/validate.js';
import {
  ConfigTooLargeError,
  ConfigValidationError,
  ConfigVersionConflictError,
  RetryableError,
} from '../errors.js';
import { isPlainObject } from '../document/json.js';
import { deleteVersions, keepSingleItem, writeChunks, type Prepared } from './chunks.js';
import { encodeJson, type EncodedDocument } from './codec.js';
import { STORAGE, headKey, versionsKey, type VersionEntry } from './layout.js';
import { readConnectorState, type ConfigTable, type ConnectorState } from './read.js';

export interface PublishOptions extends ValidationOptions {
  /** Clock for `published_at`. @default Date.now */
  readonly now?: () => number;
  /** The manifests table: the connector's manifest item is written in the same transaction as the config. */
  readonly manifests?: ConfigTable;
}

export interface PublishResult {
  readonly connectorId: string;
  readonly version: number;
  readonly publishedAt: string;
  /** What the version takes in the config table. */
  readonly stored: {
    readonly jsonBytes: number;
    readonly compressedBytes: number;
    readonly chunks: number;
    /** The compressed document is also in the head item (one read for a new version). */
    readonly inline: boolean;
  };
  /** Older versions no longer retained, whose items this publish deleted. */
  readonly pruned: readonly number[];
  /** Why some items of pruned versions could not be deleted (they are left behind, unreferenced). */
  readonly pruneError?: string;
}

/** Head writes that lose a race to a publish of an older version are retried this many times. */
const ATTEMPTS = 4;
/** The wait before the second attempt; it grows by this much each time. */
const RETRY_PAUSE_MS = 50;

/**
 * Checks a document the way `flow-worker validate` does: limits, storage rules, then the schema and
 * cross-field rules.
 * @throws ConfigTooLargeError naming the connector, the size and the limit; ConfigValidationError.
 */
export function validateForPublish(
  document: unknown,
  jsonBytes: number,
  options: ValidationOptions = {},
): ConnectorConfig {
  const connectorId =
    isPlainObject(document) && typeof document.connector_id === 'string' ? document.connector_id : '?';
  const [overLimit] = checkConfigLimits(document, jsonBytes).filter((f) => f.level === 'error');
  if (overLimit !== undefined) throw new ConfigTooLargeError(connectorId, overLimit);
  const keyProblems = storageProblems(document);
  try {
    const config = validateConfig(document, { allowTargetAddresses: options.allowTargetAddresses ?? [] });
    if (keyProblems.length > 0)
      throw new ConfigValidationError(keyProblems, { context: { connector: connectorId } });
    return config;
  } catch (error) {
    if (
      !(error instanceof ConfigValidationError) ||
      keyProblems.length === 0 ||
      error.problems === keyProblems
    )
      throw error;
    throw new ConfigValidationError([...keyProblems, ...error.problems], { context: error.context });
  }
}

/**
 * Validates a config document and publishes it as the connector's new version, only if the stored
 * version is older (or there is none), so two publishers never lose an update silently. The
 * document is stored as given (`x-*` annotations kept), gzip-compressed and in chunk items written
 * first; then one transaction points the head item at them, updates the versions item and, with
 * `manifests`, writes the manifest item. A reader sees the old version or the new one, whole.
 * Versions beyond {@link STORAGE.retainedVersions} are deleted afterwards.
 *
 * @throws ConfigTooLargeError, ConfigValidationError (every problem), ConfigVersionConflictError.
 * @example
 * await publishConfig({ client, tableName: 'flow-worker-config' }, document, { manifests });
 */
export async function publishConfig(
  table: ConfigTable,
  document: unknown,
  options: PublishOptions = {},
): Promise<PublishResult> {
  // A document nested beyond the limit is refused by its depth before it is ever serialised.
  const json = nestingDepth(document) > CONFIG_LIMITS.nestingDepth ? '' : (JSON.stringify(document) ?? '');
  const config = validateForPublish(document, Buffer.byteLength(json), options);
  return storeVersion(table, config, await encodeJson(json), options);
}

interface Commit {
  readonly table: ConfigTable;
  readonly connectorId: string;
  /** The head's version when the state was read; the head is replaced only if it is still that. */
  readonly stored: number | undefined;
  readonly encoded: EncodedDocument;
  readonly prepared: Prepared;
  readonly retained: readonly VersionEntry[];
  readonly manifests: ConfigTable | undefined;
}

/** The one transaction that makes a version current: head, versions item, manifest item. */
function transaction(commit: Commit): TransactWriteCommand {
  const { table, connectorId, stored, encoded, prepared, retained, manifests } = commit;
  const { entry } = prepared;
  const head = {
    ...headKey(connectorId),
    version: entry.version,
    published_at: entry.published_at,
    encoding: STORAGE.encoding,
    digest: entry.digest,
    size: entry.size,
    chunks: entry.chunks,
    ...(encoded.size <= STORAGE.inlineBytes ? { data: encoded.bytes } : {}),
  };
  const guard =
    stored === undefined
      ? { ConditionExpression: 'attribute_not_exists(connector_id)' }
      : {
          ConditionExpression: '#version = :stored',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':stored': stored },
        };
  const manifestPut =
    manifests === undefined || prepared.manifest === undefined
      ? []
      : [{ Put: { TableName: manifests.tableName, Item: prepared.manifest } }];
  return new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: table.tableName, Item: head, ...guard } },
      { Put: { TableName: table.tableName, Item: { ...versionsKey(connectorId), versions: retained } } },
      ...manifestPut,
    ],
  });
}

/** Sends the transaction; `false` when the head moved since it was read (or a transaction overlapped). */
async function commitVersion(commit: Commit): Promise<boolean> {
  try {
    await commit.table.client.send(transaction(commit));
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict'))
      return false;
    throw new RetryableError(
      `publishing connector "${commit.connectorId}" to table ${commit.table.tableName} was cancelled (${codes.join(', ')})`,
      { cause: error, context: { connector: commit.connectorId } },
    );
  }
}

/** Versions newest first, one entry per version. */
function newestFirst(entries: readonly VersionEntry[]): VersionEntry[] {
  const seen = new Set<number>();
  return [...entries]
    .sort((a, b) => b.version - a.version)
    .filter((entry) => !seen.has(entry.version) && seen.add(entry.version));
}

/** After a lost race: removes this publish's chunks unless a stored version uses the very same items. */
async function discard(commit: Omit<Commit, 'stored' | 'retained'>, state: ConnectorState): Promise<void> {
  const { entry } = commit.prepared;
  const same = (e: VersionEntry) => e.version === entry.version && e.digest === entry.digest;
  if (state.entries.some(same)) return;
  await deleteVersions(commit.table, commit.connectorId, [entry], commit.manifests);
}

async function storeVersion(
  table: ConfigTable,
  config: ConnectorConfig,
  encoded: EncodedDocument,
  options: PublishOptions,
): Promise<PublishResult> {
  const connectorId = config.connector_id;
  const publishedAt = new Date((options.now ?? Date.now)()).toISOString();
  const manifests = options.manifests;
  let prepared: Prepared | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    // Another writer touched the head or the same items: give it a moment before reading again.
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * (attempt - 1)));
    const state = await readConnectorState(table, connectorId);
    const stored = state.head?.version;
    if (stored !== undefined && stored >= config.version) {
      if (prepared !== undefined) await discard({ table, connectorId, encoded, prepared, manifests }, state);
      throw new ConfigVersionConflictError(connectorId, config.version, stored);
    }
    prepared ??= await writeChunks(table, config, encoded, manifests, publishedAt);
    const all = newestFirst([prepared.entry, ...(await keepSingleItem(table, state)), ...state.entries]);
    const retained = all.slice(0, STORAGE.retainedVersions);
    const commit = { table, connectorId, stored, encoded, prepared, retained, manifests };
    if (!(await commitVersion(commit))) continue;
    const dropped = all.slice(STORAGE.retainedVersions);
    const pruneError =
      dropped.length === 0 ? undefined : await deleteVersions(table, connectorId, dropped, manifests);
    return {
      connectorId,
      version: config.version,
      publishedAt,
      stored: {
        jsonBytes: encoded.jsonBytes,
        compressedBytes: encoded.size,
        chunks: encoded.chunks.length,
        inline: encoded.size <= STORAGE.inlineBytes,
      },
      pruned: dropped.map((e) => e.version),
      ...(pruneError === undefined ? {} : { pruneError }),
    };
  }
  throw new RetryableError(
    `publishing connector "${connectorId}" to table ${table.tableName}: the head kept moving (${ATTEMPTS} attempts)`,
    { context: { connector: connectorId } },
  );
}
