import { Bench, type Fn, type Task } from 'tinybench';

export interface MicroOptions {
  /** Time budget per task in ms, over all rounds. */
  readonly timeMs: number;
  readonly warmupMs: number;
  /**
   * Rounds, each running every task once in a rotated order: a burst of load from another process
   * or a GC pause then hits every task, not just the one that happened to run at that moment.
   */
  readonly rounds: number;
}

export interface Latency {
  /** Medians over rounds of each round's statistic, in ms. */
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly samples: number;
  /** Each round's p50, in ms, in round order (tasks of one round ran back to back). */
  readonly roundP50s: readonly number[];
}

function latencyOf(task: Task | undefined): Latency {
  const result = task?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`task ${task?.name ?? '(missing)'} did not complete (${result?.state ?? 'no result'})`);
  }
  const { p50, p99, mean, samplesCount } = result.latency;
  return { p50, p99, mean, samples: samplesCount, roundP50s: [p50] };
}

const middle = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/**
 * Runs named task functions with tinybench (hrtime clock, errors fatal) in `rounds` rotated rounds
 * and returns each task's latency statistics as medians over the rounds.
 */
export async function runMicro(
  tasks: readonly (readonly [string, Fn])[],
  options: MicroOptions,
): Promise<Record<string, Latency>> {
  const perRound = new Map<string, Latency[]>(tasks.map(([name]) => [name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    const bench = new Bench({
      time: options.timeMs / options.rounds,
      warmupTime: round === 0 ? options.warmupMs : Math.min(50, options.warmupMs),
      timestampProvider: 'hrtimeNow',
      throws: true,
    });
    for (let i = 0; i < tasks.length; i += 1) {
      const [name, fn] = tasks[(i + round) % tasks.length] as readonly [string, Fn];
      bench.add(name, fn);
    }
    await bench.run();
    for (const [name] of tasks) perRound.get(name)?.push(latencyOf(bench.getTask(name)));
  }
  return Object.fromEntries(
    [...perRound].map(([name, rounds]) => [
      name,
      {
        p50: middle(rounds.map((r) => r.p50)),
        p99: middle(rounds.map((r) => r.p99)),
        mean: middle(rounds.map((r) => r.mean)),
        samples: rounds.reduce((sum, r) => sum + r.samples, 0),
        roundP50s: rounds.map((r) => r.p50),
      },
    ]),
  );
}
