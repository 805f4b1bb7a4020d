import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigManifest } from '../document/manifest.js';
import { isPlainObject } from '../document/json.js';
import { StoredConfigUnreadableError } from '../errors.js';
import { STORAGE, headKey } from './layout.js';
import { readBlob, type ConfigTable } from './read.js';

/**
 * Creates a table keyed by `connector_id` (a string), on-demand, for local runs and tests; an
 * existing table is left alone. Production tables come from the CDK stack. The config table and
 * the manifests table have this same key.
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

/** Creates the manifests table (the same key as the config table) for local runs and tests. */
export const createManifestsTable = createConfigTable;

/** A connector's manifest item as read: the version it projects and the manifest. */
export interface StoredManifest {
  readonly version: number;
  readonly manifest: ConfigManifest;
}

function isManifest(value: unknown): value is ConfigManifest {
  return isPlainObject(value) && Array.isArray(value.event_flow_manifests);
}

/**
 * Reads a connector's manifest from the manifests table (what producers and dashboards read):
 * the `manifest` map, or its chunks when it was too large to inline. `undefined` when none.
 * @example
 * const stored = await readManifest({ client, tableName: manifestsTableName }, 'acme');
 */
export async function readManifest(
  manifests: ConfigTable,
  connectorId: string,
): Promise<StoredManifest | undefined> {
  const { Item } = await manifests.client.send(
    new GetCommand({ TableName: manifests.tableName, Key: headKey(connectorId) }),
  );
  if (Item === undefined) return undefined;
  const version = Number(Item.version);
  if (isManifest(Item.manifest)) return { version, manifest: Item.manifest };
  if (Item.encoding !== STORAGE.encoding) {
    throw new StoredConfigUnreadableError(
      `the manifest item of connector "${connectorId}" in table ${manifests.tableName} has neither a manifest nor chunks`,
    );
  }
  const pointer = {
    connectorId,
    version,
    digest: String(Item.digest),
    size: Number(Item.size),
    chunks: Number(Item.chunks),
  };
  const manifest = await readBlob(manifests, pointer);
  if (isManifest(manifest)) return { version, manifest };
  throw new StoredConfigUnreadableError(
    `the manifest of connector "${connectorId}" in table ${manifests.tableName} is not a manifest`,
  );
}
