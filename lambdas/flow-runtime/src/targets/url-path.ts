import { PermanentError } from '../errors.js';

/** How target URLs are built: a base URL, then path segments that data can never leave. */

/**
 * A value as one URL path segment that it can never leave: percent-encoded like
 * `encodeURIComponent` (so `/`, `?`, `#` and `%` stay data), and a segment of only dots (`.`, `..`)
 * written `%2E`, which the transport sends as is. The server sees exactly this value in this
 * segment, never a different path.
 * @throws PermanentError when the value holds an unpaired UTF-16 surrogate, which no URL can carry
 */
export function encodePathSegment(label: string, operation: string, what: string, value: string): string {
  if (!value.isWellFormed()) {
    throw new PermanentError(
      `${label}: ${operation} cannot put ${what} in a URL: it contains an unpaired UTF-16 surrogate`,
      { context: { operation } },
    );
  }
  return segmentOf(value);
}

/**
 * The encoding of {@link encodePathSegment} for a value already known to be well-formed (an id that
 * passed it when its request arrived, a fixed name): percent-encoded, and `.`/`..` as `%2E`.
 */
export function segmentOf(value: string): string {
  const encoded = encodeURIComponent(value);
  return /^\.{1,2}$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}

/** Joins a base URL and a path without doubling or dropping the slash between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
