import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConfigTable, publishConfig, type ConfigTable } from '@flow-worker/runtime';
import { startHttpTargetServer } from '../../cli/local/http-target-server.js';
import { startLocalSqs } from '../../cli/local/sqs-server.js';
import { startDynalite } from '../../cli/local/dynalite.js';
import { HANDLER_FLOWS, threeStepConfig } from '../lib/fixtures.js';
import { micros, millis, ratio, thousands, verdict, type CaseResult } from '../lib/report.js';
import { median, percentile } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';
import { runWorker } from '../lib/run-worker.js';
import {
  WORKER_ENV,
  type ConfigReadsResult,
  type PerRecordResult,
  type ThroughputResult,
} from '../lib/worker-protocol.js';

const TABLE = 'flow-worker-bench-config';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const CONFIG_READ_CONNECTORS = ['bench-a', 'bench-b', 'bench-c'];
const THROUGHPUT_CONNECTOR = 'bench-t';
/** Per record through the real handler, at most this many times the floor. */
const GOAL_PER_RECORD = 5;

/** The local services both handler cases run against, on 127.0.0.1, in this (the parent) process. */
async function startServices() {
  const dynalite = await startDynalite();
  const sqs = await startLocalSqs();
  const http = await startHttpTargetServer();
  const raw = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'us-east-1', credentials });
  const table: ConfigTable = { client: DynamoDBDocumentClient.from(raw), tableName: TABLE };
  await createConfigTable(raw, TABLE);
  for (const connectorId of [...CONFIG_READ_CONNECTORS, THROUGHPUT_CONNECTOR]) {
    await publishConfig(
      table,
      threeStepConfig({ connectorId, flows: HANDLER_FLOWS, baseUrl: `${http.url}/api` }),
      { allowTargetAddresses: ['loopback'] },
    );
  }
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CONFIG_TABLE_NAME: TABLE,
    DLQ_URL: sqs.createQueue('inbound-sync-dlq.fifo'),
    // Set as deployed; the happy path never calls the run-state table, so it need not exist here.
    RUN_STATE_TABLE_NAME: 'flow-worker-run-state',
    // BENCH_LOG_LEVEL=SILENT shows what the per-record log lines cost (INFO is the deployed default).
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'INFO',
    // The target server runs on 127.0.0.1, which a local run allows explicitly.
    ALLOW_TARGET_ADDRESSES: 'loopback',
    [WORKER_ENV.dynamodb]: dynalite.endpoint,
  };
  return {
    env,
    http,
    dlqDepth: () => sqs.sent('inbound-sync-dlq.fifo').length,
    close: async () => {
      raw.destroy();
      await Promise.all([dynalite.close(), sqs.close(), http.close()]);
    },
  };
}

type Services = Awaited<ReturnType<typeof startServices>>;

/** Case 4: GetItem calls of a cold and a warm invocation of the deployed handler module. */
async function configReadsCase(services: Services): Promise<CaseResult> {
  const readsStarted = performance.now();
  const reads = (await runWorker('config-reads', {
    ...services.env,
    [WORKER_ENV.connectors]: CONFIG_READ_CONNECTORS.join(','),
  })) as ConfigReadsResult;
  const httpCalls = services.http.requests.length;
  const result: CaseResult = {
    id: 4,
    title: 'Config reads (GetItem)',
    parameters: {
      records: 10,
      connectors: CONFIG_READ_CONNECTORS.length,
      flowsPerConnector: HANDLER_FLOWS,
    },
    data: { ...reads, httpTargetRequests: httpCalls, deadLettered: services.dlqDepth() },
    rows: [
      {
        metric: 'GetItem, cold invocation',
        value: String(reads.coldGetItem),
        goal: '≤ 3',
        verdict: verdict(reads.coldGetItem <= 3),
      },
      {
        metric: 'GetItem, warm invocation',
        value: String(reads.warmGetItem),
        goal: '0',
        verdict: verdict(reads.warmGetItem === 0),
      },
      {
        metric: 'cold / warm batch wall',
        value: `${millis(reads.coldMs)} / ${millis(reads.warmMs)}`,
        goal: '—',
        verdict: 'info',
      },
    ],
    notes: [
      `lambdas/inbound-sync/handler.ts imported as deployed in a fresh process; GetItem counted by an HTTP proxy in front of dynalite; http target = local REST server (${httpCalls} requests, ${reads.failures} failed records)`,
    ],
    durationMs: performance.now() - readsStarted,
  };
  return result;
}

/** Case 5: records per second through the real handler on dynalite, batches in sequence. */
async function throughputCase(services: Services, mode: BenchMode): Promise<CaseResult> {
  const throughputStarted = performance.now();
  const run = (await runWorker('throughput', {
    ...services.env,
    [WORKER_ENV.connectors]: THROUGHPUT_CONNECTOR,
    [WORKER_ENV.records]: String(mode.throughputRecords),
  })) as ThroughputResult;
  const recordsPerSecond = run.records / (run.wallMs / 1000);
  const p50 = percentile(run.batchLatenciesMs, 50);
  const p99 = percentile(run.batchLatenciesMs, 99);
  const result: CaseResult = {
    id: 5,
    title: 'Throughput, real handler',
    parameters: { records: run.records, batchSize: 10, flowsPerConnector: HANDLER_FLOWS },
    data: {
      records: run.records,
      batches: run.batches,
      wallMs: run.wallMs,
      recordsPerSecond,
      batchP50Ms: p50,
      batchP99Ms: p99,
      failures: run.failures,
      targetCalls: run.targetCalls,
    },
    rows: [
      {
        metric: 'records/s (one container, batches in sequence)',
        value: thousands(recordsPerSecond),
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'batch latency p50 / p99',
        value: `${millis(p50)} / ${millis(p99)}`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'records failed / target calls',
        value: `${run.failures} / ${thousands(run.targetCalls)}`,
        goal: `0 / ${thousands(run.records)}`,
        verdict: verdict(run.failures === 0 && run.targetCalls === run.records),
      },
    ],
    notes: [
      'createFlowWorkerHandler (middy, record lines and EMF metrics to a discarded stdout) with the config store built on recording targets; dynalite in the parent process; 50 warm-up batches not counted',
    ],
    durationMs: performance.now() - throughputStarted,
  };
  return result;
}

/** Case 7: one record's cost through the real handler, with no I/O, against the floor. */
async function perRecordCase(services: Services, mode: BenchMode): Promise<CaseResult> {
  const perRecordStarted = performance.now();
  const measured = (await runWorker('per-record', {
    ...services.env,
    [WORKER_ENV.connectors]: THROUGHPUT_CONNECTOR,
    [WORKER_ENV.micro]: `${mode.micro.timeMs},${mode.micro.warmupMs},${mode.micro.rounds}`,
  })) as PerRecordResult;
  const perRecordRatio = measured.handler.p50 / measured.floor.p50;
  const result: CaseResult = {
    id: 7,
    title: 'Per record, real handler',
    parameters: { recordsPerBatch: measured.recordsPerBatch, flowsPerConnector: HANDLER_FLOWS },
    data: { ...measured, ratioP50: perRecordRatio },
    rows: [
      {
        metric: 'floor: JSON.parse + one Map.get, per record p50 / p99',
        value: `${micros(measured.floor.p50)} / ${micros(measured.floor.p99)}`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'real handler, per record of a 10-record batch, p50 / p99',
        value: `${micros(measured.handler.p50)} / ${micros(measured.handler.p99)}`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: "an invocation's EMF line (4 counts), p50: ours / Powertools Metrics",
        value: `${micros(measured.telemetry.emf.ours)} / ${micros(measured.telemetry.emf.powertools)} (${ratio(measured.telemetry.emf.powertools / measured.telemetry.emf.ours)})`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'one record line, p50: ours (written ten at a time) / Powertools Logger',
        value: `${micros(measured.telemetry.recordLine.ours)} / ${micros(measured.telemetry.recordLine.powertools)} (${ratio(measured.telemetry.recordLine.powertools / measured.telemetry.recordLine.ours)})`,
        goal: '—',
        verdict: 'info',
      },
      {
        metric: 'real handler vs floor, p50',
        value: ratio(perRecordRatio),
        goal: `≤ ${GOAL_PER_RECORD}×`,
        verdict: verdict(perRecordRatio <= GOAL_PER_RECORD && measured.failures === 0),
      },
      {
        // The same comparison taken round by round (each round runs both back to back), so that a
        // change in the machine's speed between rounds shows as a spread, not as a shift.
        metric: 'real handler vs floor within each round (both back to back): median (lowest–highest)',
        value: `${ratio(median(measured.roundRatios))} (${ratio(Math.min(...measured.roundRatios))}–${ratio(Math.max(...measured.roundRatios))})`,
        goal: '—',
        verdict: 'info',
      },
    ],
    notes: [
      'createFlowWorkerHandler as deployed (middy, FIFO batch, the record line at INFO, EMF metrics, stdout discarded), an in-memory config (cache hit), no-op targets and emitter; transform → filter → upsert per record',
    ],
    durationMs: performance.now() - perRecordStarted,
  };
  return result;
}

/** Cases 4, 5 and 7 share the local services; they are started once. */
export async function handlerCases(mode: BenchMode): Promise<CaseResult[]> {
  const services = await startServices();
  try {
    return [
      await configReadsCase(services),
      await throughputCase(services, mode),
      await perRecordCase(services, mode),
    ];
  } finally {
    await services.close();
  }
}
