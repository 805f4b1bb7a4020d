import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  RUN_REPORT_MESSAGE,
  type RecordLogLine,
  type RunReportLogLine,
  type SqsBatchResponse,
  type SqsHandler,
} from '@flow-worker/runtime';

/**
 * A local invocation's time: twice the construct's default `functionTimeout` (30 s), so a slow
 * machine does not run into the handler's deadline margin.
 */
export const LOCAL_TIMEOUT_MS = 60_000;

/**
 * A Lambda `Context` for a local invocation (CLI, tests, bench), with a real deadline `timeoutMs`
 * from now by the given clock.
 */
export function lambdaContext(
  functionName: string,
  timeoutMs = LOCAL_TIMEOUT_MS,
  now: () => number = Date.now,
): Context {
  const deadline = now() + timeoutMs;
  const fail = () => {
    throw new Error('the legacy Lambda context callbacks are not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** One invocation: the handler's answer and what it logged (one JSON object per line). */
export interface CapturedInvocation {
  readonly response: SqsBatchResponse;
  /** The runtime's one line per record (`message_id`, `outcome`, flows, error), in log order. */
  readonly records: readonly (RecordLogLine & { readonly level?: string; readonly message?: string })[];
  /** The DEBUG `run report` lines (whole run reports, step results included), when the level allows. */
  readonly runReports: readonly RunReportLogLine[];
  /** Every other line written while the handler ran (other logs, EMF metrics). */
  readonly otherLines: readonly string[];
  readonly durationMs: number;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a handler with stdout and stderr captured, so its Powertools JSON log lines and EMF metrics
 * become data for a report instead of drowning it. Nothing else may write while it runs.
 */
export async function invokeCaptured(
  handler: SqsHandler,
  event: SQSEvent,
  context: Context,
): Promise<CapturedInvocation> {
  let text = '';
  const original = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  const started = Date.now();
  process.stdout.write = capture;
  process.stderr.write = capture;
  let response: SqsBatchResponse;
  try {
    response = await handler(event, context);
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  const durationMs = Date.now() - started;
  const records: CapturedInvocation['records'][number][] = [];
  const runReports: RunReportLogLine[] = [];
  const otherLines: string[] = [];
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const parsed = parseLine(line);
    if (parsed !== undefined && typeof parsed.message_id === 'string' && typeof parsed.outcome === 'string') {
      records.push(parsed as unknown as CapturedInvocation['records'][number]);
    } else if (
      parsed?.message === RUN_REPORT_MESSAGE &&
      typeof parsed.message_id === 'string' &&
      typeof parsed.run_report === 'object'
    ) {
      runReports.push(parsed as unknown as RunReportLogLine);
    } else otherLines.push(line);
  }
  return { response, records, runReports, otherLines, durationMs };
}
