import { isRawNumber } from '../../document/json.js';
import { hubspotStandardObject } from '../../document/hubspot-objects.js';
import { segmentOf } from '../url-path.js';

/** @default the HubSpot API's public endpoint */
export const HUBSPOT_DEFAULT_BASE_URL = 'https://api.hubapi.com';

/**
 * The CRM v3 object type for a step's `entity`, as HubSpot spells it in `/crm/v3/objects/{type}`:
 * the plural name of a standard object however the step named it (`company`, `companies`, `0-2` →
 * `companies`), the type id for the newer objects HubSpot itself addresses by id, and any other
 * entity (`2-12345`, `p12345_cars`) as is.
 */
export function hubspotObjectType(entity: string): string {
  const object = hubspotStandardObject(entity);
  if (object === undefined) return entity;
  return 'pathById' in object ? object.typeId : object.name;
}

/**
 * The object type in an associations v4 path: HubSpot documents type ids there for every object
 * (names only for a few), so a standard object is sent as its type id; anything else as is.
 */
export function hubspotAssociationObjectType(entity: string): string {
  return hubspotStandardObject(entity)?.typeId ?? entity;
}

/**
 * Property values as the CRM objects API takes them: strings. Numbers and booleans are
 * stringified, `null` becomes `""` (HubSpot clears a property given an empty string), arrays of
 * scalars become HubSpot's `a;b` multi-select format, other objects are sent as JSON text, and
 * `undefined` leaves the property untouched.
 */
export function toHubSpotProperties(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const converted = toHubSpotValue(value);
    if (converted !== undefined) properties[key] = converted;
  }
  return properties;
}

function toHubSpotValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  // A number too long for a double, kept as the producer wrote it.
  if (isRawNumber(value)) return value.rawJSON;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (
    Array.isArray(value) &&
    value.every((item) => item === null || typeof item !== 'object' || isRawNumber(item))
  ) {
    return value
      .filter((item) => item !== null && item !== undefined)
      .map((item: unknown) => (isRawNumber(item) ? item.rawJSON : String(item)))
      .join(';');
  }
  return JSON.stringify(value);
}

/**
 * A URL whose data segments (object types, ids) each stay one path segment, whatever they hold
 * (`..`, `/`, `?`, `#`, `%`): `apiUrl(base, '/crm/v3/objects', 'companies', 'x y')`. Ids are checked
 * for what no URL can carry when their request arrives (`checkedIds` in target.ts).
 */
export function apiUrl(baseUrl: string, prefix: string, ...segments: readonly string[]): string {
  const path = [prefix, ...segments.map(segmentOf)].join('/');
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Adds `?idProperty=` when the request addresses a record by a unique property. */
export function withIdProperty(url: string, idProperty: string | undefined): string {
  return idProperty === undefined || idProperty === ''
    ? url
    : `${url}?idProperty=${encodeURIComponent(idProperty)}`;
}
