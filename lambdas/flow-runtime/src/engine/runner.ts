import type { CompiledConfig, CompiledFlow } from './compile.js';
import type { Envelope } from '../document/envelope.js';
import { eventIdOf, type MessageMeta } from '../document/parse-envelope.js';
import { describeError, errorClassOf, RetryableError, withErrorContext } from '../errors.js';
import type { FlowReport, ReportedError, RunReport, StepReport } from './report.js';
import type { RetryPolicy, StepInput } from './steps.js';

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
}

export interface RunOutcome {
  readonly report: RunReport;
  /** Set iff `report.status === 'failed'`: the typed error, with connector/flow/step in its context. */
  readonly error?: Error;
}

const callOnce: RetryPolicy = (operation) => operation(1);

/**
 * Runs every flow matching the envelope, in declared order, each flow's steps in order. Never
 * throws for a step failure: the outcome carries the report and, when the run failed, the error.
 *
 * - no matching flow: status `no_match` (a success);
 * - a false filter ends its flow (`filtered`), later steps `skipped`; other flows still run;
 * - a failing step with `on_error: continue` records `{ error: { class, name, message } }` as its
 *   result and the flow goes on;
 * - a failing step with `on_error: fail` (the default) stops its flow and every later flow
 *   (`skipped`); status `failed`.
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
  const base = {
    envelope,
    meta,
    eventId,
    emitter: deps.emitter,
    retry: deps.retry ?? callOnce,
    now,
    signal: deps.signal,
  };

  const reports: FlowReport[] = [];
  let failure: Error | undefined;
  for (const flow of flows) {
    if (failure !== undefined) {
      reports.push({ name: flow.name, status: 'skipped', durationMs: 0, steps: flow.steps.map(skippedStep) });
      continue;
    }
    const context = {
      envelope: envelopeContext,
      flow: { name: flow.name },
      steps: Object.create(null) as Record<string, unknown>,
    };
    const outcome = await runFlow(
      flow,
      context,
      { ...base, scope: { event: envelope.payload, context } },
      compiled.connectorId,
    );
    reports.push(outcome.report);
    failure = outcome.error;
  }
  const report: RunReport = {
    status: failure === undefined ? 'ok' : 'failed',
    flowsMatched: flows.map((flow) => flow.name),
    flows: reports,
    durationMs: now() - started,
    ...(failure === undefined ? {} : { error: reportedError(failure) }),
  };
  return failure === undefined ? { report } : { report, error: failure };
}

async function runFlow(
  flow: CompiledFlow,
  context: { readonly steps: Record<string, unknown> },
  input: StepInput,
  connector: string,
): Promise<{ report: FlowReport; error?: Error }> {
  const started = input.now();
  const steps: StepReport[] = [];
  let status: FlowReport['status'] = 'completed';
  let error: Error | undefined;

  for (const step of flow.steps) {
    if (status !== 'completed') {
      steps.push(skippedStep(step));
      continue;
    }
    const stepStarted = input.now();
    const finish = (fields: Omit<StepReport, 'id' | 'action' | 'durationMs'>) =>
      steps.push({ id: step.id, action: step.action, durationMs: input.now() - stepStarted, ...fields });
    try {
      if (input.signal?.aborted === true) {
        throw new RetryableError(`step "${step.id}" was not started: the invocation is about to time out`);
      }
      const outcome = await step.run(input);
      setOwn(context.steps, step.id, outcome.result);
      finish({ status: 'ok', result: outcome.result });
      if (outcome.stop === true) status = 'filtered';
    } catch (thrown) {
      const failure = withErrorContext(asError(thrown), { connector, flow: flow.name, step: step.id });
      const reported = reportedError(failure);
      if (step.onError === 'continue' && input.signal?.aborted !== true) {
        const result = { error: reported };
        setOwn(context.steps, step.id, result);
        finish({ status: 'continued', result, error: reported });
      } else {
        finish({ status: 'failed', error: reported });
        status = 'failed';
        error = failure;
      }
    }
  }
  const report: FlowReport = { name: flow.name, status, durationMs: input.now() - started, steps };
  return error === undefined ? { report } : { report, error };
}

function skippedStep(step: { readonly id: string; readonly action: StepReport['action'] }): StepReport {
  return { id: step.id, action: step.action, status: 'skipped', durationMs: 0 };
}

function reportedError(error: unknown): ReportedError {
  return { class: errorClassOf(error), ...describeError(error) };
}

/** Non-Error throwables become plain Errors (still retryable for `errorClassOf`). */
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(describeError(thrown).message, { cause: thrown });
}
