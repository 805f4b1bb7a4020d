import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** Where a run happened: docs/performance.md quotes it next to the numbers. */
export interface MachineInfo {
  readonly date: string;
  readonly cpuModel: string;
  readonly nproc: number;
  readonly node: string;
  /** 1-minute load average when the run started: a busy machine makes absolute times noise. */
  readonly loadAverage: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpuModel: cpuModel(),
    nproc: availableParallelism(),
    node: process.version,
    loadAverage: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}
