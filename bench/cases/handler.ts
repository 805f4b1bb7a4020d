import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConfigTable, publishConfig, type ConfigTable } from '@flow-worker/runtime';
import { startHttpTargetServer } from '../../cli/local/http-target-server.js';
import { startLocalSqs } from '../../cli/local/sqs-server.js';
import { startDynalite } from '../../cli/local/dynalite.js';
import { HANDLER_FLOWS, threeStepConfig } from '../lib/fixtures.js';
import { millis, thousands, verdict, type CaseResult } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';
import {
  WORKER_ENV,
  type ConfigReadsResult,
  type ThroughputResult,
  type WorkerJob,
  type WorkerResult,
} from '../lib/worker-protocol.js';

const TABLE = 'flow-worker-bench-config';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const WORKER = fileURLToPath(new URL('../workers/handler-worker.ts', import.meta.url));
const CONFIG_READ_CONNECTORS = ['bench-a', 'bench-b', 'bench-c'];
const THROUGHPUT_CONNECTOR = 'bench-t';

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

/** Runs one job in a fresh `node` process; its stdout (the handler's logs and EMF) is discarded. */
function runWorker(job: WorkerJob, env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [job], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: WorkerResult | undefined;
    child.on('message', (message) => {
      result = message as WorkerResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`handler worker ${job} exited with code ${code} without a result`));
    });
  });
}

/** Cases 4 and 5 share the local services; they are started once. */
export async function handlerCases(mode: BenchMode): Promise<CaseResult[]> {
  const services = await startServices();
  try {
    const readsStarted = performance.now();
    const reads = (await runWorker('config-reads', {
      ...services.env,
      [WORKER_ENV.connectors]: CONFIG_READ_CONNECTORS.join(','),
    })) as ConfigReadsResult;
    const httpCalls = services.http.requests.length;
    const readsCase: CaseResult = {
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

    const throughputStarted = performance.now();
    const run = (await runWorker('throughput', {
      ...services.env,
      [WORKER_ENV.connectors]: THROUGHPUT_CONNECTOR,
      [WORKER_ENV.records]: String(mode.throughputRecords),
    })) as ThroughputResult;
    const recordsPerSecond = run.records / (run.wallMs / 1000);
    const p50 = percentile(run.batchLatenciesMs, 50);
    const p99 = percentile(run.batchLatenciesMs, 99);
    const throughputCase: CaseResult = {
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
        'createFlowWorkerHandler (middy, Powertools logger + EMF metrics to a discarded stdout) with the config store built on recording targets; dynalite in the parent process; 50 warm-up batches not counted',
      ],
      durationMs: performance.now() - throughputStarted,
    };
    return [readsCase, throughputCase];
  } finally {
    await services.close();
  }
}
