import { isPlainObject, jsonEquals, setOwn } from '../document/json.js';
import type { FlowReport, RunReport, StepReport } from './report.js';

/**
 * What the deliveries of a message have finished so far, kept between deliveries so that a
 * redelivery resumes instead of repeating effects. Plain JSON, keyed by flow name:
 *
 * - a **finished** flow (it completed, or a filter stopped it) is not run again;
 * - an unfinished flow keeps the steps that completed, in order, with their results: they are not
 *   called again, and their results feed `$$.steps` of the steps that still have to run.
 *
 * Steps are matched by id, in order, so a config published between two deliveries resumes only
 * as far as its flow still starts with the same step ids.
 */
export interface RunCheckpoint {
  readonly flows: Readonly<Record<string, FlowCheckpoint>>;
}

export interface FlowCheckpoint {
  /** Set once the flow has ended: it does not run again. */
  readonly finished?: 'completed' | 'filtered';
  /** The completed steps, in order. Results are kept only while the flow is unfinished. */
  readonly steps: readonly CompletedStep[];
}

export interface CompletedStep {
  readonly id: string;
  /** The step's result (`$$.steps.<id>`); absent for the steps of a finished flow. */
  readonly result?: unknown;
}

const COMPLETED_STEP: ReadonlySet<StepReport['status']> = new Set(['ok', 'continued', 'resumed']);

/** The leading steps of a flow that completed (now or on an earlier delivery). */
function completedSteps(flow: FlowReport): readonly StepReport[] {
  const end = flow.steps.findIndex((step) => !COMPLETED_STEP.has(step.status));
  return end < 0 ? flow.steps : flow.steps.slice(0, end);
}

/**
 * The checkpoint of a run report: every finished flow, and the completed steps of every
 * unfinished one. `undefined` when nothing has completed (there is nothing to resume from).
 */
export function checkpointOf(report: RunReport): RunCheckpoint | undefined {
  const flows: Record<string, FlowCheckpoint> = Object.create(null) as Record<string, FlowCheckpoint>;
  for (const flow of report.flows) {
    const completed = completedSteps(flow);
    if (flow.status === 'completed' || flow.status === 'filtered') {
      setOwn(flows, flow.name, { finished: flow.status, steps: completed.map(({ id }) => ({ id })) });
    } else if (completed.length > 0) {
      const steps = completed.map(({ id, result }) => (result === undefined ? { id } : { id, result }));
      setOwn(flows, flow.name, { steps });
    }
  }
  return Object.keys(flows).length === 0 ? undefined : { flows };
}

/** Whether a run finished something its checkpoint did not already hold (a save is worth it). */
export function checkpointAdvanced(
  before: RunCheckpoint | undefined,
  after: RunCheckpoint | undefined,
): boolean {
  if (after === undefined) return false;
  return !jsonEquals(before ?? null, after);
}

/** The checkpoint of one flow, if any (own properties only: flow names are data). */
export function flowCheckpoint(
  checkpoint: RunCheckpoint | undefined,
  flow: string,
): FlowCheckpoint | undefined {
  return checkpoint !== undefined && Object.hasOwn(checkpoint.flows, flow)
    ? checkpoint.flows[flow]
    : undefined;
}

/** Whether a value (read back from storage) has the shape of a {@link RunCheckpoint}. */
export function isRunCheckpoint(value: unknown): value is RunCheckpoint {
  if (!isPlainObject(value) || !isPlainObject(value.flows)) return false;
  return Object.values(value.flows).every(
    (flow) =>
      isPlainObject(flow) &&
      (flow.finished === undefined || flow.finished === 'completed' || flow.finished === 'filtered') &&
      Array.isArray(flow.steps) &&
      flow.steps.every((step) => isPlainObject(step) && typeof step.id === 'string'),
  );
}
