import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerResult } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('../workers/handler-worker.ts', import.meta.url));

/** Runs one job in a fresh `node` process; its stdout (the handler's logs and EMF) is discarded. */
export function runWorker(job: WorkerJob, env: Record<string, string>): Promise<WorkerResult> {
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
