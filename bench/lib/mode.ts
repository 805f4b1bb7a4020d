import type { MicroOptions } from './tinybench.js';

/** Sizes and iteration counts of a run: full (`npm run bench`) or `--quick`. */
export interface BenchMode {
  readonly name: 'full' | 'quick';
  readonly micro: MicroOptions;
  /** Repetitions of the FIFO batch comparison (median reported). */
  readonly fifoRepeats: number;
  /** Records pushed through the real handler for throughput. */
  readonly throughputRecords: number;
  /** Fresh `node` processes per bundle for import time (median reported). */
  readonly importRuns: number;
  /** Messages the 4 containers drain in the HubSpot rate-limit case. */
  readonly hubspotMessages: number;
  /** Single upserts timed per side for the latency a record alone pays. */
  readonly hubspotLatencyRuns: number;
}

export const FULL: BenchMode = {
  name: 'full',
  micro: { timeMs: 3_000, warmupMs: 300, rounds: 5 },
  fifoRepeats: 7,
  throughputRecords: 10_000,
  importRuns: 15,
  hubspotMessages: 300,
  hubspotLatencyRuns: 300,
};

export const QUICK: BenchMode = {
  name: 'quick',
  micro: { timeMs: 400, warmupMs: 100, rounds: 2 },
  fifoRepeats: 3,
  throughputRecords: 2_000,
  importRuns: 3,
  hubspotMessages: 100,
  hubspotLatencyRuns: 100,
};
