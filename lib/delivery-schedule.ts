import type { Duration } from 'aws-cdk-lib';
import {
  backoffCapSeconds,
  receivesToOutlast,
  shortestSpanSeconds,
  type BackoffSchedule,
} from '@flow-worker/runtime';
import {
  FLOW_WORKER_CONSTANTS,
  type FlowWorkerProps,
  type ResolvedFlowWorkerProps,
} from './flow-worker-props.js';

/**
 * The retry schedule over time, chosen and checked together (docs/deploy.md): the backoff between
 * receives, how many receives a message gets, how long the queues keep it. A record that fails
 * because its target is down waits `min(retryBackoffMax, retryBackoffBase × 2^(n−1))` after its
 * n-th receive, at least half of that with jitter; `maxReceiveCount` must let those waits outlast
 * `outageTolerance`, and `queueRetention` must hold every receive with the longest waits.
 */

const seconds = (value: Duration): number => value.toMilliseconds() / 1000;

export function scheduleOf(
  r: Pick<ResolvedFlowWorkerProps, 'retryBackoffBase' | 'retryBackoffMax'>,
): BackoffSchedule {
  return { baseSeconds: seconds(r.retryBackoffBase), maxSeconds: seconds(r.retryBackoffMax) };
}

/** The fewest receives whose schedule outlasts the outage; `undefined` beyond SQS's 1000. */
export function receivesForOutage(
  r: Pick<ResolvedFlowWorkerProps, 'retryBackoffBase' | 'retryBackoffMax' | 'outageTolerance'>,
): number | undefined {
  const schedule = scheduleOf(r);
  if (!(schedule.baseSeconds > 0) || schedule.maxSeconds < schedule.baseSeconds) return undefined;
  return receivesToOutlast(seconds(r.outageTolerance), schedule);
}

/**
 * The longest a record failing on every receive can stay on the queue: after each receive but the
 * last it waits its backoff once the invocation ended (at most `functionTimeout` later), or the
 * visibility timeout when the whole invocation failed; the last receive runs up to `functionTimeout`.
 */
export function longestStaySeconds(r: ResolvedFlowWorkerProps): number {
  const schedule = scheduleOf(r);
  const timeout = seconds(r.functionTimeout);
  const visibility = seconds(r.visibilityTimeout);
  let total = timeout;
  for (let n = 1; n < r.maxReceiveCount; n += 1) {
    total += Math.max(backoffCapSeconds(n, schedule) + timeout, visibility);
  }
  return total;
}

const unresolved = (...values: Duration[]) => values.some((value) => value.isUnresolved());

/** Whole seconds, at least `min`: anything else is reported by the prop's own check. */
const usable = (value: Duration, min: number) => Number.isInteger(seconds(value)) && seconds(value) >= min;

/** What is wrong with the schedule, one sentence with its reason per problem. */
export function scheduleProblems(r: ResolvedFlowWorkerProps, given: FlowWorkerProps): string[] {
  const problems: string[] = [];
  const { retryBackoffBase, retryBackoffMax, outageTolerance, functionTimeout, queueRetention } = r;
  const durations = [retryBackoffBase, retryBackoffMax, outageTolerance, functionTimeout, queueRetention];
  if (
    unresolved(...durations, r.visibilityTimeout) ||
    ![...durations, r.visibilityTimeout].every((d) => usable(d, 0))
  ) {
    return problems;
  }
  if (!usable(retryBackoffBase, 1) || !Number.isInteger(r.maxReceiveCount) || r.maxReceiveCount < 1)
    return problems;
  const schedule = scheduleOf(r);
  if (schedule.maxSeconds < schedule.baseSeconds) {
    problems.push(
      `retryBackoffMax (${schedule.maxSeconds} s) must be at least retryBackoffBase (${schedule.baseSeconds} s)`,
    );
  }
  const limit = seconds(FLOW_WORKER_CONSTANTS.maxVisibility);
  if (schedule.maxSeconds + seconds(functionTimeout) > limit) {
    problems.push(
      `retryBackoffMax (${schedule.maxSeconds} s) plus functionTimeout (${seconds(functionTimeout)} s) must fit in the ${limit} s (12 hours) SQS lets a received message stay hidden, or SQS refuses the longest backoffs`,
    );
  }
  const needed = receivesForOutage(r);
  const tolerance = seconds(outageTolerance);
  if (needed === undefined && problems.length === 0) {
    problems.push(
      `outageTolerance (${tolerance} s) needs more than 1000 receives with this backoff, and SQS allows at most 1000; raise retryBackoffMax or lower outageTolerance`,
    );
  }
  if (needed !== undefined && given.maxReceiveCount !== undefined && given.maxReceiveCount < needed) {
    const covered = shortestSpanSeconds(given.maxReceiveCount, schedule);
    problems.push(
      `maxReceiveCount (${given.maxReceiveCount}) lets a failing record wait only ${covered} s between its first and last receive (shortest jitter), less than outageTolerance (${tolerance} s): it needs at least ${needed}; raise it, or lower outageTolerance`,
    );
  }
  const stay = longestStaySeconds(r);
  if (seconds(queueRetention) < stay) {
    problems.push(
      `queueRetention (${seconds(queueRetention)} s) cannot hold the retry schedule: a record failing on all ${r.maxReceiveCount} receives can stay ${stay} s on the queue (backoffs up to retryBackoffMax, functionTimeout per receive); raise queueRetention to at least ${stay} s or lower maxReceiveCount`,
    );
  }
  return problems;
}
