import { createHash } from 'node:crypto';
import { gunzip, gzip } from 'node:zlib';
import { StoredConfigUnreadableError } from '../errors.js';
import { STORAGE } from './layout.js';

// Not util.promisify: an ES import of node:util evaluates all of its lazy exports, which costs the
// handler's cold start several milliseconds (docs/performance.md, cold start).
const gzipAsync = (input: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    gzip(input, (error, result) => (error === null ? resolve(result) : reject(error))),
  );
const gunzipAsync = (input: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    gunzip(input, (error, result) => (error === null ? resolve(result) : reject(error))),
  );

/** A document ready to store: compressed, digested, cut into chunks. */
export interface EncodedDocument {
  /** The document as JSON text, UTF-8 bytes (what the size limit measures). */
  readonly jsonBytes: number;
  /** SHA-256 of the compressed bytes, lowercase hex. */
  readonly digest: string;
  /** Compressed bytes. */
  readonly size: number;
  readonly chunks: readonly Uint8Array[];
  /** The compressed bytes, whole. */
  readonly bytes: Uint8Array;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Cuts bytes into pieces of at most `size` (views, not copies); at least one piece. */
export function cut(bytes: Uint8Array, size: number = STORAGE.chunkBytes): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length || pieces.length === 0; start += size) {
    pieces.push(bytes.subarray(start, Math.min(bytes.length, start + size)));
  }
  return pieces;
}

/**
 * JSON text → gzip (zlib's default level) → SHA-256 → chunks. Compression runs on libuv's thread
 * pool, not on the event loop.
 */
export async function encodeJson(json: string): Promise<EncodedDocument> {
  const text = Buffer.from(json, 'utf8');
  const bytes = new Uint8Array(await gzipAsync(text));
  return { jsonBytes: text.length, digest: sha256(bytes), size: bytes.length, chunks: cut(bytes), bytes };
}

/** {@link encodeJson} of a document's JSON text. */
export function encodeDocument(document: unknown): Promise<EncodedDocument> {
  return encodeJson(JSON.stringify(document));
}

/**
 * Joins chunks, checks their size and digest against the pointer's, then gunzips and parses.
 * @param where names the stored document in the error message (`connector "acme" version 3 in table T`).
 * @throws StoredConfigUnreadableError when the bytes are not the ones the pointer describes.
 */
export async function decodeDocument(
  chunks: readonly Uint8Array[],
  expected: { readonly digest: string; readonly size: number },
  where: string,
): Promise<unknown> {
  const bytes = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks);
  const digest = bytes.length === expected.size ? sha256(bytes) : undefined;
  if (digest !== expected.digest) {
    const found = digest === undefined ? `${bytes.length} bytes` : `digest ${digest}`;
    const wanted = digest === undefined ? `${expected.size} bytes` : `digest ${expected.digest}`;
    throw new StoredConfigUnreadableError(
      `${where}: its stored chunks hold ${found}, not the ${wanted} its head names`,
    );
  }
  try {
    const json = await gunzipAsync(bytes);
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch (error) {
    throw new StoredConfigUnreadableError(`${where}: its stored bytes are not gzip-compressed JSON`, {
      cause: error,
    });
  }
}
