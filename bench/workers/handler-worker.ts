/**
 * Runs the real flow-worker handler in a fresh process (a stand-in for a Lambda container) and
 * reports over IPC. stdout is discarded by the parent: the handler logs one JSON line per record
 * and flushes EMF metrics there, as it would in Lambda.
 *
 * - `config-reads`: imports `lambdas/inbound-sync/handler.ts` itself, with DynamoDB behind a
 *   counting proxy, and counts GetItem calls for a cold and a warm invocation.
 * - `throughput`: `createFlowWorkerHandler` (what that module calls) with the config store's
 *   targets swapped for recording ones, against dynalite; batches of 10, one after another.
 * - `config-load`: the config store the handler builds, on one connector: a cold load, then a
 *   refresh that finds the same version, DynamoDB operations counted by a proxy; peak memory.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRICS,
  compileConfig,
  createEmfMetrics,
  createLineLogger,
  createConfigStore,
  createFlowWorkerHandler,
  createObservability,
  createRecordingTargets,
  messageMetaOf,
  parseEnvelope,
  recordLogLine,
  recordLogLineMembers,
  validateConfig,
  type SettledRecord,
  type SqsHandler,
  type TargetFactory,
} from '@flow-worker/runtime';
import { HANDLER_FLOWS, envelopeBody, pairOf, sqsRecord, threeStepConfig } from '../lib/fixtures.js';
import { runMicro } from '../lib/tinybench.js';
import type { Fn } from 'tinybench';
import { startCountingProxy } from '../../cli/local/counting-proxy.js';
import { lambdaContext } from '../../cli/local/lambda.js';
import { elapsedMs } from '../lib/stats.js';
import { WORKER_ENV, type WorkerJob, type WorkerResult } from '../lib/worker-protocol.js';

const BATCH = 10;
const WARM_UP_BATCHES = 50;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`handler worker: ${name} is not set`);
  return value;
}

/** Batch `b` of `records`-many: 10 records over 5 message groups, cycling through the connectors. */
function batch(connectors: readonly string[], b: number): SQSEvent {
  const Records: SQSRecord[] = Array.from({ length: BATCH }, (_, i) => {
    const n = b * BATCH + i;
    const connector = connectors[n % connectors.length] as string;
    const { source, eventType } = pairOf(n % HANDLER_FLOWS);
    return sqsRecord(envelopeBody(connector, source, eventType, n), `msg-${n}`, `${connector}:${i % 5}`);
  });
  return { Records };
}

async function invoke(handler: SqsHandler, event: SQSEvent) {
  const start = process.hrtime.bigint();
  const response = await handler(event, lambdaContext('flow-worker-inbound-sync'));
  return { ms: elapsedMs(start), failures: response.batchItemFailures.length };
}

async function configReads(): Promise<WorkerResult> {
  const proxy = await startCountingProxy(env(WORKER_ENV.dynamodb));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
  const connectors = env(WORKER_ENV.connectors).split(',');
  // The deployed module, unchanged: its clients and config store are built at import.
  const { handler } = (await import('../../lambdas/inbound-sync/handler.js')) as { handler: SqsHandler };
  const event = batch(connectors, 0);
  proxy.reset();
  const cold = await invoke(handler, event);
  const coldGetItem = proxy.count('GetItem');
  proxy.reset();
  const warm = await invoke(handler, event);
  const warmGetItem = proxy.count('GetItem');
  await proxy.close();
  return {
    job: 'config-reads',
    coldGetItem,
    warmGetItem,
    coldMs: cold.ms,
    warmMs: warm.ms,
    failures: cold.failures + warm.failures,
  };
}

async function throughput(): Promise<WorkerResult> {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = env(WORKER_ENV.dynamodb);
  const connectors = env(WORKER_ENV.connectors).split(',');
  const records = Number(env(WORKER_ENV.records));
  const recording = createRecordingTargets();
  const { logger, metrics } = createObservability({ serviceName: 'flow-worker-inbound-sync' });
  const configs = createConfigStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: env('CONFIG_TABLE_NAME'),
    targetFactory: recording.factory,
    ttlSeconds: 30,
    allowTargetAddresses: ['loopback'],
    logger,
    metrics,
  });
  const handler = createFlowWorkerHandler(process.env, { queue: 'inbound-sync', overrides: { configs } });

  // Unmeasured warm-up batches: the cold config read is case 4's business, and without JIT warm-up
  // the short --quick run would mostly measure the interpreter.
  for (let b = 0; b < WARM_UP_BATCHES; b += 1) await invoke(handler, batch(connectors, b));
  recording.clear();

  const batches = Math.ceil(records / BATCH);
  const events = Array.from({ length: batches }, (_, b) => batch(connectors, WARM_UP_BATCHES + b));
  const latencies: number[] = [];
  let failures = 0;
  const start = process.hrtime.bigint();
  for (const event of events) {
    const result = await invoke(handler, event);
    latencies.push(result.ms);
    failures += result.failures;
  }
  const wallMs = elapsedMs(start);
  return {
    job: 'throughput',
    records: batches * BATCH,
    batches,
    wallMs,
    batchLatenciesMs: latencies,
    failures,
    targetCalls: recording.calls.length,
  };
}

/** Targets that answer at once: `per-record` measures the runtime, not I/O. */
const noopTargets: TargetFactory = (definition) => ({
  name: definition.name,
  kind: definition.kind,
  execute: () => Promise.resolve({ id: 'noop-1', created: false }),
});

/**
 * The cost of one record through the real handler (middy, FIFO batch, envelope check, config cache
 * hit, transform → filter → upsert on a no-op target, the INFO log line, EMF metrics), per record of
 * a 10-record batch, against the floor: `JSON.parse` of the same bodies plus one `Map` lookup each.
 */
async function perRecord(): Promise<WorkerResult> {
  const connector = env(WORKER_ENV.connectors);
  const [timeMs, warmupMs, rounds] = env(WORKER_ENV.micro).split(',').map(Number) as [number, number, number];
  const compiled = compileConfig(
    validateConfig(threeStepConfig({ connectorId: connector, flows: HANDLER_FLOWS })),
    {
      targetFactory: noopTargets,
    },
  );
  const handler = createFlowWorkerHandler(process.env, {
    queue: 'inbound-sync',
    overrides: {
      // A cache hit answers without a promise, as the real config store's does.
      configs: { get: () => compiled },
      emitter: { emit: () => Promise.resolve({ messageId: 'noop' }) },
      deadLetter: { send: () => Promise.resolve() },
    },
  });
  const events = Array.from({ length: 64 }, (_, b) => batch([connector], b));
  const index = new Map<string, number>();
  for (let i = 0; i < HANDLER_FLOWS; i += 1) {
    const { source, eventType } = pairOf(i);
    index.set(`${source}\u0000${eventType}`, i);
  }
  let cursor = 0;
  let sink = 0;
  let failures = 0;
  const context = lambdaContext('flow-worker-inbound-sync');
  const results = await runMicro(
    [
      [
        'floor',
        () => {
          for (const record of (events[cursor++ % events.length] as SQSEvent).Records) {
            const value = JSON.parse(record.body) as { source_name: string; event_type: string };
            sink += index.get(`${value.source_name}\u0000${value.event_type}`) ?? 0;
          }
        },
      ],
      [
        'handler',
        async () => {
          const response = await handler(events[cursor++ % events.length] as SQSEvent, context);
          failures += response.batchItemFailures.length;
        },
      ],
    ],
    { timeMs, warmupMs, rounds },
  );
  // Afterwards, in a run of their own: they share no feedback with the handler's measurement.
  const telemetry = await runMicro(telemetryTasks(), { timeMs, warmupMs, rounds });
  const per = (name: string) => {
    const latency = results[name];
    if (latency === undefined) throw new Error(`per-record: no result for ${name}`);
    return { p50: latency.p50 / BATCH, p99: latency.p99 / BATCH };
  };
  const p50 = (name: string) => {
    const latency = telemetry[name];
    if (latency === undefined) throw new Error(`per-record: no result for ${name}`);
    return latency.p50;
  };
  const floorRounds = results.floor?.roundP50s ?? [];
  const handlerRounds = results.handler?.roundP50s ?? [];
  return {
    job: 'per-record',
    floor: per('floor'),
    handler: per('handler'),
    roundRatios: handlerRounds.map((p50, round) => p50 / (floorRounds[round] ?? Number.NaN)),
    telemetry: {
      emf: { ours: p50('emf: ours'), powertools: p50('emf: powertools') },
      recordLine: { ours: p50('record line: ours'), powertools: p50('record line: powertools') },
    },
    recordsPerBatch: BATCH,
    failures: failures + (sink < 0 ? 1 : 0),
  };
}

/**
 * The telemetry of the handler, ours against Powertools, both writing to this process's stdout
 * (discarded by the parent): an invocation's EMF line with the counts a successful 10-record batch
 * adds, and one record line (ours held and written ten at a time, as in an invocation; Powertools
 * writes each).
 */
function telemetryTasks(): [string, Fn][] {
  const serviceName = 'flow-worker-inbound-sync';
  const counts: [string, number][] = [
    [METRICS.configCacheHits, 10],
    [METRICS.flowsMatched, 10],
    [METRICS.recordsProcessed, 10],
    [METRICS.recordsSucceeded, 10],
  ];
  const write = (text: string) => {
    process.stdout.write(text);
  };
  const ours = createEmfMetrics({
    namespace: 'FlowWorker',
    serviceName,
    dimensions: { queue: 'inbound-sync' },
    write,
  });
  const powertools = new Metrics({
    namespace: 'FlowWorker',
    serviceName,
    defaultDimensions: { queue: 'inbound-sync' },
  });
  // A record as the handler settles it: one three-step flow that completed cleanly.
  const record = sqsRecord(envelopeBody('bench', 'source_1', 'event_1', 1), 'msg-1', 'bench:1');
  const envelope = parseEnvelope(record.body);
  const settled: SettledRecord = {
    record,
    meta: messageMetaOf(record),
    envelope,
    outcome: { status: 'succeeded' },
    report: {
      status: 'ok',
      flowsMatched: ['flow_1'],
      durationMs: 0,
      flows: [
        {
          name: 'flow_1',
          status: 'completed',
          durationMs: 0,
          steps: [
            { id: 'map', action: 'transform', status: 'ok', durationMs: 0 },
            { id: 'customers_only', action: 'filter', status: 'ok', durationMs: 0 },
            { id: 'upsert', action: 'upsert', status: 'ok', durationMs: 0 },
          ],
        },
      ],
    },
    durationMs: 0,
  };
  const context = lambdaContext(serviceName);
  const lineLogger = createLineLogger(new Logger({ serviceName }), { serviceName, write });
  lineLogger.addContext?.(context);
  const powertoolsLogger = new Logger({ serviceName });
  powertoolsLogger.addContext(context);
  let lines = 0;
  return [
    [
      'emf: ours',
      () => {
        for (const [name, value] of counts) ours.addMetric(name, 'Count', value);
        ours.publishStoredMetrics();
      },
    ],
    [
      'emf: powertools',
      () => {
        for (const [name, value] of counts) powertools.addMetric(name, MetricUnit.Count, value);
        powertools.publishStoredMetrics();
      },
    ],
    [
      'record line: ours',
      () => {
        lineLogger.writeLine('info', 'record processed', recordLogLineMembers(settled));
        lines += 1;
        if (lines % 10 === 0) lineLogger.flush();
      },
    ],
    ['record line: powertools', () => powertoolsLogger.info('record processed', recordLogLine(settled))],
  ];
}

async function configLoad(): Promise<WorkerResult> {
  const proxy = await startCountingProxy(env(WORKER_ENV.dynamodb));
  const [connector = ''] = env(WORKER_ENV.connectors).split(',');
  const configs = createConfigStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: proxy.endpoint })),
    tableName: env('CONFIG_TABLE_NAME'),
    targetFactory: createRecordingTargets().factory,
    ttlSeconds: 0, // every get reads the head: the second one is the refresh of an unchanged version
  });
  const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;
  const start = process.hrtime.bigint();
  const compiled = await configs.get(connector);
  const coldMs = elapsedMs(start);
  const coldOperations = proxy.counts();
  proxy.reset();
  await configs.get(connector);
  const refreshOperations = proxy.counts();
  await proxy.close();
  return {
    job: 'config-load',
    coldMs,
    coldOperations,
    refreshOperations,
    rssBeforeMb,
    rssPeakMb: process.resourceUsage().maxRSS / 1024,
    flows: compiled.config.flows.length,
  };
}

const job = process.argv[2] as WorkerJob | undefined;
const jobs: Record<WorkerJob, () => Promise<WorkerResult>> = {
  'config-reads': configReads,
  throughput,
  'per-record': perRecord,
  'config-load': configLoad,
};
const run = job === undefined ? undefined : jobs[job];
if (run === undefined) throw new Error(`handler worker: unknown job ${String(job)}`);
const result = await run();
process.send?.(result);
process.disconnect?.();
