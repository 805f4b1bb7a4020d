import type { Context } from 'aws-lambda';

/**
 * How long before the Lambda deadline the handler stops: no step starts after that, in-flight
 * target calls are aborted, and the time left goes to settling the records (checkpoints, dead
 * letters, visibility backoff) and answering. It scales with the time the invocation has: 10%,
 * at least 0.5 s, at most 2 s, and never more than half of it.
 */
export const DEADLINE_MARGIN = { fraction: 0.1, minMs: 500, maxMs: 2_000 } as const;

/** The margin for an invocation with `timeMs` to run (docs/handlers.md, retries). */
export function deadlineMarginMs(timeMs: number): number {
  const scaled = Math.round(timeMs * DEADLINE_MARGIN.fraction);
  const bounded = Math.min(DEADLINE_MARGIN.maxMs, Math.max(DEADLINE_MARGIN.minMs, scaled));
  return Math.max(0, Math.min(bounded, Math.floor(timeMs / 2)));
}

/** Milliseconds the invocation has left, when the context can say. */
export function remainingTimeOf(context: Context): number | undefined {
  return typeof context.getRemainingTimeInMillis === 'function'
    ? context.getRemainingTimeInMillis()
    : undefined;
}

/**
 * An abort signal that fires `marginMs` before the Lambda deadline: in-flight target calls stop and
 * the records fail cleanly, instead of the whole invocation timing out.
 *
 * A plain controller's signal, not `AbortSignal.any` or `AbortSignal.timeout`: the handler reads
 * `aborted` before every record and step, and a composite signal walks its sources on each read.
 * middy's own signal is not followed: the handler switches middy's early timeout off, so nothing
 * ever aborts it.
 */
export function deadlineSignal(
  context: Context,
  marginMs: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const remaining = remainingTimeOf(context);
  const timer =
    remaining === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new Error('Lambda deadline is near')),
          Math.max(0, remaining - marginMs),
        );
  return {
    signal: controller.signal,
    dispose: () => clearTimeout(timer),
  };
}
