import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeProblems, envelopeSchemaProblems, MAX_JSON_DEPTH } from '@flow-worker/runtime';

/** `[[…[leaf]…]]`, `depth` arrays deep (a scalar leaf is no level). */
function nested(depth: number, leaf: unknown = 0): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Values a producer might put in an envelope field, right and wrong. */
const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(null, '', 'acme', 7, true, [], {}, ['acme'], '2026-11-24T10:00:00Z'),
  fc.string(),
  fc.jsonValue(),
  // Connector ids at the length limit and past it, and with an unpaired surrogate.
  fc.string({ minLength: 126, maxLength: 130 }),
  fc.constantFrom('\uD800', 'acme\uDC00', '\uD83D\uDE00', 'é'.repeat(129)),
);

/** Payloads of any shape, and nested right around the depth limit. */
const payloadValue = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 }).map((depth) => nested(depth)),
  fc
    .integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 })
    .map((depth) => ({ wide: [1, 2], deep: nested(depth - 1) })),
);

/** Date-time-like strings: right shapes with wrong parts, so the calendar and zone rules are exercised. */
const dateTimeLike = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.option(fc.integer({ min: 0, max: 61 })),
    fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
    zone: fc.constantFrom('Z', 'z', '', '+02:00', '-11:30', '+24:00', '+0200', '+02', '-00:00'),
    separator: fc.constantFrom('T', 't', ' '),
  })
  .map(({ year, month, day, hour, minute, second, fraction, zone, separator }) => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const seconds = second === null ? '' : `:${pad(second)}${fraction === null ? '' : `.${fraction}`}`;
    return `${pad(year, 4)}-${pad(month)}-${pad(day)}${separator}${pad(hour)}:${pad(minute)}${seconds}${zone}`;
  });

const anEnvelopeLike = fc.record(
  {
    connector_id: fieldValue,
    source_name: fieldValue,
    event_type: fieldValue,
    event_id: fieldValue,
    occurred_at: fc.oneof(fieldValue, dateTimeLike),
    payload: payloadValue,
    extra: fieldValue,
  },
  { requiredKeys: [] },
);

describe('envelopeProblems (the hot path) and the zod envelope schema', () => {
  it('find the same problems, in the same words and order, for any object', () => {
    fc.assert(
      fc.property(anEnvelopeLike, (value) => {
        expect(envelopeProblems(value)).toEqual(envelopeSchemaProblems(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree on the connector id and payload limits, at and past them', () => {
    // Prepare
    const valid = { connector_id: 'a', source_name: 's', event_type: 't', payload: null };
    const cases = [
      { ...valid, connector_id: 'a'.repeat(128) },
      { ...valid, connector_id: 'a'.repeat(129) },
      { ...valid, connector_id: 'a\uD800' },
      { ...valid, connector_id: '\uDC00'.repeat(129) },
      { ...valid, payload: nested(MAX_JSON_DEPTH) },
      { ...valid, payload: nested(MAX_JSON_DEPTH + 1) },
    ];
    // Act
    const problems = cases.map((value) => envelopeProblems(value));
    // Assess
    expect(problems).toEqual(cases.map((value) => envelopeSchemaProblems(value)));
    expect(problems).toEqual([
      [],
      ['connector_id must be at most 128 characters (no connector config has a longer id)'],
      ['connector_id must be well-formed Unicode text (it contains an unpaired surrogate)'],
      [
        'connector_id must be at most 128 characters (no connector config has a longer id)',
        'connector_id must be well-formed Unicode text (it contains an unpaired surrogate)',
      ],
      [],
      [`payload must be nested at most ${MAX_JSON_DEPTH} levels deep`],
    ]);
  });

  it('agree on every date-time near the edges of the calendar and the zone rules', () => {
    const valid = { connector_id: 'a', source_name: 's', event_type: 't', payload: null };
    fc.assert(
      fc.property(dateTimeLike, (occurredAt) => {
        const value = { ...valid, occurred_at: occurredAt };
        expect(envelopeProblems(value)).toEqual(envelopeSchemaProblems(value));
      }),
      { numRuns: 5000 },
    );
  });
});
