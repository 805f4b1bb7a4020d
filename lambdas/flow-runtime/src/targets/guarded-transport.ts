import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, refusalReason, type TargetAddressRange } from '../document/target-address.js';
import { AddressNotAllowedError } from '../errors.js';

/**
 * The HTTP transport of every target: `fetch`'s shape, built on `node:http` / `node:https`, with the
 * network guard (document/target-address.ts) applied to the address each connection actually uses.
 *
 * - A literal IP host is checked before anything is sent.
 * - A host name is resolved by the connection's own `lookup`, which checks every address it returns
 *   and refuses the connection if one is not allowed. The socket then connects to an address that
 *   was just checked, so a name that resolves to a public address once and to 169.254.169.254 the
 *   next time (DNS rebinding) is caught on the connection that would use it. Kept-alive sockets were
 *   checked when they connected.
 * - The request target is sent as built, without URL normalisation: an id encoded as `%2E%2E` stays
 *   in its path segment instead of being folded into `..` by a URL parser.
 * - Redirects are not followed (a 3xx is returned as it is); the body is read whole, honouring the
 *   abort signal.
 *
 * `node:http` rather than Node's `fetch` (undici): `fetch` offers no per-connection `lookup` without
 * the `undici` package (a dispatcher), which would add hundreds of KB to a Lambda bundle whose cold
 * start is measured, and its URL parsing normalises `%2E%2E` into `..`.
 */

/** What the targets' HTTP client calls: a subset of `fetch`. */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<Response>;

export interface FetchLikeInit {
  readonly method: string;
  readonly headers: Headers;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has (as `dns.promises.lookup(name, { all: true })`). */
export type AddressLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface GuardedTransportOptions {
  /** Ranges allowed on top of public addresses. @default none */
  readonly allowTargetAddresses?: readonly TargetAddressRange[];
  /** @default the system resolver, `dns.promises.lookup(hostname, { all: true })` */
  readonly lookup?: AddressLookup;
}

// node:dns/promises is loaded on the first lookup, not when the handler is imported: it brings
// four Node modules the rest of the bundle does not use (cold start, docs/performance.md).
const systemLookup: AddressLookup = async (hostname) => {
  const { lookup } = await import('node:dns/promises');
  return lookup(hostname, { all: true });
};

export function createGuardedTransport(options: GuardedTransportOptions = {}): FetchLike {
  const allowed = options.allowTargetAddresses ?? [];
  const resolve = options.lookup ?? systemLookup;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const lookup = guardedLookup(resolve, allowed);

  return async (url, init) => {
    const target = requestTarget(url);
    const refusal = urlRefusal(target.url, allowed);
    if (refusal !== undefined) throw new AddressNotAllowedError(refusal);
    const https = target.url.protocol === 'https:';
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const headers = Object.fromEntries(init.headers);
    if (body !== undefined) headers['content-length'] = String(body.length);
    const request = (https ? httpsRequest : httpRequest)({
      protocol: target.url.protocol,
      hostname: bare(target.url.hostname),
      port: target.url.port === '' ? undefined : Number(target.url.port),
      method: init.method,
      path: target.path,
      headers,
      agent: https ? agents.https : agents.http,
      lookup,
      signal: init.signal,
    });
    return await new Promise<Response>((resolveResponse, reject) => {
      request.once('error', reject);
      request.once('response', (response) => {
        readResponse(response).then(resolveResponse, reject);
      });
      request.end(body);
    });
  };
}

/** The URL and the request target (path and query) exactly as built, fragment dropped. */
function requestTarget(text: string): { readonly url: URL; readonly path: string } {
  const url = new URL(text);
  const afterOrigin = text.startsWith(url.origin) ? text.slice(url.origin.length) : undefined;
  const raw =
    afterOrigin === undefined || !/^(?:[/?]|$)/.test(afterOrigin)
      ? `${url.pathname}${url.search}`
      : (afterOrigin.split('#')[0] ?? '');
  // Characters a request line cannot carry are percent-encoded, as a URL parser would; nothing else
  // is touched, so no dot segment is ever resolved here.
  const path = raw.toWellFormed().replace(/[^\x21-\x7e]|\\/gu, (char) => encodeURIComponent(char));
  return { url, path: path.startsWith('/') ? path : `/${path}` };
}

function urlRefusal(url: URL, allowed: readonly TargetAddressRange[]): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${url.protocol.slice(0, -1)} URLs are not allowed for targets: use http or https`;
  }
  if (url.username !== '' || url.password !== '') {
    return "a target URL must not contain a user name or password; put credentials in the target's secret";
  }
  const host = bare(url.hostname);
  return isIP(host) === 0 ? undefined : addressRefusal(host, allowed);
}

/**
 * The `lookup` of every connection: resolves with `resolve`, refuses the connection when any
 * address is not allowed, and answers in the form `net.connect` asked for (one address, or all).
 */
function guardedLookup(resolve: AddressLookup, allowed: readonly TargetAddressRange[]): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses
          .map((entry) => {
            const reason = refusalReason(entry.address, allowed);
            return reason === undefined
              ? undefined
              : `${hostname} resolves to ${entry.address}, which ${reason}`;
          })
          .find((message) => message !== undefined);
        if (refused !== undefined) {
          callback(new AddressNotAllowedError(refused), '', 0);
        } else if (addresses.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all === true) {
          callback(
            null,
            addresses.map((entry) => ({ address: entry.address, family: entry.family })),
          );
        } else {
          const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
          const chosen = addresses.find((entry) => !family || entry.family === family) ?? addresses[0];
          callback(null, chosen?.address ?? '', chosen?.family ?? 0);
        }
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 0),
    );
  };
}

/** Reads a response whole into a `Response`; rejects when the stream ends early or errors. */
function readResponse(response: IncomingMessage): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('error', reject);
    response.once('end', () => {
      try {
        const status = response.statusCode ?? 0;
        const nullBody = status === 204 || status === 205 || status === 304;
        const headers = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '');
        resolve(
          new Response(nullBody ? null : Buffer.concat(chunks), {
            status,
            statusText: response.statusMessage ?? '',
            headers,
          }),
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    response.once('close', () => {
      if (!response.complete) reject(new Error('the connection closed before the response was complete'));
    });
  });
}

/** `[::1]` → `::1`: `node:http` wants IPv6 hosts without brackets. */
function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
