/** What the handler worker (a fresh `node` process, like a Lambda container) reports over IPC. */

export type WorkerJob = 'config-reads' | 'throughput';

/** Environment keys the parent sets for the worker besides the handler's own variables. */
export const WORKER_ENV = {
  /** dynalite's endpoint; the worker puts a counting proxy in front of it for `config-reads`. */
  dynamodb: 'BENCH_DYNAMODB_ENDPOINT',
  /** Connector ids of the job, comma-separated. */
  connectors: 'BENCH_CONNECTORS',
  /** Records to push through (`throughput`). */
  records: 'BENCH_RECORDS',
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

export type WorkerResult = ConfigReadsResult | ThroughputResult;
