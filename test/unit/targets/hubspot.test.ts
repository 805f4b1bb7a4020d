import { describe, expect, it } from 'vitest';
import {
  HUBSPOT_STANDARD_OBJECTS,
  hubspotAssociationObjectType,
  hubspotObjectType,
  parseJsonExact,
  toHubSpotProperties,
} from '@flow-worker/runtime';

describe('hubspotObjectType', () => {
  it.each([
    ['company', 'companies'],
    ['contact', 'contacts'],
    ['deal', 'deals'],
    ['ticket', 'tickets'],
    ['companies', 'companies'],
    ['0-2', 'companies'],
    ['note', 'notes'],
    ['line_item', 'line_items'],
    ['0-8', 'line_items'],
    ['tax', 'taxes'],
    ['postal_mail', 'postal_mail'],
    ['service', '0-162'],
    ['courses', '0-410'],
    ['2-12345', '2-12345'],
    ['p12345_cars', 'p12345_cars'],
  ])('maps entity %s to object type %s', (entity, objectType) => {
    expect(hubspotObjectType(entity)).toBe(objectType);
  });

  it.each(HUBSPOT_STANDARD_OBJECTS.map((object) => [object.name, object]))(
    'sends %s by the same path segment whichever way a step names it',
    (_name, object) => {
      const segments = [object.name, object.singular, object.typeId].map(hubspotObjectType);
      expect(new Set(segments).size).toBe(1);
    },
  );

  it('does not treat inherited object keys as entities', () => {
    expect(hubspotObjectType('toString')).toBe('toString');
  });
});

describe('hubspotAssociationObjectType', () => {
  it.each([
    ['contact', '0-1'],
    ['companies', '0-2'],
    ['note', '0-46'],
    ['0-3', '0-3'],
    ['2-12345', '2-12345'],
    ['p12345_cars', 'p12345_cars'],
  ])('sends %s as %s in association paths', (entity, type) => {
    expect(hubspotAssociationObjectType(entity)).toBe(type);
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
