import type { ConnectorConfig } from '../document/config.js';
import { buildManifest } from '../document/manifest.js';
import { describeError } from '../errors.js';
import { batchDelete, batchPut } from './batch.js';
import { encodeDocument, type EncodedDocument } from './codec.js';
import { STORAGE, chunkKeys, headKey, type BlobPointer, type VersionEntry } from './layout.js';
import type { ConfigTable, ConnectorState } from './read.js';

/**
 * The immutable items of a version: its chunk items in the config table and, for a manifest too
 * large to inline, the manifest's chunk items in the manifests table. Written before any head
 * names them, deleted once no versions item does.
 */

/** Puts a stored document's chunk items. */
function putChunks(table: ConfigTable, pointer: BlobPointer, chunks: readonly Uint8Array[]): Promise<number> {
  return batchPut(
    table,
    chunkKeys(pointer).map((key, i) => ({ ...key, data: chunks[i] })),
  );
}

function entryOf(version: number, publishedAt: string, encoded: EncodedDocument): VersionEntry {
  return {
    version,
    published_at: publishedAt,
    digest: encoded.digest,
    size: encoded.size,
    chunks: encoded.chunks.length,
  };
}

/** A version's immutable items are written: its entry for the versions item, and its manifest item. */
export interface Prepared {
  readonly entry: VersionEntry;
  /** The manifest item to put with the head, when there is a manifests table. */
  readonly manifest: Record<string, unknown> | undefined;
}

/** Writes the chunk items of a version (config, and manifest when it is too large to inline). */
export async function writeChunks(
  table: ConfigTable,
  config: ConnectorConfig,
  encoded: EncodedDocument,
  manifests: ConfigTable | undefined,
  publishedAt: string,
): Promise<Prepared> {
  const connectorId = config.connector_id;
  const entry = entryOf(config.version, publishedAt, encoded);
  await putChunks(table, { connectorId, ...entry }, encoded.chunks);
  if (manifests === undefined) return { entry, manifest: undefined };
  const manifest = buildManifest(config);
  const item = { ...headKey(connectorId), version: config.version };
  if (Buffer.byteLength(JSON.stringify(manifest)) <= STORAGE.manifestInlineBytes) {
    return { entry, manifest: { ...item, manifest } };
  }
  const packed = await encodeDocument(manifest);
  const pointer = { digest: packed.digest, size: packed.size, chunks: packed.chunks.length };
  await putChunks(manifests, { connectorId, version: config.version, ...pointer }, packed.chunks);
  return {
    entry: { ...entry, manifest: pointer },
    manifest: { ...item, encoding: STORAGE.encoding, ...pointer },
  };
}

/** Stores a single-item head's document as chunks, so it stays in the history once replaced. */
export async function keepSingleItem(table: ConfigTable, state: ConnectorState): Promise<VersionEntry[]> {
  const single = state.singleItem;
  if (single === undefined) return [];
  const encoded = await encodeDocument(single.config);
  const entry = entryOf(single.version, single.published_at, encoded);
  await putChunks(table, { connectorId: single.connector_id, ...entry }, encoded.chunks);
  return [entry];
}

/** Deletes the chunk items of versions; manifest chunks too when the manifests table is known. */
export async function deleteVersions(
  table: ConfigTable,
  connectorId: string,
  entries: readonly VersionEntry[],
  manifests: ConfigTable | undefined,
): Promise<string | undefined> {
  try {
    const pointer = (e: { digest: string; size: number; chunks: number }, version: number) =>
      chunkKeys({ connectorId, version, ...e });
    await batchDelete(
      table,
      entries.flatMap((e) => pointer(e, e.version)),
    );
    const withManifest = entries.filter((e) => e.manifest !== undefined);
    if (manifests !== undefined) {
      await batchDelete(
        manifests,
        withManifest.flatMap((e) => (e.manifest ? pointer(e.manifest, e.version) : [])),
      );
    } else if (withManifest.length > 0) {
      return `manifest chunks of version ${withManifest.map((e) => e.version).join(', ')} were left in the manifests table (not given)`;
    }
    return undefined;
  } catch (error) {
    return describeError(error).message;
  }
}
