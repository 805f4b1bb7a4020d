import type { SQSEvent } from 'aws-lambda';
import {
  publishConfig,
  validateConfig,
  type ConnectorConfig,
  type QueueName,
  type SqsHandler,
  type TargetAddressRange,
} from '@flow-worker/runtime';
import { InvalidConfigFileError } from '../config-file.js';
import { CliError } from '../errors.js';
import { readJsonFile } from '../io.js';
import { invokeCaptured, lambdaContext, type CapturedInvocation } from '../local/lambda.js';
import { LOCAL_NAMES, startLocalStack, type LocalStack } from '../local/stack.js';
import { queuedMessage } from '../demo/traffic.js';
import { recordRuns, type LocalRunReport } from '../run-report.js';
import { openConfigTable } from '../table.js';
import { dryRunHandler, recordedDeadLetters, recordedEmits, recordedTraffic } from './dry-run.js';
import { ConfigValidationError } from '@flow-worker/runtime';

export interface InvokeOptions {
  readonly queue: QueueName;
  readonly event: string;
  readonly config?: string;
  readonly table?: string;
  readonly dryRun?: boolean;
  /** `name=value` secrets served by a local Secrets Manager. */
  readonly secret?: readonly string[];
  /** Ranges targets may use besides public addresses (`--allow-target-addresses`). */
  readonly allowTargetAddresses: readonly TargetAddressRange[];
}

function parseSecrets(pairs: readonly string[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const pair of pairs) {
    const cut = pair.indexOf('=');
    if (cut <= 0) throw new CliError(`--secret expects name=value, got "${pair}"`);
    secrets[pair.slice(0, cut)] = pair.slice(cut + 1);
  }
  return secrets;
}

async function readEvent(file: string): Promise<SQSEvent> {
  const event = (await readJsonFile(file)) as Partial<SQSEvent> | null;
  if (event === null || typeof event !== 'object' || !Array.isArray(event.Records)) {
    throw new CliError(`${file}: not an SQS event (expected an object with a "Records" array)`);
  }
  return event as SQSEvent;
}

/** Publishes the config file to the embedded table; returns the parsed config. */
async function publishLocal(
  stack: LocalStack,
  file: string,
  allowTargetAddresses: readonly TargetAddressRange[],
): Promise<ConnectorConfig> {
  const document = await readJsonFile(file);
  try {
    await publishConfig(stack.table, document, { allowTargetAddresses });
    return validateConfig(document, { allowTargetAddresses });
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new InvalidConfigFileError(file, error.problems, error);
    throw error;
  }
}

/**
 * The handler's environment: queues and DLQ always local (what was emitted or dead-lettered is
 * printed, never sent to AWS); the table embedded (`--config`) or real (`--table`); secrets local
 * with `--secret`, else AWS Secrets Manager.
 */
function handlerEnvironment(
  stack: LocalStack,
  options: InvokeOptions,
  secrets: boolean,
): Record<string, string> {
  // DEBUG: each record's `run report` line carries the step results the report prints.
  const env = stack.handlerEnvironment(options.queue, 'DEBUG');
  env.ALLOW_TARGET_ADDRESSES = options.allowTargetAddresses.join(',');
  const keep = (name: string) => {
    const value = process.env[name];
    if (value === undefined) delete env[name];
    else env[name] = value;
  };
  // The event's records were not received from a queue: there is no message to hide for a backoff.
  env.RETRY_BACKOFF_BASE_SECONDS = '0';
  if (options.table !== undefined) {
    env.CONFIG_TABLE_NAME = options.table;
    keep('AWS_ENDPOINT_URL_DYNAMODB');
    // The run-state table is in the embedded DynamoDB, which this client no longer reaches.
    delete env.RUN_STATE_TABLE_NAME;
  }
  if (!secrets) keep('AWS_ENDPOINT_URL_SECRETS_MANAGER');
  const everythingLocal = options.table === undefined && (secrets || options.dryRun === true);
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined;
  if (!everythingLocal || hasCredentials) {
    // Real AWS is involved: the default credential chain and region decide.
    keep('AWS_ACCESS_KEY_ID');
    keep('AWS_SECRET_ACCESS_KEY');
    if (process.env.AWS_REGION !== undefined) env.AWS_REGION = process.env.AWS_REGION;
  }
  return env;
}

/** Runs the handler of `options.queue` on an SQS event and reports what happened. */
export async function runInvoke(options: InvokeOptions): Promise<LocalRunReport> {
  if ((options.config === undefined) === (options.table === undefined)) {
    throw new CliError('give exactly one of --config <file> or --table <name>');
  }
  const event = await readEvent(options.event);
  const secrets = parseSecrets(options.secret ?? []);
  const useLocalSecrets = Object.keys(secrets).length > 0;
  const stack = await startLocalStack(secrets);
  try {
    const notes: string[] = [];
    if (options.config !== undefined) {
      const config = await publishLocal(stack, options.config, options.allowTargetAddresses);
      notes.push(
        `config ${options.config} (connector "${config.connector_id}" version ${config.version}) published to an embedded DynamoDB`,
      );
    }
    const env = handlerEnvironment(stack, options, useLocalSecrets);
    Object.assign(process.env, env);
    if (options.table !== undefined) notes.push(`config read from DynamoDB table ${options.table}`);
    notes.push(
      options.dryRun === true
        ? 'secrets: not read (targets are recorders)'
        : useLocalSecrets
          ? `secrets served locally: ${Object.keys(secrets).join(', ')}`
          : 'secrets read from AWS Secrets Manager',
    );
    notes.push('queues and dead-letter queue are local: what would be sent to them is listed below');
    const dryRun =
      options.dryRun === true
        ? dryRunHandler(
            options.queue,
            env,
            options.table === undefined ? stack.table : openConfigTable(options.table),
          )
        : undefined;
    if (dryRun !== undefined)
      notes.push('dry run: every target, the emitter and the DLQ are recorders; nothing was sent');
    const handler: SqsHandler = dryRun?.handler ?? (await importHandler(options.queue));
    const captured = await invokeCaptured(handler, event, lambdaContext(`flow-worker-${options.queue}`));
    return invokeReport(options, { event, captured, notes, stack, dryRun });
  } finally {
    await stack.close();
  }
}

/** What `runInvoke` reports: the batch it ran, and what the targets, queues and DLQ received. */
function invokeReport(
  options: InvokeOptions,
  run: {
    event: SQSEvent;
    captured: CapturedInvocation;
    notes: string[];
    stack: LocalStack;
    dryRun: ReturnType<typeof dryRunHandler> | undefined;
  },
): LocalRunReport {
  const { event, captured, notes, stack, dryRun } = run;
  const dlq = LOCAL_NAMES.deadLetterQueues[options.queue];
  const source = options.event === '-' ? '<stdin>' : options.event;
  return {
    title: `flow-worker invoke --queue ${options.queue}${dryRun === undefined ? '' : ' (dry run)'}`,
    notes,
    batches: [
      {
        title: `${source} → ${options.queue} handler`,
        queue: options.queue,
        handler:
          dryRun === undefined
            ? `lambdas/${options.queue}/handler.ts`
            : 'createFlowWorkerHandler with recorders',
        records: recordRuns(event, captured),
        batch_item_failures: captured.response.batchItemFailures.map((f) => f.itemIdentifier),
        duration_ms: captured.durationMs,
      },
    ],
    targets: dryRun === undefined ? [] : recordedTraffic(dryRun),
    emitted:
      dryRun !== undefined
        ? recordedEmits(dryRun)
        : Object.values(LOCAL_NAMES.queues).flatMap((name) =>
            stack.sqs.sent(name).map((m) => queuedMessage(name, m)),
          ),
    dead_lettered:
      dryRun !== undefined
        ? recordedDeadLetters(dryRun, options.queue)
        : stack.sqs.messages(dlq).map((m) => queuedMessage(dlq, m)),
  };
}

const HANDLER_MODULES: Record<QueueName, string> = {
  'inbound-sync': '../../lambdas/inbound-sync/handler.js',
  'outbound-sync': '../../lambdas/outbound-sync/handler.js',
};

/** The real Lambda handler module; it reads `process.env` at import. */
async function importHandler(queue: QueueName): Promise<SqsHandler> {
  return ((await import(HANDLER_MODULES[queue])) as { handler: SqsHandler }).handler;
}
