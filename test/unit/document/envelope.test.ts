import { describe, expect, it } from 'vitest';
import { eventIdOf, parseEnvelope, PoisonMessageError } from '@flow-worker/runtime';
import { anEnvelope, META } from '../fixtures.js';

describe('parseEnvelope', () => {
  it('parses a valid body and keeps unknown top-level fields', () => {
    const body = JSON.stringify({ ...anEnvelope(), trace_id: 't-1' });
    expect(parseEnvelope(body)).toEqual({ ...anEnvelope(), trace_id: 't-1' });
  });

  it.each([
    ['not JSON', '{nope', /^message body is not JSON/],
    ['an array', '[]', /must be a JSON object \(an envelope\), got an array/],
    [
      'missing source_name',
      JSON.stringify({ ...anEnvelope(), source_name: undefined }),
      /source_name must be a non-empty string/,
    ],
    [
      'an empty event_type',
      JSON.stringify({ ...anEnvelope(), event_type: '' }),
      /event_type must be a non-empty string/,
    ],
    [
      'a bad occurred_at',
      JSON.stringify({ ...anEnvelope(), occurred_at: 'yesterday' }),
      /occurred_at must be an ISO-8601/,
    ],
  ])('says exactly what is wrong with %s', (_, body, message) => {
    expect(() => parseEnvelope(body)).toThrow(PoisonMessageError);
    expect(() => parseEnvelope(body)).toThrow(message);
  });
});

describe('eventIdOf', () => {
  it('prefers event_id, then the deduplication id, then the message id', () => {
    expect(eventIdOf(anEnvelope(), META)).toBe('evt-0001');
    expect(eventIdOf(anEnvelope({ event_id: undefined }), { ...META, deduplicationId: 'd-1' })).toBe('d-1');
    expect(eventIdOf(anEnvelope({ event_id: undefined }), META)).toBe('msg-in-1');
  });
});
