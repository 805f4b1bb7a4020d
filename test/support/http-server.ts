import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from '../../cli/local/loopback.js';

/** One request as the test server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path without the query, still URL-encoded as sent. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Which TCP connection carried it (0, 1, …): equal numbers mean a reused keep-alive connection. */
  readonly connection: number;
  json(): unknown;
}

/** Answers one request. `res` is the raw Node response; `socket` allows playing a connection reset. */
export type Reply = (request: ReceivedRequest, res: ServerResponse, socket: Socket) => void;

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Queues replies, used in order; when the queue is empty the fallback (default 200 `{}`) answers. */
  reply(...replies: Reply[]): void;
  fallback(reply: Reply): void;
  close(): Promise<void>;
}

/** A JSON response. */
export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Reply {
  return (_request, res) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(text === '' ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(text);
  };
}

/** Replies after `ms`, e.g. to outlast a client timeout. */
export function delayed(ms: number, reply: Reply): Reply {
  return (request, res, socket) => {
    const timer = setTimeout(() => {
      if (!res.destroyed && !socket.destroyed) reply(request, res, socket);
    }, ms);
    socket.once('close', () => clearTimeout(timer));
  };
}

/** Drops the TCP connection without any response (the client sees a reset / "other side closed"). */
export const resetConnection: Reply = (_request, _res, socket) => {
  socket.destroy();
};

/** Starts a real HTTP server on 127.0.0.1 (a free port) that records every request. */
export async function startHttpServer(): Promise<TestHttpServer> {
  const requests: ReceivedRequest[] = [];
  const queue: Reply[] = [];
  let fallbackReply: Reply = json(200, {});
  const connections = new WeakMap<Socket, number>();
  let connectionCount = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        query: url.searchParams,
        headers: req.headers,
        body,
        connection: connections.get(req.socket) ?? -1,
        json: () => JSON.parse(body) as unknown,
      };
      requests.push(received);
      (queue.shift() ?? fallbackReply)(received, res, req.socket);
    });
  });
  server.on('connection', (socket) => connections.set(socket, connectionCount++));

  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    requests,
    reply: (...replies) => queue.push(...replies),
    fallback: (reply) => {
      fallbackReply = reply;
    },
    close: listening.close,
  };
}
