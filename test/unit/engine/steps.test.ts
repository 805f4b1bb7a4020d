import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitDeduplicationId, idempotencyKeyOf } from '@flow-worker/runtime';

describe('emitDeduplicationId', () => {
  it('is the same for the same (event, flow, step), so a redelivered message emits once', () => {
    expect(emitDeduplicationId('evt-1', 'flow', 'emit')).toBe(emitDeduplicationId('evt-1', 'flow', 'emit'));
  });

  it('differs whenever any part differs, however the parts split a string', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.string(), fc.string(), fc.string()),
        fc.tuple(fc.string(), fc.string(), fc.string()),
        (a, b) => {
          fc.pre(JSON.stringify(a) !== JSON.stringify(b));
          expect(emitDeduplicationId(...a)).not.toBe(emitDeduplicationId(...b));
        },
      ),
    );
    expect(emitDeduplicationId('a|b', 'c', 'd')).not.toBe(emitDeduplicationId('a', 'b|c', 'd'));
  });

  it('fits SQS: at most 128 characters of [0-9a-f]', () => {
    expect(emitDeduplicationId('evt'.repeat(500), 'f', 's')).toMatch(/^[0-9a-f]{1,128}$/);
  });
});

describe('idempotencyKeyOf', () => {
  it("derives a create's key from (event, flow, step) exactly as an emit's deduplication id", () => {
    expect(idempotencyKeyOf('evt-1', 'flow', 'create')).toBe(emitDeduplicationId('evt-1', 'flow', 'create'));
    expect(idempotencyKeyOf('evt-1', 'flow', 'create')).not.toBe(idempotencyKeyOf('evt-2', 'flow', 'create'));
  });
});
