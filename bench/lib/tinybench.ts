import { Bench, type Task } from 'tinybench';

export interface MicroOptions {
  /** Time budget per task in ms. */
  readonly timeMs: number;
  readonly warmupMs: number;
}

/** A tinybench `Bench` with the settings every micro case uses: hrtime clock, errors are fatal. */
export function microBench(name: string, options: MicroOptions): Bench {
  return new Bench({
    name,
    time: options.timeMs,
    warmupTime: options.warmupMs,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
}

/** Latency statistics (ms) of a finished task. */
export function latencyOf(task: Task | undefined): {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
} {
  const result = task?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`task ${task?.name ?? '(missing)'} did not complete (${result?.state ?? 'no result'})`);
  }
  const { p50, p99, mean, samplesCount } = result.latency;
  return { p50, p99, mean, samples: samplesCount };
}
