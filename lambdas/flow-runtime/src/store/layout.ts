import { KEY_SEPARATOR } from '../document/limits.js';

/**
 * The layout of the config table and the manifests table: the one module that defines their
 * items. docs/deploy.md ("The config table layout") describes the same for other writers, such as
 * an outbox dispatcher. Both tables have one key, the partition key `connector_id` (a string).
 *
 * Config table, per connector:
 * - the **head** item, key `<connector_id>`: the published version. Either the current layout
 *   (`encoding`, `digest`, `size`, `chunks`, and `data` when small enough to inline), or the
 *   single-item layout of earlier releases (`config`, the document as a map), still read.
 * - **chunk** items, key `<connector_id>#v<version>#<digest>#<index>`: the gzip-compressed
 *   document, cut into pieces of at most {@link STORAGE.chunkBytes}. Written before the head
 *   points at them and never changed, so a reader that has a head finds exactly its chunks.
 * - the **versions** item, key `<connector_id>#versions`: every retained version, newest first.
 *
 * Manifests table, per connector: the manifest item, key `<connector_id>`, with `manifest` as a
 * map, or (when its JSON is over {@link STORAGE.manifestInlineBytes}) a pointer to chunk items of
 * the manifests table, laid out like the config's.
 */
export const STORAGE = {
  /** The one compression the layout uses: gzip (RFC 1952), readable by every language's stdlib. */
  encoding: 'gzip',
  /** Bytes of compressed document per chunk item; with its key it stays under DynamoDB's 400 KB. */
  chunkBytes: 384 * 1024,
  /**
   * A compressed document this small is also copied into the head item (`data`), so a new
   * version of a typical config costs one read. An unchanged refresh reads the head, at most
   * 16 KB plus a few hundred bytes: 2 read units (eventually consistent), 1 for a head without `data`.
   */
  inlineBytes: 16 * 1024,
  /** A manifest whose JSON is at most this size is stored as a map in its item. */
  manifestInlineBytes: 256 * 1024,
  /** Versions kept readable (history, diff, rollback), the current one included. */
  retainedVersions: 20,
} as const;

/** Suffix of the versions item's key. */
const VERSIONS_SUFFIX = 'versions';

/** The key of a connector's head item (config table) or manifest item (manifests table). */
export function headKey(connectorId: string): { connector_id: string } {
  return { connector_id: connectorId };
}

/** The key of a connector's versions item. */
export function versionsKey(connectorId: string): { connector_id: string } {
  return { connector_id: [connectorId, VERSIONS_SUFFIX].join(KEY_SEPARATOR) };
}

/** Where a stored document is: which connector and version, its digest and how many chunks. */
export interface BlobPointer {
  readonly connectorId: string;
  readonly version: number;
  /** SHA-256 of the compressed bytes, lowercase hex. */
  readonly digest: string;
  /** Compressed bytes. */
  readonly size: number;
  readonly chunks: number;
}

/** The keys of a stored document's chunk items, in order. */
export function chunkKeys(pointer: BlobPointer): { connector_id: string }[] {
  return Array.from({ length: pointer.chunks }, (_, index) => ({
    connector_id: [pointer.connectorId, `v${pointer.version}`, pointer.digest, String(index)].join(
      KEY_SEPARATOR,
    ),
  }));
}

/** A head item of the current layout, as stored. */
export interface HeadItem {
  readonly connector_id: string;
  readonly version: number;
  readonly published_at: string;
  readonly encoding: typeof STORAGE.encoding;
  readonly digest: string;
  readonly size: number;
  readonly chunks: number;
  /** The whole compressed document, when it is at most {@link STORAGE.inlineBytes}. */
  readonly data?: Uint8Array;
}

/** A head item of the single-item layout (earlier releases, or another writer): read, never written. */
export interface SingleItemHead {
  readonly connector_id: string;
  readonly version: number;
  readonly published_at: string;
  readonly config: unknown;
}

/** One entry of the versions item. */
export interface VersionEntry {
  readonly version: number;
  readonly published_at: string;
  readonly digest: string;
  readonly size: number;
  readonly chunks: number;
  /** Where that version's manifest chunks are, when its manifest was too large to inline. */
  readonly manifest?: { readonly digest: string; readonly size: number; readonly chunks: number };
}

export interface VersionsItem {
  readonly connector_id: string;
  /** Newest first, at most {@link STORAGE.retainedVersions}. */
  readonly versions: readonly VersionEntry[];
}

/** A chunk item. */
export interface ChunkItem {
  readonly connector_id: string;
  readonly data: Uint8Array;
}

/** The manifests table's item: `manifest` inline, or a pointer to chunk items of that table. */
export type ManifestItem =
  | { readonly connector_id: string; readonly version: number; readonly manifest: unknown }
  | {
      readonly connector_id: string;
      readonly version: number;
      readonly encoding: typeof STORAGE.encoding;
      readonly digest: string;
      readonly size: number;
      readonly chunks: number;
    };

/** A head as read: the current layout or the single-item one. */
export type StoredHead =
  ({ readonly layout: 'chunked' } & HeadItem) | ({ readonly layout: 'single-item' } & SingleItemHead);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/**
 * Reads a head item as stored, or says what is wrong with it (a reason for the error message).
 * The single-item layout is recognised by its `config` attribute.
 */
export function parseHead(item: Record<string, unknown>): StoredHead | string {
  const { connector_id, version, published_at } = item;
  if (typeof connector_id !== 'string' || !isCount(version)) return 'no connector_id or version';
  const publishedAt = typeof published_at === 'string' ? published_at : '';
  if ('config' in item) {
    return { layout: 'single-item', connector_id, version, published_at: publishedAt, config: item.config };
  }
  const { encoding, digest, size, chunks, data } = item;
  if (encoding !== STORAGE.encoding)
    return `encoding ${JSON.stringify(encoding)} is not "${STORAGE.encoding}"`;
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return 'digest is not a SHA-256 in hex';
  if (!isCount(size) || !isCount(chunks) || chunks < 1) return 'size or chunks is not a count';
  if (data !== undefined && !(data instanceof Uint8Array)) return 'data is not binary';
  return {
    layout: 'chunked',
    connector_id,
    version,
    published_at: publishedAt,
    encoding,
    digest,
    size,
    chunks,
    ...(data === undefined ? {} : { data }),
  };
}

/** The entries of a versions item that are well formed; anything else is skipped. */
export function parseVersions(item: Record<string, unknown> | undefined): VersionEntry[] {
  const list = item?.versions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown): VersionEntry[] => {
    if (!isRecord(entry)) return [];
    const { version, published_at, digest, size, chunks, manifest } = entry;
    if (!isCount(version) || typeof digest !== 'string' || !isCount(size) || !isCount(chunks)) return [];
    const manifestPointer =
      isRecord(manifest) &&
      typeof manifest.digest === 'string' &&
      isCount(manifest.size) &&
      isCount(manifest.chunks)
        ? { manifest: { digest: manifest.digest, size: manifest.size, chunks: manifest.chunks } }
        : {};
    return [
      {
        version,
        published_at: typeof published_at === 'string' ? published_at : '',
        digest,
        size,
        chunks,
        ...manifestPointer,
      },
    ];
  });
}
