import type { Envelope } from '../document/envelope.js';
import type { AssociationCategory, QueueName, RecordAction, TargetDefinition } from '../document/config.js';

/**
 * The record operation a step asks a target for. Values are already resolved from expressions;
 * a target never sees JSONPath.
 */
export interface RecordRequest {
  readonly action: RecordAction;
  /** The entity / object type from the step, e.g. `company`. */
  readonly entity: string;
  /** The record's fields (upsert, create, update). */
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * upsert: the value of `id_property` in `data`; update/delete: the step's resolved `id`.
   */
  readonly id?: string;
  /** The unique property `id` refers to (upsert always; update/delete when the id is not the record id). */
  readonly idProperty?: string;
  /**
   * Set for actions that are not idempotent by themselves (`create`): the same on every delivery
   * of the event, derived from (event id, flow, step). Http targets send it as `Idempotency-Key`.
   */
  readonly idempotencyKey?: string;
  /** Aborted when the Lambda is about to run out of time. */
  readonly signal?: AbortSignal;
}

/** One end of an association: a record of an object type. */
export interface AssociationEndpoint {
  readonly entity: string;
  readonly id: string;
}

/** A labelled association's type: HubSpot's `{associationCategory, associationTypeId}`. */
export interface AssociationType {
  readonly category: AssociationCategory;
  readonly typeId: number;
}

/** Link two records (`associate` step); without `type`, the default association of their object types. */
export interface AssociateRequest {
  readonly action: 'associate';
  readonly from: AssociationEndpoint;
  readonly to: AssociationEndpoint;
  readonly type?: AssociationType;
  /** Aborted when the Lambda is about to run out of time. */
  readonly signal?: AbortSignal;
}

/** What a step asks a target for. */
export type TargetRequest = RecordRequest | AssociateRequest;

/** What a record action reports, visible to later steps as `$$.steps.<id>`. */
export interface TargetResult {
  readonly id?: string;
  readonly created?: boolean;
  readonly deleted?: boolean;
}

/**
 * A destination system (HubSpot, a generic HTTP API, a recorder in tests). Implementations map
 * failures to `RetryableError` (network, timeout, 429, 5xx) or `PermanentError` (other 4xx) and
 * never put secrets into error messages.
 */
export interface Target {
  readonly name: string;
  readonly kind: string;
  execute(request: TargetRequest): Promise<TargetResult>;
}

/** Builds a target from its config definition. Called once per config version and target. */
export type TargetFactory = (definition: TargetDefinition) => Target;

/** A new message for a sync queue, produced by an `emit` step. */
export interface EmitRequest {
  readonly queue: QueueName;
  readonly envelope: Envelope;
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
  readonly signal?: AbortSignal;
}

/** Sends `emit` messages (SQS in Lambda, an in-memory queue locally). */
export interface Emitter {
  emit(request: EmitRequest): Promise<{ readonly messageId: string }>;
}
