// dynalite is CommonJS: Node's ESM loader exposes only its default export.
import dynalite from 'dynalite';
import { listenOnLoopback } from './loopback.js';
import { startTransactionLayer } from './transactions.js';

export interface RunningDynalite {
  /** The transaction layer's endpoint: dynalite with `TransactWriteItems` / `TransactGetItems`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts the in-memory DynamoDB emulator on 127.0.0.1 on a free port, behind the transaction layer
 * (`transactions.ts`) that adds what dynalite lacks, so publishing runs the same code as on AWS.
 */
export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listening = await listenOnLoopback(server);
  const transactions = await startTransactionLayer(listening.url);
  return {
    endpoint: transactions.endpoint,
    close: async () => {
      await transactions.close();
      await listening.close();
    },
  };
}
