// dynalite is CommonJS: Node's ESM loader exposes only its default export.
import dynalite from 'dynalite';
import { listenOnLoopback } from './loopback.js';

export interface RunningDynalite {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts the in-memory DynamoDB emulator on 127.0.0.1 on a free port. */
export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listening = await listenOnLoopback(server);
  return { endpoint: listening.url, close: listening.close };
}
