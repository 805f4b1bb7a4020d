/**
 * HubSpot's standard CRM objects that records can be written to: the one table the validator
 * (which entities a `hubspot` step accepts), the HubSpot target (which path segment it sends) and
 * the local HubSpot read. Source: HubSpot's object type id table ("Using object APIs") and its
 * per-object API specs; objects whose API is read-only (feedback submissions `0-19`, payments
 * `0-101`) or separate (marketing events `0-54`) are left out, since a step could never write them.
 *
 * - `name`: the plural, as HubSpot spells it in `/crm/v3/objects/{name}`;
 * - `singular`: the singular form a config may use instead;
 * - `typeId`: HubSpot's object type id, accepted wherever a name is;
 * - `pathById`: HubSpot's own API spec addresses this (newer) object by its type id, so the worker
 *   does too.
 */
export const HUBSPOT_STANDARD_OBJECTS = [
  { name: 'contacts', singular: 'contact', typeId: '0-1' },
  { name: 'companies', singular: 'company', typeId: '0-2' },
  { name: 'deals', singular: 'deal', typeId: '0-3' },
  { name: 'tickets', singular: 'ticket', typeId: '0-5' },
  { name: 'products', singular: 'product', typeId: '0-7' },
  { name: 'line_items', singular: 'line_item', typeId: '0-8' },
  { name: 'quotes', singular: 'quote', typeId: '0-14' },
  { name: 'communications', singular: 'communication', typeId: '0-18' },
  { name: 'tasks', singular: 'task', typeId: '0-27' },
  { name: 'notes', singular: 'note', typeId: '0-46' },
  { name: 'meetings', singular: 'meeting', typeId: '0-47' },
  { name: 'calls', singular: 'call', typeId: '0-48' },
  { name: 'emails', singular: 'email', typeId: '0-49' },
  { name: 'invoices', singular: 'invoice', typeId: '0-53' },
  { name: 'subscriptions', singular: 'subscription', typeId: '0-69' },
  { name: 'goal_targets', singular: 'goal_target', typeId: '0-74' },
  { name: 'discounts', singular: 'discount', typeId: '0-84' },
  { name: 'fees', singular: 'fee', typeId: '0-85' },
  { name: 'taxes', singular: 'tax', typeId: '0-86' },
  { name: 'users', singular: 'user', typeId: '0-115' },
  { name: 'postal_mail', singular: 'postal_mail', typeId: '0-116' },
  { name: 'orders', singular: 'order', typeId: '0-123' },
  { name: 'leads', singular: 'lead', typeId: '0-136' },
  { name: 'carts', singular: 'cart', typeId: '0-142' },
  { name: 'services', singular: 'service', typeId: '0-162', pathById: true },
  { name: 'courses', singular: 'course', typeId: '0-410', pathById: true },
  { name: 'listings', singular: 'listing', typeId: '0-420', pathById: true },
  { name: 'appointments', singular: 'appointment', typeId: '0-421', pathById: true },
  { name: 'projects', singular: 'project', typeId: '0-970', pathById: true },
] as const;

export type HubSpotStandardObject = (typeof HUBSPOT_STANDARD_OBJECTS)[number];

/** Object type ids (`0-46`, `2-12345`): HubSpot's `{meta type}-{id}`. */
export const HUBSPOT_TYPE_ID_PATTERN = /^\d+-\d+$/;

/** Custom objects by their fully qualified name: `p{portal id}_{name}`. */
export const HUBSPOT_CUSTOM_OBJECT_PATTERN = /^p\d+_[A-Za-z0-9_]+$/;

const BY_NAME: ReadonlyMap<string, HubSpotStandardObject> = new Map(
  HUBSPOT_STANDARD_OBJECTS.flatMap((object) => [
    [object.name, object],
    [object.singular, object],
    [object.typeId, object],
  ]),
);

/** The standard object an entity names (plural, singular or type id), if it names one. */
export function hubspotStandardObject(entity: string): HubSpotStandardObject | undefined {
  return BY_NAME.get(entity);
}

/** Whether a `hubspot` step may name this entity: a standard object, a type id or a custom object. */
export function isHubSpotEntity(entity: string): boolean {
  return (
    BY_NAME.has(entity) || HUBSPOT_TYPE_ID_PATTERN.test(entity) || HUBSPOT_CUSTOM_OBJECT_PATTERN.test(entity)
  );
}

/** What the validator says a `hubspot` entity may be: every standard object, with its singular. */
export const HUBSPOT_ENTITY_DESCRIPTION =
  `one of HubSpot's objects: ${HUBSPOT_STANDARD_OBJECTS.map((object) =>
    object.singular === object.name ? object.name : `${object.name} (${object.singular})`,
  ).join(', ')}; ` +
  'an object type id such as "0-46" or "2-12345"; or a custom object name such as "p12345_cars"';
