import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * An HTTP proxy on 127.0.0.1 in front of an AWS JSON endpoint (dynalite) that counts operations by
 * `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`), overall and per table (the request's
 * `TableName`). The handler under test reaches DynamoDB through it (`AWS_ENDPOINT_URL_DYNAMODB`),
 * so the count is of real wire calls. It can also hold the requests of one operation until
 * released, to look at the table in the middle of a publish.
 */
export interface CountingProxy {
  readonly endpoint: string;
  /** Calls of `operation`, on every table or, with `table`, on that one. */
  count(operation: string, table?: string): number;
  /** Calls of any operation on `table`. */
  countOn(table: string): number;
  /** Every operation counted since the last reset, e.g. `{ GetItem: 1, BatchGetItem: 1 }`. */
  counts(): Record<string, number>;
  reset(): void;
  /**
   * Holds the requests of `operation` until `release()`; `arrived` resolves when the first one is
   * waiting.
   */
  hold(operation: string): { readonly arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

interface Hold {
  readonly gate: Promise<void>;
  readonly arrive: () => void;
}

function tableNameOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { TableName?: unknown };
    return typeof parsed.TableName === 'string' ? parsed.TableName : undefined;
  } catch {
    return undefined;
  }
}

/** Counts of operations, and of operations per table, since the last reset. */
class Counter {
  readonly operations = new Map<string, number>();
  private readonly byTable = new Map<string, number>();

  add(operation: string, table: string): void {
    this.operations.set(operation, (this.operations.get(operation) ?? 0) + 1);
    for (const key of [JSON.stringify([operation, table]), JSON.stringify(['*', table])]) {
      this.byTable.set(key, (this.byTable.get(key) ?? 0) + 1);
    }
  }

  count(operation: string, table?: string): number {
    return table === undefined
      ? (this.operations.get(operation) ?? 0)
      : (this.byTable.get(JSON.stringify([operation, table])) ?? 0);
  }

  countOn(table: string): number {
    return this.byTable.get(JSON.stringify(['*', table])) ?? 0;
  }

  clear(): void {
    this.operations.clear();
    this.byTable.clear();
  }
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counter = new Counter();
  const holds = new Map<string, Hold>();
  const target = new URL(upstream);
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    outgoing.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .at(-1) ?? '';
      counter.add(operation, tableNameOf(body) ?? '');
      const hold = holds.get(operation);
      if (hold === undefined) return forward(req, res, body);
      hold.arrive();
      void hold.gate.then(() => forward(req, res, body));
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    count: (operation, table) => counter.count(operation, table),
    countOn: (table) => counter.countOn(table),
    counts: () => Object.fromEntries(counter.operations),
    reset: () => counter.clear(),
    hold(operation) {
      let release = () => {};
      let arrive = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      holds.set(operation, { gate, arrive });
      return {
        arrived,
        release: () => {
          holds.delete(operation);
          release();
        },
      };
    },
    close: listening.close,
  };
}
