import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STORAGE, StoredConfigUnreadableError, decodeDocument, encodeDocument } from '@flow-worker/runtime';

describe('encodeDocument / decodeDocument', () => {
  it('gives back any JSON document exactly, whatever its keys (constructor, __proto__) and size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (document) => {
        const encoded = await encodeDocument(document);

        const decoded = await decodeDocument(encoded.chunks, encoded, 'test');

        expect(JSON.stringify(decoded)).toBe(JSON.stringify(document));
      }),
      { numRuns: 200 },
    );
  });

  it('cuts the compressed bytes into chunks of at most the chunk size, in order', async () => {
    const random = Buffer.alloc(STORAGE.chunkBytes * 2 + 10);
    for (let i = 0; i < random.length; i += 1) random[i] = (i * 7919) % 251;
    const document = { noise: random.toString('base64') };

    const encoded = await encodeDocument(document);

    expect(encoded.chunks.length).toBe(Math.ceil(encoded.size / STORAGE.chunkBytes));
    expect(encoded.chunks.every((chunk) => chunk.length <= STORAGE.chunkBytes)).toBe(true);
    expect(Buffer.concat(encoded.chunks).equals(Buffer.from(encoded.bytes))).toBe(true);
    expect(encoded.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses chunks that are not the ones the head names, saying which check failed', async () => {
    const one = await encodeDocument({ version: 1 });
    const two = await encodeDocument({ version: 2, more: 'x' });

    const wrongDigest = decodeDocument(two.chunks, { ...one, size: two.size }, 'connector "acme" version 1');
    const wrongSize = decodeDocument(two.chunks, one, 'connector "acme" version 1');

    // All assertions attach at once, so neither rejection goes unobserved while the other is awaited.
    await Promise.all([
      expect(wrongDigest).rejects.toBeInstanceOf(StoredConfigUnreadableError),
      expect(wrongDigest).rejects.toThrow(/^connector "acme" version 1: its stored chunks hold digest /),
      expect(wrongSize).rejects.toThrow(`hold ${two.size} bytes, not the ${one.size} bytes its head names`),
    ]);
  });
});
