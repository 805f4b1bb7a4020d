import { describe, expect, it } from 'vitest';
import { STORAGE, chunkKeys, headKey, parseHead, parseVersions, versionsKey } from '@flow-worker/runtime';

const DIGEST = 'ab'.repeat(32);

describe('the table layout', () => {
  it('keys the head by the connector id, and the other items by connector, version and digest', () => {
    expect(headKey('acme')).toEqual({ connector_id: 'acme' });
    expect(versionsKey('acme')).toEqual({ connector_id: 'acme#versions' });
    expect(chunkKeys({ connectorId: 'acme', version: 3, digest: DIGEST, size: 10, chunks: 2 })).toEqual([
      { connector_id: `acme#v3#${DIGEST}#0` },
      { connector_id: `acme#v3#${DIGEST}#1` },
    ]);
  });

  it("keeps a chunk item, its key included, under DynamoDB's 400 KB item limit", () => {
    const longest = chunkKeys({
      connectorId: 'x'.repeat(128),
      version: 2 ** 31,
      digest: DIGEST,
      size: 1,
      chunks: 1000,
    })[999]!;
    const itemSize = 'connector_id'.length + longest.connector_id.length + 'data'.length + STORAGE.chunkBytes;

    expect(itemSize).toBeLessThan(400 * 1024);
  });

  it('reads both head layouts, and says what is wrong with a malformed head', () => {
    const current = {
      connector_id: 'acme',
      version: 2,
      published_at: 't',
      encoding: 'gzip',
      digest: DIGEST,
      size: 9,
      chunks: 1,
    };
    const single = { connector_id: 'acme', version: 1, published_at: 't', config: { flows: [] } };

    expect(parseHead(current)).toEqual({ layout: 'chunked', ...current });
    expect(parseHead(single)).toEqual({ layout: 'single-item', ...single });
    expect(parseHead({ ...current, encoding: 'br' })).toBe('encoding "br" is not "gzip"');
    expect(parseHead({ ...current, digest: 'x' })).toBe('digest is not a SHA-256 in hex');
    expect(parseHead({ ...current, chunks: 0 })).toBe('size or chunks is not a count');
    expect(parseHead({ connector_id: 'acme' })).toBe('no connector_id or version');
  });

  it('skips malformed entries of the versions item', () => {
    const good = { version: 2, published_at: 't', digest: DIGEST, size: 9, chunks: 1 };

    expect(parseVersions({ versions: [good, { version: 'x' }, 'nope'] })).toEqual([good]);
    expect(parseVersions(undefined)).toEqual([]);
  });
});
