import type { HubSpotTargetDefinition } from '../../document/config.js';
import { Coalescer, type CoalescedEntry } from '../coalescer.js';
import type { RateLimiter } from '../rate-limiter.js';
import { createRemoteTarget, type RemoteTargetKit, type RemoteTargetOptions } from '../remote-target.js';
import { encodePathSegment } from '../url-path.js';
import type { AssociateRequest, RecordRequest, Target, TargetResult } from '../target.js';
import { associationOperation, pairKey, type AssociationEntry } from './association-batches.js';
import { normalizeKey } from './batch-answer.js';
import { runBatch, type BatchEntry, type BatchOperation, type SendCall } from './batch-runner.js';
import {
  createOperation,
  HUBSPOT_MAX_BATCH_INPUTS,
  updateOperation,
  upsertOperation,
  type ObjectEntry,
} from './object-batches.js';
import {
  apiUrl,
  HUBSPOT_DEFAULT_BASE_URL,
  hubspotAssociationObjectType,
  hubspotObjectType,
  toHubSpotProperties,
} from './objects.js';
import { hubspotRetryAfterSeconds, observeHubSpotResponse } from './rate-limit.js';
import { archiveRecord } from './archive.js';

export interface HubSpotTargetOptions extends RemoteTargetOptions {
  /** This container's limiter for the target's HubSpot app: shared by every group and config version. */
  readonly limiter: RateLimiter;
  /** Jitter of rate-limit pauses. @default Math.random */
  readonly random?: () => number;
  /** Most inputs a batch call carries. @default 100 (HubSpot's limit) */
  readonly maxBatchSize?: number;
  /** When queued requests are flushed. @default setImmediate */
  readonly schedule?: (task: () => void) => void;
}

/** How an entry is settled: the two sides of its caller's promise. */
type Settle = Pick<BatchEntry, 'succeed' | 'fail'>;

/**
 * A HubSpot CRM target. Upserts, creates and updates of one object type (and associations of one
 * pair of object types and label) that the message groups of an invocation issue at about the same
 * time are sent together through HubSpot's batch endpoints (at most 100 inputs a call); a request
 * that is alone when its lane is flushed uses the single-record endpoint. Every call waits for the
 * target's rate limiter, which reads HubSpot's rate-limit headers and 429s. Deletes are sent one by
 * one (archive by id; by a unique property, a lookup first).
 */
export function createHubSpotTarget(
  definition: HubSpotTargetDefinition,
  options: HubSpotTargetOptions,
): Target {
  const baseUrl = definition.base_url ?? HUBSPOT_DEFAULT_BASE_URL;
  const { limiter } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const clientOptions = {
    observe: (response: Parameters<typeof observeHubSpotResponse>[1]) =>
      observeHubSpotResponse(limiter, response, random, now()),
    retryAfterHint: (response: Parameters<typeof hubspotRetryAfterSeconds>[1]) =>
      hubspotRetryAfterSeconds(limiter, response),
  };
  return createRemoteTarget(definition, options, clientOptions, (kit) => ({
    ...objectActions(kit, baseUrl, lanes<ObjectEntry>(kit, limiter, options)),
    delete(request) {
      kit.segment(request, 'the record id', kit.required(request, 'an id', request.id));
      const objectUrl = (id: string) =>
        apiUrl(baseUrl, '/crm/v3/objects', hubspotObjectType(request.entity), id);
      return archiveRecord(kit, request, objectUrl, (http) =>
        limiter.acquire(request.signal).then(() => kit.call(request, http)),
      );
    },
    associate: associateAction(kit, baseUrl, lanes<AssociationEntry>(kit, limiter, options)),
  }));
}

type Lanes<E extends BatchEntry> = ReturnType<typeof lanes<E>>;

/** upsert, create and update: queued per object type (and id property), sent alone or in batches. */
function objectActions(kit: RemoteTargetKit, baseUrl: string, objects: Lanes<ObjectEntry>) {
  const objectLane = (request: RecordRequest) => ({
    label: kit.label,
    baseUrl,
    objectType: hubspotObjectType(request.entity),
  });
  const base = (request: RecordRequest) => ({
    request,
    description: `${request.action} ${request.entity}`,
    properties: toHubSpotProperties(request.data ?? {}),
    signal: request.signal,
  });
  return {
    upsert(request: RecordRequest) {
      const { idProperty, id } = kit.upsertKey(request);
      const lane = objectLane(request);
      return objects.enqueue(
        ['upsert', lane.objectType, idProperty],
        () => upsertOperation(lane, idProperty),
        (settle) => ({ ...base(request), ...settle, idProperty, id, ...keyed(normalizeKey(id)) }),
      );
    },
    create(request: RecordRequest) {
      const lane = objectLane(request);
      return objects.enqueue(
        ['create', lane.objectType],
        () => createOperation(lane),
        (settle) => ({ ...base(request), ...settle }),
      );
    },
    update(request: RecordRequest) {
      const id = kit.required(request, 'an id', request.id);
      // Refused here, before it joins a batch: an id no URL can carry fails its own record only.
      kit.segment(request, 'the record id', id);
      const idProperty = request.idProperty === '' ? undefined : request.idProperty;
      const lane = objectLane(request);
      return objects.enqueue(
        ['update', lane.objectType, idProperty ?? ''],
        () => updateOperation(lane, idProperty),
        (settle) => ({
          ...base(request),
          ...settle,
          id,
          ...(idProperty === undefined ? {} : { idProperty }),
          ...keyed(idProperty === undefined ? id : normalizeKey(id)),
        }),
      );
    },
  };
}

/** associate: queued per pair of object types and label, sent alone or in batches. */
function associateAction(kit: RemoteTargetKit, baseUrl: string, associations: Lanes<AssociationEntry>) {
  return (request: AssociateRequest) => {
    for (const end of [request.from, request.to]) {
      encodePathSegment(kit.label, `associate ${end.entity}`, 'the record id', end.id);
    }
    const fromType = hubspotAssociationObjectType(request.from.entity);
    const toType = hubspotAssociationObjectType(request.to.entity);
    const { type } = request;
    const lane = { label: kit.label, baseUrl, fromType, toType, type };
    return associations.enqueue(
      ['associate', fromType, toType, type === undefined ? 'default' : `${type.category}:${type.typeId}`],
      () => associationOperation(lane),
      (settle) => ({
        ...settle,
        request,
        description: `associate ${request.from.entity} → ${request.to.entity}`,
        key: pairKey(request.from.id, request.to.id) ?? `${request.from.id}|${request.to.id}`,
        signal: request.signal,
      }),
    );
  };
}

function keyed(key: string | undefined): { key?: string } {
  return key === undefined ? {} : { key };
}

/** One coalescer per kind of entry; each lane's batch operation is built once and reused. */
function lanes<E extends BatchEntry & { readonly key?: string | undefined }>(
  kit: RemoteTargetKit,
  limiter: RateLimiter,
  options: HubSpotTargetOptions,
) {
  const operations = new Map<string, BatchOperation<E>>();
  const coalescer = new Coalescer<E>({
    maxBatchSize: Math.max(
      1,
      Math.min(options.maxBatchSize ?? HUBSPOT_MAX_BATCH_INPUTS, HUBSPOT_MAX_BATCH_INPUTS),
    ),
    conflictKey: (entry) => entry.key,
    acquire: (signal) => limiter.acquire(signal),
    send: async (laneKey, entries) => {
      const operation = operations.get(laneKey);
      if (operation !== undefined)
        await runBatch(operation, entries, sender(kit, limiter, signalOf(entries)));
    },
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  });
  return {
    /** Queues one request on its lane; resolves or rejects with that request's own outcome. */
    enqueue(laneParts: readonly string[], build: () => BatchOperation<E>, make: (settle: Settle) => E) {
      const laneKey = laneParts.join('\n');
      if (!operations.has(laneKey)) operations.set(laneKey, build());
      return new Promise<TargetResult>((resolve, reject) => {
        coalescer.submit(laneKey, make({ succeed: resolve, fail: reject }));
      });
    },
  };
}

/** The calls of one batch: the first uses the slot the coalescer took, every later one (narrowing) takes its own. */
function sender(kit: RemoteTargetKit, limiter: RateLimiter, signal: AbortSignal | undefined): SendCall {
  let slotHeld = true;
  return async (call, operation) => {
    if (slotHeld) slotHeld = false;
    else await limiter.acquire(signal);
    return kit.exchange(operation, signal, call);
  };
}

function signalOf(entries: readonly CoalescedEntry[]): AbortSignal | undefined {
  const signals = [
    ...new Set(entries.flatMap((entry) => (entry.signal === undefined ? [] : [entry.signal]))),
  ];
  return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
}
