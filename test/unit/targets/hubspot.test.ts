import { describe, expect, it } from 'vitest';
import { hubspotObjectType, toHubSpotProperties } from '@flow-worker/runtime';

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
