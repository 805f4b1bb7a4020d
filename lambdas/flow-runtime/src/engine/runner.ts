import type { CompiledConfig, CompiledFlow } from './compile.js';
import type { Envelope } from '../document/envelope.js';
import { eventIdOf, type MessageMeta } from '../document/parse-envelope.js';
import { describeError, errorClassOf, RetryableError, withErrorContext } from '../errors.js';
import { flowCheckpoint, type CompletedStep, type FlowCheckpoint, type RunCheckpoint } from './checkpoint.js';
import type { FlowReport, ReportedError, RunReport, StepReport } from './report.js';
import type { CompiledStep, RetryPolicy, StepInput, StepOutcome } from './steps.js';

export type { RetryPolicy } from './steps.js';
import type { Emitter } from '../targets/target.js';
import { setOwn } from '../document/json.js';

export interface RunDependencies {
  readonly emitter: Emitter;
  /** @default call once, no retry */
  readonly retry?: RetryPolicy;
  /** @default Date.now */
  readonly now?: () => number;
  /** Aborted when the Lambda is about to time out: no further step starts. */
  readonly signal?: AbortSignal;
  /**
   * What earlier deliveries of this message finished (see `checkpointOf`): finished flows do not
   * run again, and completed steps are not called again (their saved results feed `$$.steps`).
   */
  readonly resume?: RunCheckpoint;
}

export interface RunOutcome {
  readonly report: RunReport;
  /**
   * Set iff `report.status === 'failed'`: the typed error, with connector/flow/step in its context.
   * When several flows failed, the first one that can never succeed (poison or permanent) wins,
   * else the first failure.
   */
  readonly error?: Error;
  /** Where `error` happened: its flow and step. Set with `error`. */
  readonly failedAt?: { readonly flow: string; readonly step: string };
}

interface Failure {
  readonly error: Error;
  readonly flow: string;
  readonly step: string;
}

const callOnce: RetryPolicy = (operation) => operation(1);

/**
 * Runs every flow matching the envelope, in declared order, each flow's steps in order. Never
 * throws for a step failure: the outcome carries the report and, when the run failed, the error.
 *
 * - no matching flow: status `no_match` (a success);
 * - flows are independent: each runs whatever happened to the flows before it;
 * - a false filter ends its flow (`filtered`), later steps `skipped`;
 * - a failing step with `on_error: continue` records `{ error: { class, name, message } }` as its
 *   result and the flow goes on;
 * - a failing step with `on_error: fail` (the default) stops its flow (later steps `skipped`);
 *   the other flows still run, and the run's status is `failed`;
 * - with `resume`, what an earlier delivery finished is reported `resumed` and not run again.
 */
export function runFlows(
  compiled: CompiledConfig,
  envelope: Envelope,
  meta: MessageMeta,
  deps: RunDependencies,
): Promise<RunOutcome> {
  try {
    const outcome = startFlows(compiled, envelope, meta, deps);
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
  } catch (error) {
    // As an async function would: whatever goes wrong is a rejection, never a throw.
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * {@link runFlows}, answering at once when no step waits for anything (no match, or only
 * transforms and filters). The steps of a flow run on one synchronous path up to their first call
 * out, and the run goes on from where that call settles: no promise per flow or step that has
 * nothing to wait for.
 */
export function startFlows(
  compiled: CompiledConfig,
  envelope: Envelope,
  meta: MessageMeta,
  deps: RunDependencies,
): RunOutcome | Promise<RunOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const flows = compiled.matchFlows(envelope.source_name, envelope.event_type);
  if (flows.length === 0) {
    return { report: { status: 'no_match', flowsMatched: [], flows: [], durationMs: now() - started } };
  }
  const eventId = eventIdOf(envelope, meta);
  const run: Run = {
    connector: compiled.connectorId,
    envelope,
    meta,
    deps,
    now,
    started,
    flows,
    eventId,
    envelopeContext: {
      connector_id: envelope.connector_id,
      source_name: envelope.source_name,
      event_type: envelope.event_type,
      event_id: eventId,
      message_id: meta.messageId,
      message_group_id: meta.messageGroupId,
    },
    retry: deps.retry ?? callOnce,
    reports: [],
    failures: [],
  };
  return flowsFrom(run, 0);
}

/** One run of the matched flows of a message. */
interface Run {
  readonly connector: string;
  readonly envelope: Envelope;
  readonly meta: MessageMeta;
  readonly deps: RunDependencies;
  readonly now: () => number;
  readonly started: number;
  readonly flows: readonly CompiledFlow[];
  readonly eventId: string;
  /** `$$.envelope`, the same object for every flow. */
  readonly envelopeContext: Readonly<Record<string, string>>;
  readonly retry: RetryPolicy;
  readonly reports: FlowReport[];
  readonly failures: Failure[];
}

const NO_SAVED_STEPS: readonly CompletedStep[] = [];

/**
 * Runs the flows from `from` on, in order: each whole flow before the next starts. A flow whose
 * step calls out goes on from that call's promise, and so does the rest of the run: the promise
 * answers for the whole run, with no second promise per flow.
 */
function flowsFrom(run: Run, from: number): RunOutcome | Promise<RunOutcome> {
  for (let index = from; index < run.flows.length; index += 1) {
    const flow = run.flows[index]!;
    const saved = flowCheckpoint(run.deps.resume, flow.name);
    if (saved?.finished !== undefined) {
      run.reports.push(finishedEarlier(flow, saved));
      continue;
    }
    const ran = startFlow(run, index, saved?.steps ?? NO_SAVED_STEPS);
    if (ran instanceof Promise) return ran;
    flowEnded(run, ran);
  }
  return runEnded(run);
}

function flowEnded(run: Run, end: FlowEnd): void {
  run.reports.push(end.report);
  if (end.failure !== undefined) run.failures.push(end.failure);
}

function runEnded(run: Run): RunOutcome {
  const { failures } = run;
  let failure: Failure | undefined;
  if (failures.length > 0) {
    failure = failures.find(({ error }) => errorClassOf(error) !== 'retryable') ?? failures[0];
  }
  const status = failure === undefined ? 'ok' : 'failed';
  const flowsMatched = run.flows.map((flow) => flow.name);
  const durationMs = run.now() - run.started;
  if (failure === undefined) return { report: { status, flowsMatched, flows: run.reports, durationMs } };
  const report: RunReport = {
    status,
    flowsMatched,
    flows: run.reports,
    durationMs,
    error: reportedError(failure.error),
  };
  return { report, error: failure.error, failedAt: { flow: failure.flow, step: failure.step } };
}

/** A flow an earlier delivery finished: reported with its steps `resumed`, not run. */
function finishedEarlier(flow: CompiledFlow, saved: FlowCheckpoint): FlowReport {
  const done = new Set(saved.steps.map((step) => step.id));
  return {
    name: flow.name,
    status: saved.finished ?? 'completed',
    durationMs: 0,
    steps: flow.steps.map((step) => (done.has(step.id) ? resumedStep(step, undefined) : skippedStep(step))),
  };
}

/** How many leading steps of the flow the saved steps cover (same ids, same order). */
function resumablePrefix(steps: readonly CompiledStep[], saved: readonly CompletedStep[]): number {
  let count = 0;
  while (count < saved.length && count < steps.length && saved[count]?.id === steps[count]?.id) count += 1;
  return count;
}

type FlowEnd = { readonly report: FlowReport; readonly failure?: Failure };

/** One flow's run: its steps' reports so far, and how it stands. */
interface FlowRun {
  readonly run: Run;
  /** The flow's place in `run.flows`: the run goes on from the next one. */
  readonly index: number;
  readonly flow: CompiledFlow;
  readonly context: { readonly steps: Record<string, unknown> };
  readonly input: StepInput;
  readonly saved: readonly CompletedStep[];
  /** How many leading steps the checkpoint covers. */
  readonly resumable: number;
  readonly steps: StepReport[];
  readonly started: number;
  /** When the last step ended (the flow's start before its first). */
  clock: number;
  status: FlowReport['status'];
  failure: Failure | undefined;
}

/** Starts the run's flow at `index`: its end, or, once a step calls out, the whole run's promise. */
function startFlow(run: Run, index: number, saved: readonly CompletedStep[]): FlowEnd | Promise<RunOutcome> {
  const flow = run.flows[index]!;
  const context = {
    envelope: run.envelopeContext,
    flow: { name: flow.name },
    steps: Object.create(null) as Record<string, unknown>,
  };
  const input: StepInput = {
    scope: { event: run.envelope.payload, context },
    envelope: run.envelope,
    meta: run.meta,
    eventId: run.eventId,
    emitter: run.deps.emitter,
    retry: run.retry,
    now: run.now,
    signal: run.deps.signal,
  };
  const started = run.now();
  const state: FlowRun = {
    run,
    index,
    flow,
    context,
    input,
    saved,
    resumable: resumablePrefix(flow.steps, saved),
    steps: [],
    started,
    clock: started,
    status: 'completed',
    failure: undefined,
  };
  return stepsFrom(state, 0);
}

/**
 * Runs the flow's steps from `from` on, in order, until one stops the flow: the flow's end when
 * every step answered at once, else the promise of the rest of the run.
 */
function stepsFrom(state: FlowRun, from: number): FlowEnd | Promise<RunOutcome> {
  const steps = state.flow.steps;
  for (let index = from; index < steps.length; index += 1) {
    const step = steps[index]!;
    if (state.status !== 'completed') {
      state.steps.push(skippedStep(step));
      continue;
    }
    if (index < state.resumable) {
      const result = state.saved[index]?.result;
      setOwn(state.context.steps, step.id, result);
      state.steps.push(resumedStep(step, result));
      continue;
    }
    // A step starts when the one before it ended: one clock read per step.
    const started = state.clock;
    let ran: StepOutcome | Promise<StepOutcome>;
    try {
      if (state.input.signal?.aborted === true) {
        throw new RetryableError(`step "${step.id}" was not started: the invocation is about to time out`);
      }
      ran = step.run(state.input);
    } catch (thrown) {
      stepFailed(state, step, started, thrown);
      continue;
    }
    // A step that answers at once (transform, filter) ends at once; one that calls out, when its
    // promise settles, and the flow goes on from the next step.
    if (ran instanceof Promise) {
      return ran.then(
        (outcome) => {
          stepDone(state, step, started, outcome);
          return flowGoesOn(state, index + 1);
        },
        (thrown: unknown) => {
          stepFailed(state, step, started, thrown);
          return flowGoesOn(state, index + 1);
        },
      );
    }
    stepDone(state, step, started, ran);
  }
  const report: FlowReport = {
    name: state.flow.name,
    status: state.status,
    durationMs: state.clock - state.started,
    steps: state.steps,
  };
  return state.failure === undefined ? { report } : { report, failure: state.failure };
}

/** After a step that called out: the flow's remaining steps, then the run's remaining flows. */
function flowGoesOn(state: FlowRun, from: number): RunOutcome | Promise<RunOutcome> {
  const end = stepsFrom(state, from);
  if (end instanceof Promise) return end;
  flowEnded(state.run, end);
  return flowsFrom(state.run, state.index + 1);
}

function stepDone(state: FlowRun, step: CompiledStep, started: number, outcome: StepOutcome): void {
  state.clock = state.input.now();
  setOwn(state.context.steps, step.id, outcome.result);
  state.steps.push({
    id: step.id,
    action: step.action,
    durationMs: state.clock - started,
    status: 'ok',
    result: outcome.result,
  });
  if (outcome.stop === true) state.status = 'filtered';
}

/** A step failed: `on_error: continue` turns the failure into the step's result, else the flow stops. */
function stepFailed(state: FlowRun, step: CompiledStep, started: number, thrown: unknown): void {
  state.clock = state.input.now();
  const durationMs = state.clock - started;
  const failure = withErrorContext(asError(thrown), {
    connector: state.run.connector,
    flow: state.flow.name,
    step: step.id,
  });
  const reported = reportedError(failure);
  if (step.onError === 'continue' && state.input.signal?.aborted !== true) {
    const result = { error: reported };
    setOwn(state.context.steps, step.id, result);
    state.steps.push({
      id: step.id,
      action: step.action,
      durationMs,
      status: 'continued',
      result,
      error: reported,
    });
    return;
  }
  state.steps.push({ id: step.id, action: step.action, durationMs, status: 'failed', error: reported });
  state.status = 'failed';
  state.failure = { error: failure, flow: state.flow.name, step: step.id };
}

function skippedStep(step: { readonly id: string; readonly action: StepReport['action'] }): StepReport {
  return { id: step.id, action: step.action, status: 'skipped', durationMs: 0 };
}

function resumedStep(
  step: { readonly id: string; readonly action: StepReport['action'] },
  result: unknown,
): StepReport {
  return {
    id: step.id,
    action: step.action,
    status: 'resumed',
    durationMs: 0,
    ...(result === undefined ? {} : { result }),
  };
}

function reportedError(error: unknown): ReportedError {
  return { class: errorClassOf(error), ...describeError(error) };
}

/** Non-Error throwables become plain Errors (still retryable for `errorClassOf`). */
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(describeError(thrown).message, { cause: thrown });
}
