import type { JsonReply, JsonRequest } from '../json-http.js';
import { objectType, type ObjectType } from './object-types.js';
import { batchInputs, batchReply, hubspotError, itemError, type ItemError } from './replies.js';
import type { Store } from './store.js';

/** An association type as the v4 API writes it. */
export interface AssociationSpec {
  readonly associationCategory: string;
  readonly associationTypeId: number;
}

/** One association between two records, with every type (label) it carries. */
export interface LocalAssociation {
  /** Store names, e.g. `contacts`. */
  readonly fromType: string;
  readonly fromId: string;
  readonly toType: string;
  readonly toId: string;
  readonly types: readonly AssociationSpec[];
}

/** HubSpot's default association type ids of common pairs (`HUBSPOT_DEFINED`); other pairs get 1. */
const DEFAULT_TYPE_IDS: Readonly<Record<string, number>> = {
  'contacts>companies': 279,
  'companies>contacts': 280,
  'deals>companies': 341,
  'companies>deals': 342,
  'contacts>deals': 4,
  'deals>contacts': 3,
  'notes>contacts': 202,
  'notes>companies': 190,
  'notes>deals': 214,
  'tickets>contacts': 16,
  'contacts>tickets': 15,
};

const CATEGORIES = new Set(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED', 'WORK']);

/** The associations the local HubSpot holds: one entry per pair, its types merged. */
export class AssociationStore {
  private readonly pairs = new Map<
    string,
    { association: LocalAssociation; types: Map<string, AssociationSpec> }
  >();

  /** Adds the types to the pair; associating records that already are associated changes nothing. */
  associate(
    from: ObjectType,
    fromId: string,
    to: ObjectType,
    toId: string,
    specs: readonly AssociationSpec[],
  ): void {
    const key = JSON.stringify([from.name, fromId, to.name, toId]);
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = {
        association: { fromType: from.name, fromId, toType: to.name, toId, types: [] },
        types: new Map(),
      };
      this.pairs.set(key, pair);
    }
    for (const spec of specs) pair.types.set(`${spec.associationCategory}:${spec.associationTypeId}`, spec);
  }

  list(): LocalAssociation[] {
    return [...this.pairs.values()].map(({ association, types }) => ({
      ...association,
      types: [...types.values()],
    }));
  }
}

function defaultSpec(from: ObjectType, to: ObjectType): AssociationSpec {
  return {
    associationCategory: 'HUBSPOT_DEFINED',
    associationTypeId: DEFAULT_TYPE_IDS[`${from.name}>${to.name}`] ?? 1,
  };
}

function specsOf(value: unknown): AssociationSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw hubspotError(
      400,
      'VALIDATION_ERROR',
      'Invalid input JSON: association types must be a non-empty array',
    );
  }
  return value.map((spec: unknown) => {
    const { associationCategory, associationTypeId } = (spec ?? {}) as Partial<AssociationSpec>;
    if (typeof associationCategory !== 'string' || !CATEGORIES.has(associationCategory)) {
      throw hubspotError(
        400,
        'VALIDATION_ERROR',
        `Invalid associationCategory: ${String(associationCategory)}`,
      );
    }
    if (
      typeof associationTypeId !== 'number' ||
      !Number.isInteger(associationTypeId) ||
      associationTypeId <= 0
    ) {
      throw hubspotError(400, 'VALIDATION_ERROR', `Invalid associationTypeId: ${String(associationTypeId)}`);
    }
    return { associationCategory, associationTypeId };
  });
}

interface Context {
  readonly objects: Store;
  readonly associations: AssociationStore;
  readonly from: ObjectType;
  readonly to: ObjectType;
}

/** Why the pair cannot be associated (a record that does not exist), or `undefined`. */
function missing(ctx: Context, fromId: string, toId: string): string | undefined {
  if (ctx.objects.find(ctx.from.name, fromId, null) === undefined)
    return `${ctx.from.label} ${fromId} does not exist`;
  if (ctx.objects.find(ctx.to.name, toId, null) === undefined)
    return `${ctx.to.label} ${toId} does not exist`;
  return undefined;
}

function idOf(end: unknown): string {
  const id = typeof end === 'object' && end !== null ? (end as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '')
    throw hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: "from.id" and "to.id" are required');
  return id;
}

/**
 * `POST /crm/v4/associations/{from}/{to}/batch/associate/default` (200) and `…/batch/create`
 * (201, with each input's `types`): a pair with a missing record is that input's
 * `OBJECT_NOT_FOUND` error (207), naming both ids in its context.
 */
function batch(ctx: Context, body: unknown, labelled: boolean): JsonReply {
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: ItemError[] = [];
  for (const input of batchInputs(body)) {
    const fromId = idOf(input.from);
    const toId = idOf(input.to);
    const specs = labelled ? specsOf(input.types) : [defaultSpec(ctx.from, ctx.to)];
    const problem = missing(ctx, fromId, toId);
    if (problem !== undefined) {
      errors.push(itemError('OBJECT_NOT_FOUND', problem, { fromObjectId: [fromId], toObjectId: [toId] }));
      continue;
    }
    ctx.associations.associate(ctx.from, fromId, ctx.to, toId, specs);
    results.push(
      labelled
        ? {
            fromObjectTypeId: ctx.from.typeId,
            fromObjectId: fromId,
            toObjectTypeId: ctx.to.typeId,
            toObjectId: toId,
            labels: [],
          }
        : { from: { id: fromId }, to: { id: toId }, associationSpec: specs[0] },
    );
  }
  return batchReply(labelled ? 201 : 200, startedAt, results, errors);
}

/** `PUT /crm/v4/objects/{from}/{id}/associations[/default]/{to}/{id}`: 200 (default) or 201 (labelled). */
function single(
  ctx: Context,
  request: JsonRequest,
  fromId: string,
  toId: string,
  labelled: boolean,
): JsonReply {
  const problem = missing(ctx, fromId, toId);
  if (problem !== undefined) throw hubspotError(404, 'OBJECT_NOT_FOUND', problem);
  const specs = labelled ? specsOf(request.body) : [defaultSpec(ctx.from, ctx.to)];
  ctx.associations.associate(ctx.from, fromId, ctx.to, toId, specs);
  if (labelled) {
    return {
      status: 201,
      body: {
        fromObjectTypeId: ctx.from.typeId,
        fromObjectId: fromId,
        toObjectTypeId: ctx.to.typeId,
        toObjectId: toId,
        labels: [],
      },
    };
  }
  const startedAt = new Date().toISOString();
  return batchReply(
    200,
    startedAt,
    [{ from: { id: fromId }, to: { id: toId }, associationSpec: specs[0] }],
    [],
  );
}

/** The associations v4 API: `segments` are the path after `/crm/v4/`. */
export function associationRoute(
  objects: Store,
  associations: AssociationStore,
  request: JsonRequest,
  segments: readonly string[],
): JsonReply {
  const notFound = () => hubspotError(404, 'OBJECT_NOT_FOUND', `no route for ${request.url.pathname}`);
  const [root, ...rest] = segments;
  if (root === 'associations' && request.method === 'POST') {
    const [from, to, kind, ...tail] = rest;
    const labelled = kind === 'batch' && tail.join('/') === 'create';
    if (from === undefined || to === undefined || (!labelled && tail.join('/') !== 'associate/default'))
      throw notFound();
    return batch(
      { objects, associations, from: objectType(from), to: objectType(to) },
      request.body,
      labelled,
    );
  }
  if (root === 'objects' && request.method === 'PUT') {
    const [from, fromId, word, ...tail] = rest;
    const labelled = tail[0] !== 'default';
    const [to, toId, extra] = labelled ? tail : tail.slice(1);
    if (
      from === undefined ||
      fromId === undefined ||
      word !== 'associations' ||
      to === undefined ||
      toId === undefined ||
      extra !== undefined
    ) {
      throw notFound();
    }
    return single(
      { objects, associations, from: objectType(from), to: objectType(to) },
      request,
      fromId,
      toId,
      labelled,
    );
  }
  throw notFound();
}
