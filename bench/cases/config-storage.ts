import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createConfigTable,
  createManifestsTable,
  formatBytes,
  publishConfig,
  type ConnectorConfigInput,
  type PublishResult,
} from '@flow-worker/runtime';
import { startCountingProxy } from '../../cli/local/counting-proxy.js';
import { startDynalite } from '../../cli/local/dynalite.js';
import { threeStepConfig, variedConfig } from '../lib/fixtures.js';
import { millis, thousands, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { runWorker } from '../lib/run-worker.js';
import { elapsedMs } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';
import { WORKER_ENV, type ConfigLoadResult } from '../lib/worker-protocol.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const CONFIG_TABLE = 'flow-worker-bench-storage';
const MANIFESTS_TABLE = 'flow-worker-bench-manifests';

interface Size {
  readonly label: string;
  readonly flows: number;
  readonly make: (connectorId: string, flows: number) => ConnectorConfigInput;
}

const threeStep = (connectorId: string, flows: number) => threeStepConfig({ connectorId, flows });
const varied = (connectorId: string, flows: number) => variedConfig({ connectorId, flows });

/** 1k/10k/30k three-step flows (the bench's usual config), and 30k flows that differ as real ones do. */
function sizesOf(mode: BenchMode): Size[] {
  const sizes: Size[] = [1_000, 10_000, 30_000].map((flows) => ({
    label: `${thousands(flows)} flows`,
    flows,
    make: threeStep,
  }));
  return mode.name === 'quick'
    ? sizes
    : [...sizes, { label: '30,000 varied flows', flows: 30_000, make: varied }];
}

/** `3 (BatchGetItem 1, BatchWriteItem 1, TransactWriteItems 1)`: DynamoDB requests by operation. */
function roundTrips(operations: Readonly<Record<string, number>>): { total: number; text: string } {
  const entries = Object.entries(operations).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return { total, text: `${total} (${entries.map(([op, n]) => `${op} ${n}`).join(', ')})` };
}

interface Measured {
  readonly size: Size;
  readonly published: PublishResult;
  readonly publishMs: number;
  readonly publishOperations: Record<string, number>;
  readonly load: ConfigLoadResult;
}

function rowsOf({ size, published, publishMs, publishOperations, load }: Measured): ResultRow[] {
  const { stored } = published;
  const chunks = stored.chunks === 1 ? '1 chunk item' : `${stored.chunks} chunk items`;
  const publishTrips = roundTrips(publishOperations);
  const coldTrips = roundTrips(load.coldOperations);
  const refreshTrips = roundTrips(load.refreshOperations);
  // The head, then the chunks two to a request (about 1 MB each), all requests at once.
  const coldGoal = 1 + (stored.inline ? 0 : Math.ceil(stored.chunks / 2));
  return [
    {
      metric: `${size.label}: JSON → stored gzip, items`,
      value: `${formatBytes(stored.jsonBytes)} → ${formatBytes(stored.compressedBytes)}, ${chunks}${stored.inline ? ' + inline' : ''}`,
      goal: '—',
      verdict: 'info',
    },
    {
      metric: `${size.label}: publish time; requests`,
      value: `${millis(publishMs)}; ${publishTrips.text}`,
      goal: '—',
      verdict: 'info',
    },
    {
      metric: `${size.label}: cold load time; requests`,
      value: `${millis(load.coldMs)}; ${coldTrips.text}`,
      goal: `≤ ${coldGoal} request${coldGoal === 1 ? '' : 's'}`,
      verdict: verdict(coldTrips.total <= coldGoal),
    },
    {
      metric: `${size.label}: unchanged refresh; peak RSS of the load`,
      value: `${refreshTrips.text}; ${Math.round(load.rssPeakMb)} MB (${Math.round(load.rssBeforeMb)} MB before)`,
      goal: '1 request',
      verdict: verdict(refreshTrips.total === 1),
    },
  ];
}

interface Encoding {
  readonly name: string;
  readonly encode: (bytes: Buffer) => Buffer;
  readonly decode: (bytes: Buffer) => Buffer;
}

/** The candidates for the stored bytes: gzip (the layout's), and brotli, which compresses harder. */
const ENCODINGS: readonly Encoding[] = [
  { name: 'gzip', encode: (b) => gzipSync(b), decode: (b) => gunzipSync(b) },
  {
    name: 'brotli q5',
    encode: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
    decode: (b) => brotliDecompressSync(b),
  },
];

/** What decided the encoding: size and time of each candidate on one config (best of 3). */
function encodingRows(size: Size, document: ConnectorConfigInput): ResultRow[] {
  const json = Buffer.from(JSON.stringify(document));
  const best = (run: () => unknown) =>
    Math.min(
      ...[0, 1, 2].map(() => {
        const start = process.hrtime.bigint();
        run();
        return elapsedMs(start);
      }),
    );
  return ENCODINGS.map((encoding) => {
    const packed = encoding.encode(json);
    const encodeMs = best(() => encoding.encode(json));
    const decodeMs = best(() => encoding.decode(packed));
    return {
      metric: `${size.label} as ${encoding.name}: bytes (× smaller); encode / decode`,
      value: `${formatBytes(packed.length)} (${(json.length / packed.length).toFixed(1)}×); ${millis(encodeMs)} / ${millis(decodeMs)}`,
      goal: '—',
      verdict: 'info',
    };
  });
}

/**
 * Case 9: publishing configs of 1k/10k/30k flows to dynalite (behind the transaction layer) and
 * loading each cold in a fresh process through the config store the handler uses: time, bytes
 * stored, DynamoDB round trips counted on the wire, and peak memory.
 */
export async function configStorage(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const dynalite = await startDynalite();
  const proxy = await startCountingProxy(dynalite.endpoint);
  const raw = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });
  const client = DynamoDBDocumentClient.from(raw);
  await createConfigTable(raw, CONFIG_TABLE);
  await createManifestsTable(raw, MANIFESTS_TABLE);
  const measured: Measured[] = [];
  const encodings: ResultRow[] = [];
  try {
    for (const [index, size] of sizesOf(mode).entries()) {
      const connectorId = `bench-storage-${index}`;
      const document = size.make(connectorId, size.flows);
      if (size.flows === 30_000) encodings.push(...encodingRows(size, document));
      proxy.reset();
      const start = process.hrtime.bigint();
      const published = await publishConfig({ client, tableName: CONFIG_TABLE }, document, {
        manifests: { client, tableName: MANIFESTS_TABLE },
      });
      const publishMs = elapsedMs(start);
      const publishOperations = proxy.counts();
      const load = (await runWorker('config-load', {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        CONFIG_TABLE_NAME: CONFIG_TABLE,
        [WORKER_ENV.dynamodb]: dynalite.endpoint,
        [WORKER_ENV.connectors]: connectorId,
      })) as ConfigLoadResult;
      measured.push({ size, published, publishMs, publishOperations, load });
    }
  } finally {
    raw.destroy();
    await proxy.close();
    await dynalite.close();
  }
  return {
    id: 9,
    title: 'Config publish and cold load',
    parameters: { sizes: measured.map((m) => m.size.label).join(' / ') },
    data: {
      sizes: measured.map(({ size, published, publishMs, publishOperations, load }) => ({
        label: size.label,
        flows: size.flows,
        stored: published.stored,
        publishMs,
        publishOperations,
        load,
      })),
    },
    rows: [...measured.flatMap(rowsOf), ...encodings],
    notes: [
      'publishConfig with --manifests-table in this process (validation, gzip, chunk writes, one transaction); the cold load is createConfigStore().get() in a fresh node process (head, chunks, gunzip, validation, compile), then a get after the TTL on the unchanged version; operations counted by an HTTP proxy in front of dynalite',
      'a cold load is the head (GetItem), then the chunk items two to a BatchGetItem, those requests in parallel: two round trips one after the other whatever the size',
      'peak RSS includes tsx, which the deployed bundle does not load (about 30 MB)',
    ],
    durationMs: performance.now() - started,
  };
}
