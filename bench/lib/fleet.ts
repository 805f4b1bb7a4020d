import type { SQSRecord } from 'aws-lambda';
import {
  createSqsHandler,
  type CompiledConfig,
  type RetryOptions,
  type SqsHandler,
} from '@flow-worker/runtime';
import { lambdaContext } from '../../cli/local/lambda.js';

/** The construct's default function timeout: each simulated invocation gets this deadline. */
const FUNCTION_TIMEOUT_MS = 30_000;
const BATCH_SIZE = 10;

export interface Container {
  readonly handler: SqsHandler;
}

/** A container: the real SQS handler (FIFO groups, retries, deadline) around one compiled config. */
export function container(
  compiled: CompiledConfig,
  retry: Omit<RetryOptions, 'remainingTimeMs' | 'signal'> = {},
): Container {
  const silent = () => undefined;
  return {
    handler: createSqsHandler({
      configs: { get: () => Promise.resolve(compiled) },
      emitter: { emit: () => Promise.resolve({ messageId: 'unused' }) },
      deadLetter: { send: () => Promise.resolve() },
      logger: { debug: silent, info: silent, warn: silent, error: silent },
      metrics: { addMetric: silent, publishStoredMetrics: silent },
      retry,
    }),
  };
}

export interface FleetRun {
  readonly wallMs: number;
  readonly invocations: number;
  /** Receives of records that failed and went back to the queue. */
  readonly redeliveries: number;
}

/**
 * A FIFO queue drained by several containers at once, as Lambda's event source does it: each
 * receive takes up to 10 available messages in queue order, skipping groups another container
 * holds; a record reported failed goes back to the front of its group at once (generous: SQS
 * would hide it for the visibility timeout). Ends when every message succeeded.
 */
export async function drain(
  containers: readonly Container[],
  messages: readonly SQSRecord[],
): Promise<FleetRun> {
  const waiting = [...messages];
  const held = new Set<string>();
  let invocations = 0;
  let redeliveries = 0;
  const groupOf = (record: SQSRecord) => record.attributes.MessageGroupId ?? record.messageId;
  const receive = (): SQSRecord[] => {
    const batch: SQSRecord[] = [];
    const taken = new Set<string>();
    for (const record of waiting) {
      if (batch.length === BATCH_SIZE) break;
      const group = groupOf(record);
      if (held.has(group) && !taken.has(group)) continue;
      batch.push(record);
      taken.add(group);
      held.add(group);
    }
    for (const record of batch) waiting.splice(waiting.indexOf(record), 1);
    return batch;
  };
  const started = performance.now();
  const work = async ({ handler }: Container) => {
    while (waiting.length > 0 || held.size > 0) {
      const batch = receive();
      if (batch.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      invocations += 1;
      const response = await handler({ Records: batch }, lambdaContext('bench', FUNCTION_TIMEOUT_MS));
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      const retry = batch.filter((record) => failed.has(record.messageId));
      redeliveries += retry.length;
      waiting.unshift(...retry);
      for (const record of batch) held.delete(groupOf(record));
    }
  };
  await Promise.all(containers.map(work));
  return { wallMs: performance.now() - started, invocations, redeliveries };
}
