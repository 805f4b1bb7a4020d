import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * An HTTP proxy on 127.0.0.1 in front of an AWS JSON endpoint (dynalite) that counts operations by
 * `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`). The handler under test reaches DynamoDB
 * through it (`AWS_ENDPOINT_URL_DYNAMODB`), so the count is of real wire calls. It can also hold
 * the requests of one operation until released, to look at the table in the middle of a publish.
 */
export interface CountingProxy {
  readonly endpoint: string;
  count(operation: string): number;
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

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const holds = new Map<string, Hold>();
  const target = new URL(upstream);
  const forward = (req: IncomingMessage, res: ServerResponse) => {
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
    req.pipe(outgoing);
  };
  const server = createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const hold = holds.get(operation);
    if (hold === undefined) return forward(req, res);
    req.pause();
    hold.arrive();
    void hold.gate.then(() => forward(req, res));
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    count: (operation) => counts.get(operation) ?? 0,
    counts: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
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
