/** What the handler worker (a fresh `node` process, like a Lambda container) reports over IPC. */

export type WorkerJob = 'config-reads' | 'throughput' | 'per-record' | 'config-load';

/** Environment keys the parent sets for the worker besides the handler's own variables. */
export const WORKER_ENV = {
  /** dynalite's endpoint; the worker puts a counting proxy in front of it for `config-reads`. */
  dynamodb: 'BENCH_DYNAMODB_ENDPOINT',
  /** Connector ids of the job, comma-separated. */
  connectors: 'BENCH_CONNECTORS',
  /** Records to push through (`throughput`). */
  records: 'BENCH_RECORDS',
  /** tinybench time per task and rounds (`per-record`), as `timeMs,warmupMs,rounds`. */
  micro: 'BENCH_MICRO',
} as const;

export interface ConfigReadsResult {
  readonly job: 'config-reads';
  readonly coldGetItem: number;
  readonly warmGetItem: number;
  readonly coldMs: number;
  readonly warmMs: number;
  readonly failures: number;
}

export interface ThroughputResult {
  readonly job: 'throughput';
  readonly records: number;
  readonly batches: number;
  readonly wallMs: number;
  readonly batchLatenciesMs: readonly number[];
  readonly failures: number;
  readonly targetCalls: number;
}

/** Per-record latencies (ms, medians over rotated rounds) of the floor and of the real handler. */
export interface PerRecordResult {
  readonly job: 'per-record';
  readonly floor: { readonly p50: number; readonly p99: number };
  readonly handler: { readonly p50: number; readonly p99: number };
  /** Handler p50 over floor p50 within each round (both measured back to back), in round order. */
  readonly roundRatios: readonly number[];
  /**
   * p50 in ms of the telemetry the handler writes, ours against Powertools, to the same discarded
   * stdout: an invocation's EMF line (its counts added, then published), and one record line.
   */
  readonly telemetry: {
    readonly emf: { readonly ours: number; readonly powertools: number };
    readonly recordLine: { readonly ours: number; readonly powertools: number };
  };
  readonly recordsPerBatch: number;
  readonly failures: number;
}

/** One connector's config loaded by a fresh config store (`config-load`), then refreshed unchanged. */
export interface ConfigLoadResult {
  readonly job: 'config-load';
  readonly coldMs: number;
  /** DynamoDB operations of the cold load, e.g. `{ GetItem: 1, BatchGetItem: 1 }`. */
  readonly coldOperations: Readonly<Record<string, number>>;
  /** DynamoDB operations of a refresh that finds the same version. */
  readonly refreshOperations: Readonly<Record<string, number>>;
  /** Resident memory before the load and at its peak, MB. */
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly flows: number;
}

export type WorkerResult = ConfigReadsResult | ThroughputResult | PerRecordResult | ConfigLoadResult;
