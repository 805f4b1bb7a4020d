import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { REDRIVEN_FROM_ATTRIBUTE, type QueueName, type SqsHandler } from '@flow-worker/runtime';
import { readJsonFile } from '../io.js';
import { acknowledge, receiveBatch } from '../local/event-source.js';
import { invokeCaptured, lambdaContext } from '../local/lambda.js';
import { LOCAL_NAMES } from '../local/stack.js';
import { recordRuns, type BatchRun, type LocalRunReport, type RedriveRun } from '../run-report.js';
import { REDRIVEN_CONNECTOR, redriveAfterFix } from './redrive.js';
import { startDemoEnvironment, type DemoEnvironment } from './setup.js';
import { queuedMessage, targetCalls } from './traffic.js';

export interface DemoOptions {
  /** The example config to publish. */
  readonly configFile: string;
  /** Inbound sample events (SQS events), run through the inbound handler in this order. */
  readonly inboundEvents: readonly string[];
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
}

/** Chained deliveries stop after this many rounds, in case a config emits in a loop. */
const MAX_CHAIN_ROUNDS = 10;

const HANDLER_MODULES: Record<QueueName, string> = {
  'inbound-sync': '../../lambdas/inbound-sync/handler.js',
  'outbound-sync': '../../lambdas/outbound-sync/handler.js',
};

/**
 * Imports the real Lambda handler modules. Each builds its clients from `process.env` at import,
 * so the environment of each (its own DLQ) is set just before its import.
 */
async function importHandlers(env: DemoEnvironment): Promise<Record<QueueName, SqsHandler>> {
  const handlers: Partial<Record<QueueName, SqsHandler>> = {};
  for (const queue of ['inbound-sync', 'outbound-sync'] as const) {
    // The demo builds its report from the handlers' log lines: at DEBUG each record's INFO line is
    // followed by its `run report` line, which carries the step results.
    Object.assign(process.env, env.stack.handlerEnvironment(queue, 'DEBUG'), {
      // The demo's targets run on 127.0.0.1: allowed explicitly, as any local run must.
      ALLOW_TARGET_ADDRESSES: 'loopback',
    });
    const module = (await import(HANDLER_MODULES[queue])) as { handler: SqsHandler };
    handlers[queue] = module.handler;
  }
  return handlers as Record<QueueName, SqsHandler>;
}

async function runBatch(
  env: DemoEnvironment,
  handler: SqsHandler,
  queue: QueueName,
  event: SQSEvent,
  title: string,
): Promise<BatchRun> {
  const functionName = `flow-worker-${queue}`;
  const captured = await invokeCaptured(handler, event, lambdaContext(functionName));
  return {
    title,
    queue,
    handler: `lambdas/${queue}/handler.ts`,
    records: recordRuns(event, captured),
    batch_item_failures: captured.response.batchItemFailures.map((f) => f.itemIdentifier),
    duration_ms: captured.durationMs,
  };
}

/**
 * Delivers what is on the sync queues (what flows emitted, what a redrive moved back) to their
 * handlers, as the event source mapping would, until both queues are empty. A redrive is shown
 * with the first batch it fed.
 */
async function deliverChained(
  env: DemoEnvironment,
  handlers: Record<QueueName, SqsHandler>,
  progress: (line: string) => void,
  redrive?: RedriveRun,
): Promise<BatchRun[]> {
  const sqs = new SQSClient({});
  const batches: BatchRun[] = [];
  try {
    for (let round = 0; round < MAX_CHAIN_ROUNDS; round++) {
      let delivered = 0;
      for (const queue of ['outbound-sync', 'inbound-sync'] as const) {
        const url = env.stack.queueUrl(queue);
        const received = await receiveBatch(sqs, url);
        if (received.event.Records.length === 0) continue;
        delivered += received.event.Records.length;
        const redriven = redrive !== undefined && batches.length === 0 && queue === 'inbound-sync';
        const what = redriven ? 'redriven' : 'emitted';
        progress(`${queue}: delivering ${received.event.Records.length} ${what} message(s) to its handler`);
        const title = redriven
          ? `${queue}.fifo → ${queue} handler (the redriven messages)`
          : `${queue}.fifo → ${queue} handler (messages emitted by the flows above)`;
        const batch = await runBatch(env, handlers[queue], queue, received.event, title);
        await acknowledge(sqs, url, received, batch.batch_item_failures);
        batches.push(redriven ? { redrive, ...batch } : batch);
      }
      if (delivered === 0) break;
    }
  } finally {
    sqs.destroy();
  }
  return batches;
}

/**
 * The `npm start` demo: real handlers, local services, the example config and the sample events.
 * Returns the report; every server is closed before it returns.
 */
export async function runDemo(options: DemoOptions): Promise<LocalRunReport> {
  const { progress } = options;
  progress('starting local DynamoDB, SQS, Secrets Manager, HubSpot and ERP servers on 127.0.0.1');
  const document = (await readJsonFile(options.configFile)) as Record<string, unknown>;
  const env = await startDemoEnvironment(options.configFile, document);
  try {
    progress(`published ${options.configFile}; importing the real handlers`);
    const handlers = await importHandlers(env);
    const batches: BatchRun[] = [];
    for (const file of options.inboundEvents) {
      const event = (await readJsonFile(file)) as SQSEvent;
      progress(`inbound-sync: ${file} (${event.Records.length} records)`);
      batches.push(
        await runBatch(
          env,
          handlers['inbound-sync'],
          'inbound-sync',
          event,
          `${file} → inbound-sync handler`,
        ),
      );
    }
    batches.push(...(await deliverChained(env, handlers, progress)));
    progress(
      `inbound-sync: publishing a config for ${REDRIVEN_CONNECTOR}, then redriving its dead-lettered messages`,
    );
    const redrive = await redriveAfterFix(env);
    batches.push(...(await deliverChained(env, handlers, progress, redrive)));
    progress('collecting what reached the targets and the queues');
    // What flows emitted (messages a redrive moved back are shown with the redrive).
    const queues = (names: Record<QueueName, string>) =>
      Object.values(names).flatMap((name) =>
        env.stack.sqs
          .sent(name)
          .filter((m) => !Object.hasOwn(m.attributes, REDRIVEN_FROM_ATTRIBUTE))
          .map((m) => queuedMessage(name, m)),
      );
    return {
      title: 'flow-worker demo: the real inbound-sync and outbound-sync handlers on local services',
      notes: env.notes,
      batches,
      targets: [
        {
          target: 'hubspot',
          kind: 'hubspot',
          url: env.hubspot.url,
          calls: targetCalls(env.hubspot.requests),
        },
        { target: 'erp', kind: 'http', url: env.erp.url, calls: targetCalls(env.erp.requests) },
      ],
      emitted: queues(LOCAL_NAMES.queues),
      dead_lettered: Object.values(LOCAL_NAMES.deadLetterQueues).flatMap((name) =>
        env.stack.sqs.messages(name).map((m) => queuedMessage(name, m)),
      ),
    };
  } finally {
    progress('stopping the local servers');
    await env.close();
  }
}
