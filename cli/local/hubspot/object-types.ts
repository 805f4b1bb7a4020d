import {
  HUBSPOT_STANDARD_OBJECTS,
  hubspotStandardObject,
  isHubSpotEntity,
  type HubSpotStandardObject,
} from '@flow-worker/runtime';
import { hubspotError } from './replies.js';

/** What the local HubSpot knows of an object type named in a path. */
export interface ObjectType {
  /** The store's name: the plural of a standard object (`companies`), else the path segment. */
  readonly name: string;
  /** `0-2`; for a custom object, its `2-…` id, else its name. */
  readonly typeId: string;
  /** `COMPANY`, as HubSpot's error messages say it. */
  readonly label: string;
}

function fromStandard(object: HubSpotStandardObject): ObjectType {
  return { name: object.name, typeId: object.typeId, label: object.singular.toUpperCase() };
}

/**
 * An object type as HubSpot accepts it in a path: a standard object's plural, singular or type id,
 * a custom object's type id (`2-12345`) or name (`p12345_cars`). Anything else is a 400, as on HubSpot.
 */
export function objectType(segment: string): ObjectType {
  const standard = hubspotStandardObject(segment);
  if (standard !== undefined) return fromStandard(standard);
  if (!isHubSpotEntity(segment)) {
    throw hubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${segment}`);
  }
  return { name: segment, typeId: segment, label: segment.toUpperCase() };
}

/** The store name for a type as a test names it (`company`, `companies`, `0-2` → `companies`). */
export function storeName(type: string): string {
  return hubspotStandardObject(type)?.name ?? type;
}

export const STANDARD_OBJECT_NAMES: readonly string[] = HUBSPOT_STANDARD_OBJECTS.map((object) => object.name);
