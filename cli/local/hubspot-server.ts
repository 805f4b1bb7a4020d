import {
  bearerToken,
  HttpReplyError,
  startJsonServer,
  type JsonReply,
  type JsonRequest,
} from './json-http.js';
import type { LocalTargetOptions, RecordedRequest } from './json-http.js';
import { associationRoute, AssociationStore, type LocalAssociation } from './hubspot/associations.js';
import { objectRoute, type BatchBehaviour } from './hubspot/object-routes.js';
import { objectType, storeName } from './hubspot/object-types.js';
import { DEFAULT_LOCAL_RATE_LIMIT, RateLimits, type LocalRateLimit } from './hubspot/rate-limit.js';
import { hubspotError } from './hubspot/replies.js';
import { Store, type HubSpotObject, type PropertySchemas } from './hubspot/store.js';

export type { HubSpotObject, PropertySchemas } from './hubspot/store.js';
export type { LocalAssociation } from './hubspot/associations.js';
export type { LocalRateLimit } from './hubspot/rate-limit.js';

export interface HubSpotServerOptions extends LocalTargetOptions {
  /** Rolling-window and daily limits per token. @default 100 requests per 10 s (HubSpot's Free/Starter) */
  readonly rateLimit?: LocalRateLimit;
  /** The clock of the rate limits. @default Date.now */
  readonly now?: () => number;
  /** Known properties per object type; types not listed take any property. @default {} */
  readonly properties?: PropertySchemas;
  /** Echo `objectWriteTraceId` on batch results. @default false, as real answers were seen */
  readonly echoTraceIds?: boolean;
  /** The order batch results come back in. @default input order */
  readonly resultOrder?: <T>(results: readonly T[]) => readonly T[];
}

export interface LocalHubSpot {
  /** The base URL to put in a hubspot target's `base_url`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** The live (not archived) objects of a type, named as a step may name it (`company`, `companies`, `0-2`). */
  objects(objectType: string): readonly HubSpotObject[];
  /** Every association made, one entry per pair of records. */
  associations(): readonly LocalAssociation[];
  close(): Promise<void>;
}

function route(
  objects: Store,
  associations: AssociationStore,
  behaviour: BatchBehaviour,
  request: JsonRequest,
): JsonReply {
  const segments = request.url.pathname.split('/').slice(1).map(decodeURIComponent);
  const [crm, version, ...rest] = segments;
  if (crm === 'crm' && version === 'v3' && rest[0] === 'objects' && rest[1] !== undefined) {
    return objectRoute(objects, objectType(rest[1]), behaviour, request, rest.slice(2));
  }
  if (crm === 'crm' && version === 'v4') return associationRoute(objects, associations, request, rest);
  throw hubspotError(404, 'OBJECT_NOT_FOUND', `no route for ${request.url.pathname}`);
}

/** Answers with the route's reply or error, the rate-limit headers added either way. */
function withHeaders(headers: Readonly<Record<string, string>>, answer: () => JsonReply): JsonReply {
  let reply: JsonReply;
  try {
    reply = answer();
  } catch (error) {
    if (!(error instanceof HttpReplyError)) throw error;
    reply = error.reply;
  }
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

/**
 * A local HubSpot on 127.0.0.1 (a free port) with an in-memory store, answering as HubSpot does:
 *
 * - CRM v3 objects: create, read, update (by id or `?idProperty=`), archive, and
 *   `batch/{upsert,create,update,archive}` with HubSpot's statuses (201 / 200 / 207 with
 *   per-input `errors`), whole-call 400s for invalid properties and duplicate ids, `409` for an
 *   untraced create conflict; any object type HubSpot names (plural, singular, type id, custom);
 * - associations v4: default and labelled, single (`PUT`) and batch, idempotent;
 * - rate limits per token: `X-HubSpot-RateLimit-*` on every answer, 429s with `policyName`.
 *
 * Errors use HubSpot's body shape (`status`, `message`, `correlationId`, `category`).
 */
export async function startHubSpotServer(options: HubSpotServerOptions = {}): Promise<LocalHubSpot> {
  const objects = new Store(options.properties);
  const associations = new AssociationStore();
  const limits = new RateLimits(options.rateLimit ?? DEFAULT_LOCAL_RATE_LIMIT, options.now ?? Date.now);
  const behaviour: BatchBehaviour = {
    echoTraceIds: options.echoTraceIds ?? false,
    order: options.resultOrder ?? ((results) => results),
  };
  const server = await startJsonServer((request) => {
    const token = bearerToken(request.headers);
    if (token === undefined || (options.token !== undefined && token !== options.token)) {
      throw hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    }
    const admission = limits.admit(token);
    return withHeaders(admission.headers, () => {
      if (admission.rejection !== undefined) return admission.rejection;
      return options.fault?.(request) ?? route(objects, associations, behaviour, request);
    });
  });
  return {
    url: server.url,
    requests: server.requests,
    objects: (type) => objects.list(storeName(type)).filter((o) => !o.archived),
    associations: () => associations.list(),
    close: () => server.close(),
  };
}
