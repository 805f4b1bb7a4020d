import { createHash } from 'node:crypto';
import type { RecordAction, Step, StepAction, StepOf } from '../document/config.js';
import { compileCondition } from '../document/conditions.js';
import type { Envelope, MessageMeta } from '../document/envelope.js';
import { PermanentError, type ErrorContext } from '../errors.js';
import type { ExpressionScope } from '../document/expressions.js';
import type { Emitter, Target, TargetRequest, TargetResult } from '../targets/target.js';
import { isPlainObject } from '../document/json.js';
import { compileValue, type ValueResolver } from '../document/values.js';
import { compileAssociate } from './associate-step.js';
import { describeValue, idText, missingTarget, resolveId } from './step-values.js';

/**
 * One step compiled once per config version: expressions parsed, condition turned into a
 * predicate, target resolved. `run` only evaluates and calls out.
 */
export interface CompiledStep {
  readonly id: string;
  readonly action: StepAction;
  readonly onError: 'fail' | 'continue';
  readonly definition: Step;
  /**
   * Steps that call nothing (transform, filter) answer at once; the others return a promise. The
   * runner awaits only promises: a record's work stays on one synchronous path until its first call.
   */
  run(input: StepInput): StepOutcome | Promise<StepOutcome>;
}

/**
 * Wraps every target call and emit. The handler passes one with backoff bounded by the Lambda's
 * remaining time; the runner's default calls the operation once.
 */
export type RetryPolicy = <T>(operation: (attempt: number) => Promise<T>) => Promise<T>;

/** What a step needs at run time besides its compiled config. */
export interface StepInput {
  readonly scope: ExpressionScope;
  readonly envelope: Envelope;
  readonly meta: MessageMeta;
  readonly eventId: string;
  readonly emitter: Emitter;
  readonly retry: RetryPolicy;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

export interface StepOutcome {
  /** Visible to later steps as `$$.steps.<id>`. */
  readonly result: unknown;
  /** A false filter: the flow ends here, successfully. */
  readonly stop?: boolean;
}

export interface StepPlace {
  readonly connector: string;
  readonly flow: string;
  readonly targets: ReadonlyMap<string, Target>;
}

/** A filter's two outcomes: `$$.steps.<id>` is `{ passed }`, the same (frozen) object every time. */
const PASSED: StepOutcome = Object.freeze({ result: Object.freeze({ passed: true }), stop: false });
const NOT_PASSED: StepOutcome = Object.freeze({ result: Object.freeze({ passed: false }), stop: true });

export function compileStep(step: Step, place: StepPlace): CompiledStep {
  const base = { id: step.id, action: step.action, onError: step.on_error, definition: step };
  const context: ErrorContext = { connector: place.connector, flow: place.flow, step: step.id };
  switch (step.action) {
    case 'transform': {
      const data = compileValue(step.data);
      return { ...base, run: (input) => ({ result: data(input.scope) }) };
    }
    case 'filter': {
      const predicate = compileCondition(step.condition);
      return { ...base, run: (input) => (predicate(input.scope) ? PASSED : NOT_PASSED) };
    }
    case 'emit':
      return { ...base, run: compileEmit(step, context) };
    case 'associate':
      return { ...base, run: compileAssociate(step, place, context) };
    case 'upsert':
    case 'create':
    case 'update':
    case 'delete':
      return { ...base, run: compileRecordAction(step, place, context) };
  }
}

type RecordStepDefinition = StepOf<RecordAction>;

function compileRecordAction(step: RecordStepDefinition, place: StepPlace, context: ErrorContext) {
  const where = `flow "${place.flow}" step "${step.id}"`;
  const data = 'data' in step ? compileValue(step.data) : undefined;
  const id = 'record_id' in step ? compileValue(step.record_id) : undefined;
  const idProperty: string | undefined = step.action === 'create' ? undefined : step.id_property;
  const target = place.targets.get(step.target);
  // Only a create is not idempotent by itself: it carries a key that is the same on every delivery.
  const keyed = step.action === 'create';

  // Not async: a mapping error throws at once, and the call's promise is the step's only one.
  return (input: StepInput): Promise<StepOutcome> => {
    if (target === undefined) throw missingTarget(where, step.target, context);
    // Everything is resolved before the first request: a bad mapping never half-writes a record.
    const record = data === undefined ? undefined : resolveRecord(data, input.scope, step, where, context);
    let recordId: string | undefined;
    if (step.action === 'upsert') {
      recordId = idFromData(record ?? {}, step.id_property, where, context);
    } else if (id !== undefined) {
      recordId = resolveId(id, input.scope, where, context);
    }
    // One object shape for every request (absent fields `undefined`).
    const request: TargetRequest = {
      action: step.action,
      entity: step.entity,
      data: record,
      id: recordId,
      idProperty,
      idempotencyKey: keyed ? idempotencyKeyOf(input.eventId, place.flow, step.id) : undefined,
      signal: input.signal,
    };
    return input
      .retry(() => target.execute(request))
      .then((result) => ({ result: recordResult(step.action, result, recordId) }));
  };
}

function resolveRecord(
  data: ValueResolver,
  scope: ExpressionScope,
  step: RecordStepDefinition,
  where: string,
  context: ErrorContext,
): Record<string, unknown> {
  const value = data(scope);
  if (isPlainObject(value)) return value;
  const spec = 'data' in step && typeof step.data === 'string' ? ` ${JSON.stringify(step.data)}` : '';
  throw new PermanentError(
    `${where}: data${spec} must select an object, but it selected ${describeValue(value)}`,
    {
      context: { ...context, field: 'data' },
    },
  );
}

function idFromData(
  record: Record<string, unknown>,
  idProperty: string,
  where: string,
  context: ErrorContext,
): string {
  const value = Object.hasOwn(record, idProperty) ? record[idProperty] : undefined;
  const id = idText(value);
  if (id === undefined) {
    throw new PermanentError(
      `${where}: id_property "${idProperty}" has no usable value in data (got ${describeValue(value)}); ` +
        'the upsert needs it to find the record',
      { context: { ...context, field: idProperty } },
    );
  }
  return id;
}

function recordResult(action: RecordAction, result: TargetResult, requestedId: string | undefined): unknown {
  const id = result.id ?? requestedId;
  switch (action) {
    case 'upsert':
      return { id, created: result.created ?? false };
    case 'create':
      return { id };
    case 'update':
      return { id };
    case 'delete':
      return { id, deleted: result.deleted ?? true };
  }
}

function compileEmit(step: StepOf<'emit'>, context: ErrorContext) {
  const data = compileValue(step.data);
  const groupId = step.group_id === undefined ? undefined : compileValue(step.group_id);
  const flow = context.flow ?? '';

  return async (input: StepInput): Promise<StepOutcome> => {
    const payload = data(input.scope) ?? null;
    let messageGroupId = input.meta.messageGroupId;
    if (groupId !== undefined) {
      const value = groupId(input.scope);
      if (value !== undefined) {
        const text = idText(value);
        if (text === undefined) {
          throw new PermanentError(
            `flow "${flow}" step "${step.id}": group_id selected ${describeValue(value)}; a non-empty string or number is required`,
            { context: { ...context, field: 'group_id' } },
          );
        }
        messageGroupId = text;
      }
    }
    const deduplicationId = emitDeduplicationId(input.eventId, flow, step.id);
    const envelope: Envelope = {
      connector_id: input.envelope.connector_id,
      source_name: step.source,
      event_type: step.event_type,
      event_id: deduplicationId,
      occurred_at: input.envelope.occurred_at ?? new Date(input.now()).toISOString(),
      payload,
    };
    const sent = await input.retry(() =>
      input.emitter.emit({
        queue: step.queue,
        envelope,
        messageGroupId,
        messageDeduplicationId: deduplicationId,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      }),
    );
    return { result: { message_id: sent.messageId } };
  };
}

/**
 * The FIFO deduplication id of an emit: the same (event, flow, step) always gives the same id, so a
 * redelivered message does not emit twice. JSON array encoding keeps the parts unambiguous.
 */
export function emitDeduplicationId(eventId: string, flowName: string, stepId: string): string {
  return createHash('sha256')
    .update(JSON.stringify([eventId, flowName, stepId]))
    .digest('hex');
}

/**
 * The idempotency key of a non-idempotent target call (a `create`): derived from (event id, flow
 * name, step id) like an emit's deduplication id, so every delivery of an event sends the same key
 * and a target that honours it (`Idempotency-Key` on http targets) creates the record once.
 */
export function idempotencyKeyOf(eventId: string, flowName: string, stepId: string): string {
  return emitDeduplicationId(eventId, flowName, stepId);
}
