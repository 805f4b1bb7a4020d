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
export async function runFlows(
  compiled: CompiledConfig,
  envelope: Envelope,
  meta: MessageMeta,
  deps: RunDependencies,
): Promise<RunOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const flows = compiled.matchFlows(envelope.source_name, envelope.event_type);
  if (flows.length === 0) {
    return { report: { status: 'no_match', flowsMatched: [], flows: [], durationMs: now() - started } };
  }
  const eventId = eventIdOf(envelope, meta);
  const envelopeContext = {
    connector_id: envelope.connector_id,
    source_name: envelope.source_name,
    event_type: envelope.event_type,
    event_id: eventId,
    message_id: meta.messageId,
    message_group_id: meta.messageGroupId,
  };
  const retry = deps.retry ?? callOnce;

  const reports: FlowReport[] = [];
  const failures: Failure[] = [];
  for (const flow of flows) {
    const saved = flowCheckpoint(deps.resume, flow.name);
    if (saved?.finished !== undefined) {
      reports.push(finishedEarlier(flow, saved));
      continue;
    }
    const context = {
      envelope: envelopeContext,
      flow: { name: flow.name },
      steps: Object.create(null) as Record<string, unknown>,
    };
    const input: StepInput = {
      scope: { event: envelope.payload, context },
      envelope,
      meta,
      eventId,
      emitter: deps.emitter,
      retry,
      now,
      signal: deps.signal,
    };
    const outcome = await runFlow(flow, context, input, compiled.connectorId, saved?.steps ?? []);
    reports.push(outcome.report);
    if (outcome.failure !== undefined) failures.push(outcome.failure);
  }
  const failure = failures.find(({ error }) => errorClassOf(error) !== 'retryable') ?? failures[0];
  const report: RunReport = {
    status: failure === undefined ? 'ok' : 'failed',
    flowsMatched: flows.map((flow) => flow.name),
    flows: reports,
    durationMs: now() - started,
    ...(failure === undefined ? {} : { error: reportedError(failure.error) }),
  };
  if (failure === undefined) return { report };
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

type StepEnd = { readonly report: StepReport; readonly error?: Error; readonly stop?: boolean };

async function runFlow(
  flow: CompiledFlow,
  context: { readonly steps: Record<string, unknown> },
  input: StepInput,
  connector: string,
  saved: readonly CompletedStep[],
): Promise<{ report: FlowReport; failure?: Failure }> {
  const started = input.now();
  const resumable = resumablePrefix(flow.steps, saved);
  const steps: StepReport[] = [];
  let status: FlowReport['status'] = 'completed';
  let failure: Failure | undefined;

  const flowSteps = flow.steps;
  for (let index = 0; index < flowSteps.length; index += 1) {
    const step = flowSteps[index]!;
    if (status !== 'completed') {
      steps.push(skippedStep(step));
      continue;
    }
    if (index < resumable) {
      const result = saved[index]?.result;
      setOwn(context.steps, step.id, result);
      steps.push(resumedStep(step, result));
      continue;
    }
    const ran = runStep(step, context, input, { connector, flow: flow.name });
    const end = ran instanceof Promise ? await ran : ran;
    steps.push(end.report);
    if (end.error !== undefined) {
      status = 'failed';
      failure = { error: end.error, flow: flow.name, step: step.id };
    } else if (end.stop === true) status = 'filtered';
  }
  const report: FlowReport = { name: flow.name, status, durationMs: input.now() - started, steps };
  return failure === undefined ? { report } : { report, failure };
}

/**
 * Runs one step; `on_error: continue` turns a failure into the step's result. A step that answers
 * at once (transform, filter) ends at once; a step that calls out ends when its promise settles.
 */
function runStep(
  step: CompiledStep,
  context: { readonly steps: Record<string, unknown> },
  input: StepInput,
  where: { readonly connector: string; readonly flow: string },
): StepEnd | Promise<StepEnd> {
  const started = input.now();
  let ran: StepOutcome | Promise<StepOutcome>;
  try {
    if (input.signal?.aborted === true) {
      throw new RetryableError(`step "${step.id}" was not started: the invocation is about to time out`);
    }
    ran = step.run(input);
  } catch (thrown) {
    return stepFailed(step, context, input, where, started, thrown);
  }
  if (ran instanceof Promise) {
    return ran.then(
      (outcome) => stepDone(step, context, input, started, outcome),
      (thrown: unknown) => stepFailed(step, context, input, where, started, thrown),
    );
  }
  return stepDone(step, context, input, started, ran);
}

function stepDone(
  step: CompiledStep,
  context: { readonly steps: Record<string, unknown> },
  input: StepInput,
  started: number,
  outcome: StepOutcome,
): StepEnd {
  setOwn(context.steps, step.id, outcome.result);
  const report: StepReport = {
    id: step.id,
    action: step.action,
    durationMs: input.now() - started,
    status: 'ok',
    result: outcome.result,
  };
  return { report, stop: outcome.stop === true };
}

function stepFailed(
  step: CompiledStep,
  context: { readonly steps: Record<string, unknown> },
  input: StepInput,
  where: { readonly connector: string; readonly flow: string },
  started: number,
  thrown: unknown,
): StepEnd {
  const failure = withErrorContext(asError(thrown), { ...where, step: step.id });
  const reported = reportedError(failure);
  const durationMs = input.now() - started;
  if (step.onError === 'continue' && input.signal?.aborted !== true) {
    const result = { error: reported };
    setOwn(context.steps, step.id, result);
    return {
      report: { id: step.id, action: step.action, durationMs, status: 'continued', result, error: reported },
    };
  }
  return {
    report: { id: step.id, action: step.action, durationMs, status: 'failed', error: reported },
    error: failure,
  };
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
