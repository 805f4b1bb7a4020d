import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** One request a local server received, for the demo report and tests. Authorization is redacted. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when empty. */
  readonly body: unknown;
  readonly status: number;
  /** The JSON answered, if any. */
  readonly response?: unknown;
}

export interface JsonReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface JsonRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

/** What every local target server (HubSpot, REST) takes. */
export interface LocalTargetOptions {
  /** The bearer token the server requires; any bearer token (HubSpot) or none (REST) when omitted. */
  readonly token?: string;
  /**
   * Fault injection for demos and tests: return a reply to answer with it instead of handling the
   * request (e.g. a 503 for one record).
   */
  readonly fault?: (request: JsonRequest) => JsonReply | undefined;
}

export type JsonRoute = (request: JsonRequest) => JsonReply | Promise<JsonReply>;

export interface RunningJsonServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/** Thrown by a route to answer with an error status. */
export class HttpReplyError extends Error {
  constructor(readonly reply: JsonReply) {
    super(`HTTP ${reply.status}`);
    this.name = 'HttpReplyError';
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function redactedHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    result[key] = key === 'authorization' ? text.replace(/^(\w+)\s.*$/, '$1 ***') : text;
  }
  return result;
}

function send(res: ServerResponse, reply: JsonReply): void {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(text === '' ? {} : { 'content-type': 'application/json' }),
    ...reply.headers,
  });
  res.end(text);
}

/**
 * A tiny JSON-over-HTTP server on 127.0.0.1 with a free port. Every request is recorded (after
 * the route answers) so a demo or a test can show what reached the target.
 */
export async function startJsonServer(route: JsonRoute): Promise<RunningJsonServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      let body: unknown;
      let reply: JsonReply;
      try {
        body = text === '' ? undefined : JSON.parse(text);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        reply = await route({ method: req.method ?? 'GET', url, headers: req.headers, body });
      } catch (error) {
        reply =
          error instanceof HttpReplyError
            ? error.reply
            : { status: error instanceof SyntaxError ? 400 : 500, body: { message: String(error) } };
      }
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: redactedHeaders(req.headers),
        body: body ?? (text === '' ? undefined : text),
        status: reply.status,
        ...(reply.body === undefined ? {} : { response: reply.body }),
      });
      send(res, reply);
    })();
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, requests, close: listening.close };
}

/** The bearer token of a request, if any. */
export function bearerToken(headers: IncomingMessage['headers']): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}
