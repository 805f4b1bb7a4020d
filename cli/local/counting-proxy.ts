import { createServer, request as httpRequest } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * An HTTP proxy on 127.0.0.1 in front of an AWS JSON endpoint (dynalite) that counts operations by
 * `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`), overall and per table (the request's
 * `TableName`). The handler under test reaches DynamoDB through it (`AWS_ENDPOINT_URL_DYNAMODB`),
 * so the count is of real wire calls.
 */
export interface CountingProxy {
  readonly endpoint: string;
  /** Calls of `operation`, on every table or, with `table`, on that one. */
  count(operation: string, table?: string): number;
  /** Calls of any operation on `table`. */
  countOn(table: string): number;
  reset(): void;
  close(): Promise<void>;
}

function tableNameOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { TableName?: unknown };
    return typeof parsed.TableName === 'string' ? parsed.TableName : undefined;
  } catch {
    return undefined;
  }
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .at(-1) ?? '';
      const table = tableNameOf(body) ?? '';
      add(operation);
      add(JSON.stringify([operation, table]));
      add(JSON.stringify(['*', table]));
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
      forward.end(body);
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    count: (operation, table) =>
      counts.get(table === undefined ? operation : JSON.stringify([operation, table])) ?? 0,
    countOn: (table) => counts.get(JSON.stringify(['*', table])) ?? 0,
    reset: () => counts.clear(),
    close: listening.close,
  };
}
