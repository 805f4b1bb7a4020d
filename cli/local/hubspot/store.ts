import { hubspotError } from './replies.js';

/** A CRM object as the local server stores it. */
export interface HubSpotObject {
  readonly id: string;
  properties: Record<string, string>;
  readonly createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** What the local server checks of one property; without `options` any string is valid. */
export interface PropertySchema {
  /** An enumeration's allowed values (a value outside them is `INVALID_OPTION`). */
  readonly options?: readonly string[];
}

/**
 * Known properties per object type (store name, e.g. `companies`). A type listed here rejects
 * properties it does not list (`PROPERTY_DOESNT_EXIST`); an unlisted type takes any property.
 */
export type PropertySchemas = Readonly<Record<string, Readonly<Record<string, PropertySchema>>>>;

/** Properties HubSpot sets itself: writing them is a validation error. */
const READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate']);

interface PropertyProblem {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** An in-memory CRM store: objects per type, ids allocated from 1001. */
export class Store {
  private readonly byType = new Map<string, HubSpotObject[]>();
  private nextId = 1001;

  constructor(private readonly schemas: PropertySchemas = {}) {}

  list(type: string): HubSpotObject[] {
    let list = this.byType.get(type);
    if (list === undefined) this.byType.set(type, (list = []));
    return list;
  }

  /** A live object by record id, or by a property's value (compared as HubSpot does for e-mails: any case). */
  find(type: string, id: string, idProperty: string | null | undefined): HubSpotObject | undefined {
    const byRecordId = idProperty === null || idProperty === undefined || idProperty === 'hs_object_id';
    return this.list(type).find(
      (o) =>
        !o.archived &&
        (byRecordId ? o.id === id : o.properties[idProperty]?.toLowerCase() === id.toLowerCase()),
    );
  }

  create(type: string, properties: Record<string, string>): HubSpotObject {
    const now = new Date().toISOString();
    const object = {
      id: String(this.nextId++),
      properties: normalized(type, properties),
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    this.list(type).push(object);
    return object;
  }

  update(type: string, object: HubSpotObject, properties: Record<string, string>): HubSpotObject {
    Object.assign(object.properties, normalized(type, properties));
    object.updatedAt = new Date().toISOString();
    return object;
  }

  /** A contact whose e-mail is taken already (HubSpot's one built-in unique property). */
  conflict(type: string, properties: Readonly<Record<string, string>>): HubSpotObject | undefined {
    const email = properties.email;
    if (type !== 'contacts' || email === undefined || email === '') return undefined;
    return this.find(type, email, 'email');
  }

  /**
   * HubSpot's whole-call validation: every read-only, unknown or invalid property of every input
   * makes the call a 400 that names the property (not the input).
   */
  validate(type: string, inputs: readonly Readonly<Record<string, string>>[]): void {
    const problems = inputs.flatMap((properties) => this.problems(type, properties));
    if (problems.length === 0) return;
    const list = problems.map((p) => ({ isValid: false, message: p.message, error: p.code, name: p.name }));
    throw hubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(list)}`, {
      errors: problems.map((p) => ({
        message: p.message,
        code: p.code,
        context: { propertyName: [p.name] },
      })),
    });
  }

  private problems(type: string, properties: Readonly<Record<string, string>>): PropertyProblem[] {
    const schema = Object.hasOwn(this.schemas, type) ? this.schemas[type] : undefined;
    return Object.entries(properties).flatMap(([name, value]): PropertyProblem[] => {
      if (READ_ONLY.has(name)) {
        return [
          {
            name,
            code: 'READ_ONLY_VALUE',
            message: `"${name}" is a read only property; its value cannot be set.`,
          },
        ];
      }
      if (schema === undefined) return [];
      const property = Object.hasOwn(schema, name) ? schema[name] : undefined;
      if (property === undefined) {
        return [{ name, code: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` }];
      }
      if (property.options !== undefined && value !== '' && !property.options.includes(value)) {
        const message = `${value} was not one of the allowed options: [${property.options.join(', ')}]`;
        return [{ name, code: 'INVALID_OPTION', message }];
      }
      return [];
    });
  }
}

/** HubSpot stores contacts' e-mail addresses in lower case. */
function normalized(type: string, properties: Record<string, string>): Record<string, string> {
  if (type !== 'contacts' || properties.email === undefined) return { ...properties };
  return { ...properties, email: properties.email.toLowerCase() };
}

/** A record as HubSpot answers it: `hs_object_id` among its properties. */
export function view(
  object: HubSpotObject,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return { ...object, properties: { ...object.properties, hs_object_id: object.id }, ...extra };
}

/** `properties` of an input: an object of strings, else a 400. */
export function propertiesOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be an object');
  }
  const properties: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw hubspotError(400, 'VALIDATION_ERROR', `Property values must be strings: "${key}"`);
    }
    properties[key] = v;
  }
  return properties;
}
