import { describe, expect, it } from 'vitest';
import { hubspotObjectType, parseJsonExact, toHubSpotProperties } from '@flow-worker/runtime';

describe('hubspotObjectType', () => {
  it.each([
    ['company', 'companies'],
    ['contact', 'contacts'],
    ['deal', 'deals'],
    ['ticket', 'tickets'],
    ['2-12345', '2-12345'],
    ['0-1', '0-1'],
    ['p_custom', 'p_custom'],
  ])('maps entity %s to object type %s', (entity, objectType) => {
    expect(hubspotObjectType(entity)).toBe(objectType);
  });

  it('does not treat inherited object keys as entities', () => {
    expect(hubspotObjectType('toString')).toBe('toString');
  });
});

describe('toHubSpotProperties', () => {
  it('sends integers beyond 2^53 digit for digit, alone and in multi-select values', () => {
    // Prepare
    const data = parseJsonExact('{"id":9007199254740993,"ids":[9007199254740995,1]}') as Record<
      string,
      unknown
    >;
    // Act
    const properties = toHubSpotProperties(data);
    // Assess
    expect(properties).toEqual({ id: '9007199254740993', ids: '9007199254740995;1' });
  });

  it('sends every value as a string, clearing with an empty string', () => {
    expect(
      toHubSpotProperties({
        name: 'Acme',
        employees: 42,
        revenue: 1.5,
        is_public: true,
        description: null,
        skipped: undefined,
        tags: ['a', 'b'],
        address: { city: 'Lyon' },
      }),
    ).toEqual({
      name: 'Acme',
      employees: '42',
      revenue: '1.5',
      is_public: 'true',
      description: '',
      tags: 'a;b',
      address: '{"city":"Lyon"}',
    });
  });
});
