import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleHandler, HANDLER_ENTRY_FILE } from '../../lib/handler-bundle.js';
import type { WorkerJob, WorkerResult } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('../workers/handler-worker.ts', import.meta.url));
/** Under the repo (gitignored), so anything left external resolves from node_modules. */
const WORKER_OUT = fileURLToPath(new URL('../../.bench/worker/', import.meta.url));

let bundled: string | undefined;

/**
 * The worker bundled as the handlers are deployed (`lib/handler-bundle.ts`: minified, split), so
 * what it measures is the code Lambda runs, not the sources through tsx. Built once per bench run.
 */
function workerBundle(): string {
  if (bundled === undefined) {
    rmSync(WORKER_OUT, { recursive: true, force: true });
    bundleHandler(WORKER, WORKER_OUT);
    bundled = join(WORKER_OUT, HANDLER_ENTRY_FILE);
  }
  return bundled;
}

/** Runs one job in a fresh `node` process; its stdout (the handler's logs and EMF) is discarded. */
export function runWorker(job: WorkerJob, env: Record<string, string>): Promise<WorkerResult> {
  const worker = workerBundle();
  return new Promise((resolve, reject) => {
    const child = fork(worker, [job], {
      // As deployed (the construct sets it): stack traces through the source maps.
      execArgv: ['--enable-source-maps'],
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
