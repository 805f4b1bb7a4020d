// dynalite is CommonJS: Node's ESM loader exposes only its default export.
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface RunningDynalite {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts the in-memory DynamoDB emulator on 127.0.0.1 on a free port. */
export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
