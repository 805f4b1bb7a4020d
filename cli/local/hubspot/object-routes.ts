import type { JsonReply, JsonRequest } from '../json-http.js';
import type { ObjectType } from './object-types.js';
import { batchInputs, batchReply, hubspotError, itemError, type ItemError } from './replies.js';
import { propertiesOf, view, type HubSpotObject, type Store } from './store.js';

/** How the local HubSpot answers batches; tests vary these to play HubSpot's less obliging sides. */
export interface BatchBehaviour {
  /** Echo each input's `objectWriteTraceId` on its result (HubSpot's schema allows it; real answers were seen without). */
  readonly echoTraceIds: boolean;
  /** The order results come back in (HubSpot promises none). */
  readonly order: <T>(results: readonly T[]) => readonly T[];
}

interface Context {
  readonly store: Store;
  readonly type: ObjectType;
  readonly behaviour: BatchBehaviour;
}

type Input = Record<string, unknown>;

const traceIdOf = (input: Input) =>
  typeof input.objectWriteTraceId === 'string' ? input.objectWriteTraceId : undefined;

function withTrace(ctx: Context, input: Input, result: Record<string, unknown>): Record<string, unknown> {
  const traceId = traceIdOf(input);
  return ctx.behaviour.echoTraceIds && traceId !== undefined
    ? { ...result, objectWriteTraceId: traceId }
    : result;
}

function stringField(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw hubspotError(
      400,
      'VALIDATION_ERROR',
      `Invalid input JSON: every input needs a non-empty "${field}"`,
    );
  }
  return value;
}

function rejectDuplicates(keys: readonly string[]): void {
  const seen = new Set<string>();
  const duplicates = keys.filter((key) => seen.size === seen.add(key.toLowerCase()).size);
  if (duplicates.length === 0) return;
  throw hubspotError(
    400,
    'VALIDATION_ERROR',
    `Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`,
    {
      context: { ids: duplicates },
    },
  );
}

function rejectNonUnique(ctx: Context, idProperty: string): void {
  if (idProperty !== 'hs_object_id') return;
  throw hubspotError(
    400,
    'VALIDATION_ERROR',
    `Unable to perform update/upsert by non-unique ${ctx.type.typeId} property ${idProperty} in portal ID 0`,
  );
}

/** `POST …/batch/upsert`: 200 whether records were created or updated; `new` tells which. */
function batchUpsert(ctx: Context, body: unknown): JsonReply {
  const startedAt = new Date().toISOString();
  const inputs = batchInputs(body).map((input) => ({
    input,
    id: stringField(input, 'id'),
    idProperty: stringField(input, 'idProperty'),
    properties: propertiesOf(input.properties),
  }));
  for (const { idProperty } of inputs) rejectNonUnique(ctx, idProperty);
  rejectDuplicates(inputs.map(({ idProperty, id }) => `${idProperty}=${id}`));
  ctx.store.validate(
    ctx.type.name,
    inputs.map(({ properties }) => properties),
  );
  const results = inputs.map(({ input, id, idProperty, properties }) => {
    const existing = ctx.store.find(ctx.type.name, id, idProperty);
    const object =
      existing === undefined
        ? ctx.store.create(ctx.type.name, { ...properties, [idProperty]: id })
        : ctx.store.update(ctx.type.name, existing, properties);
    return withTrace(ctx, input, view(object, { new: existing === undefined }));
  });
  return batchReply(200, startedAt, ctx.behaviour.order(results), []);
}

/**
 * `POST …/batch/create`: 201. A contact whose e-mail exists fails: with `objectWriteTraceId` on
 * every input, only that input (207, the trace id in `context`); without, the whole call (409).
 */
function batchCreate(ctx: Context, body: unknown): JsonReply {
  const startedAt = new Date().toISOString();
  const inputs = batchInputs(body).map((input) => ({ input, properties: propertiesOf(input.properties) }));
  ctx.store.validate(
    ctx.type.name,
    inputs.map(({ properties }) => properties),
  );
  const traced = inputs.every(({ input }) => traceIdOf(input) !== undefined);
  const results: Record<string, unknown>[] = [];
  const errors: ItemError[] = [];
  for (const { input, properties } of inputs) {
    const existing = ctx.store.conflict(ctx.type.name, properties);
    if (existing === undefined) {
      results.push(withTrace(ctx, input, view(ctx.store.create(ctx.type.name, properties))));
      continue;
    }
    const message = `Contact already exists. Existing ID: ${existing.id}`;
    if (!traced) throw hubspotError(409, 'CONFLICT', message);
    errors.push(
      itemError('CONFLICT', message, {
        objectWriteTraceId: [traceIdOf(input) ?? ''],
        existingId: [existing.id],
      }),
    );
  }
  return batchReply(201, startedAt, ctx.behaviour.order(results), errors);
}

/** `POST …/batch/update`: 200; an id that matches no record is that input's `OBJECT_NOT_FOUND` (207). */
function batchUpdate(ctx: Context, body: unknown): JsonReply {
  const startedAt = new Date().toISOString();
  const inputs = batchInputs(body).map((input) => ({
    input,
    id: stringField(input, 'id'),
    idProperty: typeof input.idProperty === 'string' ? input.idProperty : undefined,
    properties: propertiesOf(input.properties),
  }));
  for (const { idProperty } of inputs) if (idProperty !== undefined) rejectNonUnique(ctx, idProperty);
  rejectDuplicates(inputs.map(({ id }) => id));
  ctx.store.validate(
    ctx.type.name,
    inputs.map(({ properties }) => properties),
  );
  const results: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const { input, id, idProperty, properties } of inputs) {
    const existing = ctx.store.find(ctx.type.name, id, idProperty);
    if (existing === undefined) missing.push(id);
    else results.push(withTrace(ctx, input, view(ctx.store.update(ctx.type.name, existing, properties))));
  }
  const message = `Could not get some ${ctx.type.label} objects, they may be deleted or not exist. Check that ids are valid.`;
  const errors = missing.length === 0 ? [] : [itemError('OBJECT_NOT_FOUND', message, { ids: missing })];
  return batchReply(200, startedAt, ctx.behaviour.order(results), errors);
}

/** `POST …/batch/archive`: 204, also for ids that do not exist. */
function batchArchive(ctx: Context, body: unknown): JsonReply {
  for (const input of batchInputs(body)) {
    const existing = ctx.store.find(ctx.type.name, stringField(input, 'id'), null);
    if (existing !== undefined) existing.archived = true;
  }
  return { status: 204 };
}

const BATCHES: Readonly<Record<string, (ctx: Context, body: unknown) => JsonReply>> = {
  upsert: batchUpsert,
  create: batchCreate,
  update: batchUpdate,
  archive: batchArchive,
};

function single(ctx: Context, request: JsonRequest, recordId: string | undefined): JsonReply {
  const { method, body } = request;
  const properties = () => propertiesOf((body as { properties?: unknown } | undefined)?.properties);
  if (recordId === undefined) {
    if (method !== 'POST') throw hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not supported here`);
    const wanted = properties();
    ctx.store.validate(ctx.type.name, [wanted]);
    const existing = ctx.store.conflict(ctx.type.name, wanted);
    if (existing !== undefined)
      throw hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
    return { status: 201, body: view(ctx.store.create(ctx.type.name, wanted)) };
  }
  const existing = ctx.store.find(ctx.type.name, recordId, request.url.searchParams.get('idProperty'));
  const found = (): HubSpotObject => {
    if (existing === undefined)
      throw hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found. objectId are usually numeric.');
    return existing;
  };
  switch (method) {
    case 'GET':
      return { status: 200, body: view(found()) };
    case 'PATCH': {
      const wanted = properties();
      ctx.store.validate(ctx.type.name, [wanted]);
      return { status: 200, body: view(ctx.store.update(ctx.type.name, found(), wanted)) };
    }
    case 'DELETE':
      // Like HubSpot, archiving is idempotent: a missing record answers 204 too.
      if (existing !== undefined) existing.archived = true;
      return { status: 204 };
    default:
      throw hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not supported here`);
  }
}

/**
 * The CRM v3 objects API under `/crm/v3/objects/{type}`: create, read, update (by id or
 * `?idProperty=`), archive, and `batch/{upsert,create,update,archive}`. `segments` follow the type.
 */
export function objectRoute(
  store: Store,
  type: ObjectType,
  behaviour: BatchBehaviour,
  request: JsonRequest,
  segments: readonly string[],
): JsonReply {
  const ctx = { store, type, behaviour };
  const [first, second, ...rest] = segments;
  if (first === 'batch' && second !== undefined && rest.length === 0 && request.method === 'POST') {
    const batch = Object.hasOwn(BATCHES, second) ? BATCHES[second] : undefined;
    if (batch !== undefined) return batch(ctx, request.body);
  }
  if (second !== undefined)
    throw hubspotError(404, 'OBJECT_NOT_FOUND', `no route for ${request.url.pathname}`);
  return single(ctx, request, first);
}
