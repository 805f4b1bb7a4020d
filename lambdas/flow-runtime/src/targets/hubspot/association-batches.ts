import { isPlainObject } from '../../document/json.js';
import type { AssociateRequest, AssociationType } from '../target.js';
import { contextValues, normalizeKey, type BatchKeys } from './batch-answer.js';
import type { BatchEntry, BatchOperation } from './batch-runner.js';
import { apiUrl } from './objects.js';

/** A queued association of two records. */
export interface AssociationEntry extends BatchEntry {
  readonly request: AssociateRequest;
  /** `<from id>|<to id>`, normalized: how results and errors name the pair. */
  readonly key: string;
}

/** What every association of one lane shares: the two object types (v4 path form) and the label. */
export interface AssociationLaneContext {
  readonly label: string;
  readonly baseUrl: string;
  readonly fromType: string;
  readonly toType: string;
  /** `undefined`: HubSpot's default association between the two types. */
  readonly type: AssociationType | undefined;
}

/** The pair key of two record ids. */
export function pairKey(fromId: unknown, toId: unknown): string | undefined {
  const from = normalizeKey(fromId);
  const to = normalizeKey(toId);
  return from === undefined || to === undefined ? undefined : `${from}|${to}`;
}

const idOf = (end: unknown) => (isPlainObject(end) ? end.id : undefined);

/** Results name the pair as `{from: {id}, to: {id}}` (default) or `fromObjectId`/`toObjectId` (labelled). */
const ASSOCIATION_KEYS: BatchKeys = {
  ofResult: (result) => {
    const key = pairKey(result.fromObjectId ?? idOf(result.from), result.toObjectId ?? idOf(result.to));
    return key === undefined ? [] : [key];
  },
  ofError: (error) => {
    const from = contextValues(error, 'fromObjectId');
    const to = contextValues(error, 'toObjectId');
    return from.flatMap((f) => to.flatMap((t) => pairKey(f, t) ?? []));
  },
};

const V4_OBJECTS = '/crm/v4/objects';
const V4_ASSOCIATIONS = '/crm/v4/associations';

/**
 * HubSpot's associations v4 API. Default association: `POST …/batch/associate/default`, alone
 * `PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{id}`. Labelled: `POST …/batch/create`
 * with `types`, alone `PUT /crm/v4/objects/{from}/{id}/associations/{to}/{id}` with the type as body.
 * Associating records that already are associated succeeds, so an unanswered pair is sent again.
 */
export function associationOperation(lane: AssociationLaneContext): BatchOperation<AssociationEntry> {
  const types =
    lane.type === undefined
      ? undefined
      : [{ associationCategory: lane.type.category, associationTypeId: lane.type.typeId }];
  const batchUrl = apiUrl(
    lane.baseUrl,
    V4_ASSOCIATIONS,
    lane.fromType,
    lane.toType,
    'batch',
    ...(types === undefined ? ['associate', 'default'] : ['create']),
  );
  return {
    label: lane.label,
    name: `associate ${lane.fromType} → ${lane.toType}`,
    idempotent: true,
    keys: ASSOCIATION_KEYS,
    properties: () => [],
    result: () => ({}),
    batch: (entries) => ({
      call: {
        method: 'POST',
        url: batchUrl,
        body: {
          inputs: entries.map(({ request }) => ({
            from: { id: request.from.id },
            to: { id: request.to.id },
            ...(types === undefined ? {} : { types }),
          })),
        },
      },
      refs: entries.map((entry, i) => ({ traceId: String(i), key: entry.key })),
    }),
    async lone(entry, send) {
      const { from, to } = entry.request;
      const tail = types === undefined ? ['default', lane.toType, to.id] : [lane.toType, to.id];
      const url = apiUrl(lane.baseUrl, V4_OBJECTS, lane.fromType, from.id, 'associations', ...tail);
      const { error } = await send(
        { method: 'PUT', url, ...(types === undefined ? {} : { body: types }) },
        entry.description,
      );
      if (error !== undefined) throw error;
      return {};
    },
  };
}
