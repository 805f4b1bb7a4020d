import { describe, expect, it } from 'vitest';
import { eventIdOf, MAX_JSON_DEPTH, parseEnvelope, PoisonMessageError } from '@flow-worker/runtime';
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

  it('keeps unknown top-level fields and the payload as sent', () => {
    const body = JSON.stringify({
      connector_id: 'acme',
      source_name: 'compass_inbound',
      event_type: 'upsert_company',
      payload: { a: [1, { b: null }] },
      producer_hint: 'x',
    });

    expect(parseEnvelope(body)).toEqual(JSON.parse(body));
  });

  it.each([
    ['null', 'got null'],
    ['[1,2]', 'got an array'],
    ['"text"', 'got string'],
    ['42', 'got number'],
  ])('rejects a body of %s as not an object (%s)', (body, got) => {
    expect(() => parseEnvelope(body)).toThrow(PoisonMessageError);
    expect(() => parseEnvelope(body)).toThrow(`message body must be a JSON object (an envelope), ${got}`);
  });

  it('names every wrong field at once and keeps the connector for the logs', () => {
    const body = JSON.stringify({ connector_id: 'acme', source_name: ['x'], event_type: 7, event_id: '' });

    const act = () => parseEnvelope(body);

    expect(act).toThrow(
      'invalid envelope: source_name must be a non-empty string; event_type must be a non-empty string; event_id must be a non-empty string',
    );
    try {
      act();
    } catch (error) {
      expect((error as PoisonMessageError).context).toEqual({ connector: 'acme' });
    }
  });
});

describe('parseEnvelope on hostile bodies', () => {
  const body = (overrides: Record<string, unknown>, payloadText = '{}') =>
    JSON.stringify({ ...anEnvelope(), ...overrides, payload: '§' }).replace('"§"', payloadText);

  it('keeps integers beyond 2^53 as written, so they are sent on digit for digit', () => {
    // Act
    const envelope = parseEnvelope(body({}, '{"id":9007199254740993,"ids":[12345678901234567890]}'));
    // Assess
    expect(JSON.stringify(envelope.payload)).toBe('{"id":9007199254740993,"ids":[12345678901234567890]}');
  });

  it.each([
    [MAX_JSON_DEPTH + 1, true],
    [5_000, true],
    [100_000, true],
    [MAX_JSON_DEPTH, false],
  ])('refuses a payload nested %i levels deep as poison, naming the limit (%s)', (depth, refused) => {
    // Prepare
    const text = '['.repeat(depth) + ']'.repeat(depth);
    // Act
    const act = () => parseEnvelope(body({}, text));
    // Assess
    if (refused) {
      expect(act).toThrow(PoisonMessageError);
      expect(act).toThrow(`invalid envelope: payload must be nested at most ${MAX_JSON_DEPTH} levels deep`);
    } else {
      expect(act).not.toThrow();
    }
  });

  it.each([
    [
      '129 characters',
      'a'.repeat(129),
      'must be at most 128 characters (no connector config has a longer id)',
    ],
    [
      '3,000 characters',
      'a'.repeat(3_000),
      'must be at most 128 characters (no connector config has a longer id)',
    ],
    [
      'an unpaired surrogate',
      'acme\uD800',
      'must be well-formed Unicode text (it contains an unpaired surrogate)',
    ],
  ])('refuses a connector_id of %s as poison: no config can have it', (_what, id, message) => {
    // Prepare
    const text = JSON.stringify({ ...anEnvelope(), connector_id: '§' }).replace('"§"', `"${id}"`);
    // Act
    const act = () => parseEnvelope(text);
    // Assess
    expect(act).toThrow(PoisonMessageError);
    expect(act).toThrow(`invalid envelope: connector_id ${message}`);
  });

  it('accepts a connector_id of exactly 128 characters, the longest a config can have', () => {
    expect(
      parseEnvelope(JSON.stringify(anEnvelope({ connector_id: 'a'.repeat(128) }))).connector_id,
    ).toHaveLength(128);
  });
});

describe('eventIdOf', () => {
  it('prefers event_id, then the deduplication id, then the message id', () => {
    expect(eventIdOf(anEnvelope(), META)).toBe('evt-0001');
    expect(eventIdOf(anEnvelope({ event_id: undefined }), { ...META, deduplicationId: 'd-1' })).toBe('d-1');
    expect(eventIdOf(anEnvelope({ event_id: undefined }), META)).toBe('msg-in-1');
  });
});
