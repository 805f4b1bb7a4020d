import { createServer, request as httpRequest } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * An HTTP proxy on 127.0.0.1 in front of an AWS JSON endpoint (dynalite) that counts operations by
 * `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`). The handler under test reaches DynamoDB
 * through it (`AWS_ENDPOINT_URL_DYNAMODB`), so the count is of real wire calls.
 */
export interface CountingProxy {
  readonly endpoint: string;
  count(operation: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    count: (operation) => counts.get(operation) ?? 0,
    reset: () => counts.clear(),
    close: listening.close,
  };
}
