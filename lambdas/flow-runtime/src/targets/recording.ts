import type { TargetAction, TargetDefinition } from '../document/config.js';
import type { Envelope } from '../document/envelope.js';
import { parseJsonExact } from '../document/json.js';
import type {
  AssociationEndpoint,
  AssociationType,
  EmitRequest,
  Emitter,
  RecordRequest,
  Target,
  TargetFactory,
  TargetRequest,
  TargetResult,
} from './target.js';

/**
 * In-memory targets and emitter that record every call: for tests, the CLI's `--dry-run` and
 * benchmarks. Ids are deterministic (`<target>-1`, `<target>-2`, … and `msg-1`, …), an upsert of an
 * already-seen id property value reports `created: false`, and any target (or the emitter) can be
 * told to fail its next N calls with a given error.
 *
 * @example
 * const recording = createRecordingTargets();
 * const compiled = compileConfig(config, { targetFactory: recording.factory });
 * recording.failNext('hubspot', new RetryableError('HubSpot 503'));
 * await runFlows(compiled, envelope, meta, { emitter: recording.emitter });
 * expect(recording.calls).toEqual([...]);
 */

/**
 * One call a recording target received, in the order received. An `associate` call records its
 * `from` record as `entity` and `id`, and the other end as `to`.
 */
export interface RecordedCall {
  readonly target: string;
  readonly kind: string;
  readonly action: TargetAction;
  readonly entity: string;
  readonly id?: string;
  readonly idProperty?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly to?: AssociationEndpoint;
  /** A labelled association's type; absent for the default association. */
  readonly type?: AssociationType;
  /** A create's idempotency key (see `TargetRequest.idempotencyKey`). */
  readonly idempotencyKey?: string;
}

/** One message a recording emitter accepted. */
export interface RecordedEmit {
  readonly queue: EmitRequest['queue'];
  readonly envelope: Envelope;
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
  readonly messageId: string;
}

/** Queued failures: the next `times` calls throw `error` (the same instance each time). */
class FailurePlan {
  private readonly queue: Error[] = [];

  add(error: Error, times: number): void {
    for (let i = 0; i < times; i += 1) this.queue.push(error);
  }

  /** Throws the next planned failure, if any. */
  consume(): void {
    const error = this.queue.shift();
    if (error !== undefined) throw error;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

export class RecordingEmitter implements Emitter {
  /** Every accepted message, in order. Failed attempts are not recorded. */
  readonly emitted: RecordedEmit[] = [];
  private readonly failures = new FailurePlan();
  private sequence = 0;

  async emit(request: EmitRequest): Promise<{ readonly messageId: string }> {
    await Promise.resolve();
    this.failures.consume();
    this.sequence += 1;
    const messageId = `msg-${this.sequence}`;
    const { queue, envelope, messageGroupId, messageDeduplicationId } = request;
    this.emitted.push({ queue, envelope, messageGroupId, messageDeduplicationId, messageId });
    return { messageId };
  }

  /** The next `times` emits throw `error` (e.g. a `RetryableError`). */
  failNext(error: Error, times = 1): this {
    this.failures.add(error, times);
    return this;
  }

  clear(): void {
    this.emitted.length = 0;
    this.failures.clear();
    this.sequence = 0;
  }
}

export interface RecordingTargets {
  /** Pass to `compileConfig({ targetFactory })`: one recording target per definition. */
  readonly factory: TargetFactory;
  /** A recording emitter to pass as `RunDependencies.emitter`. */
  readonly emitter: RecordingEmitter;
  /** Every successful target call across all targets, in order. */
  readonly calls: readonly RecordedCall[];
  /** Successful calls to one target, in order. */
  callsTo(targetName: string): readonly RecordedCall[];
  /** The next `times` calls to `targetName` throw `error` (e.g. `new PermanentError('400')`). */
  failNext(targetName: string, error: Error, times?: number): RecordingTargets;
  /** Every call attempted, including the ones that were made to fail. */
  readonly attempts: readonly RecordedCall[];
  /** Forgets calls, planned failures, stored records and id sequences. */
  clear(): void;
}

/**
 * Creates a set of recording targets sharing one call log. Targets may be created before or after
 * `failNext` is called for their name.
 */
export function createRecordingTargets(): RecordingTargets {
  const calls: RecordedCall[] = [];
  const attempts: RecordedCall[] = [];
  const failures = new Map<string, FailurePlan>();
  const stores = new Map<string, RecordStore>();
  const emitter = new RecordingEmitter();
  const planFor = (name: string) => {
    let plan = failures.get(name);
    if (plan === undefined) failures.set(name, (plan = new FailurePlan()));
    return plan;
  };
  const storeFor = (name: string) => {
    let store = stores.get(name);
    if (store === undefined) stores.set(name, (store = new RecordStore(name)));
    return store;
  };

  const factory: TargetFactory = (definition: TargetDefinition): Target => ({
    name: definition.name,
    kind: definition.kind,
    async execute(request: TargetRequest): Promise<TargetResult> {
      await Promise.resolve();
      const call = recordedCall(definition, request);
      attempts.push(call);
      planFor(definition.name).consume();
      calls.push(call);
      return storeFor(definition.name).apply(request);
    },
  });

  const recording: RecordingTargets = {
    factory,
    emitter,
    calls,
    attempts,
    callsTo: (targetName) => calls.filter((call) => call.target === targetName),
    failNext: (targetName, error, times = 1) => {
      planFor(targetName).add(error, times);
      return recording;
    },
    clear: () => {
      calls.length = 0;
      attempts.length = 0;
      failures.clear();
      stores.clear();
      emitter.clear();
    },
  };
  return recording;
}

function recordedCall(definition: TargetDefinition, request: TargetRequest): RecordedCall {
  const target = { target: definition.name, kind: definition.kind };
  if (request.action === 'associate') {
    return {
      ...target,
      action: request.action,
      entity: request.from.entity,
      id: request.from.id,
      to: { entity: request.to.entity, id: request.to.id },
      ...(request.type === undefined ? {} : { type: request.type }),
    };
  }
  return {
    ...target,
    action: request.action,
    entity: request.entity,
    ...(request.id === undefined ? {} : { id: request.id }),
    ...(request.idProperty === undefined ? {} : { idProperty: request.idProperty }),
    // A JSON copy that keeps numbers too long for a double as written (structuredClone would not).
    ...(request.data === undefined ? {} : { data: copyJson(request.data) }),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
  };
}

/** Which record ids a recording target has handed out, so upserts and deletes answer realistically. */
class RecordStore {
  private sequence = 0;
  /** `[entity, idProperty ?? "id", value]` (JSON) → record id. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly targetName: string) {}

  apply(request: TargetRequest): TargetResult {
    // Associating records that already are associated succeeds: nothing to remember.
    if (request.action === 'associate') return {};
    switch (request.action) {
      case 'create':
        return { id: this.nextId() };
      case 'upsert': {
        const key = this.key(request);
        const existing = this.ids.get(key);
        if (existing !== undefined) return { id: existing, created: false };
        const id = this.nextId();
        this.ids.set(key, id);
        return { id, created: true };
      }
      case 'update':
        return { id: this.ids.get(this.key(request)) ?? request.id };
      case 'delete': {
        const key = this.key(request);
        const existing = this.ids.get(key);
        this.ids.delete(key);
        return { id: existing ?? request.id, deleted: true };
      }
    }
  }

  private key(request: RecordRequest): string {
    return JSON.stringify([request.entity, request.idProperty ?? 'id', request.id]);
  }

  private nextId(): string {
    this.sequence += 1;
    return `${this.targetName}-${this.sequence}`;
  }
}

function copyJson(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return parseJsonExact(JSON.stringify(data)) as Record<string, unknown>;
}
