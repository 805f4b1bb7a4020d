import runtimePackage from '../../package.json' with { type: 'json' };
import { isPlainObject, isRawNumber } from '../document/json.js';
import { AddressNotAllowedError, PermanentError, RetryableError, type ErrorContext } from '../errors.js';
import { createGuardedTransport, type FetchLike } from './guarded-transport.js';

/**
 * The JSON-over-HTTP client every remote target shares: the guarded transport (guarded-transport.ts:
 * the network guard on every connection, `node:http` underneath), a per-request timeout, bearer auth,
 * and one mapping from failures to error classes:
 *
 * - network error, timeout, abort, 429 and 5xx → {@link RetryableError} (with `Retry-After` seconds);
 * - an address the network guard refuses → {@link AddressNotAllowedError} (permanent);
 * - any other non-2xx, redirects included (they are not followed) → {@link PermanentError} with the
 *   status, the remote message and correlation id.
 *
 * Tokens only ever travel in the `Authorization` header: error messages are built from the
 * operation name, the status and the remote body, and any echo of the token is redacted.
 *
 * Keep-alive: the transport's agents keep connections alive and pool them per origin, so a warm
 * Lambda reuses its TLS connections across records.
 */

/** `flow-worker/<version>`, the version read from the runtime package's own `package.json`. */
export const USER_AGENT = `flow-worker/${runtimePackage.version}`;

/** @default 10 seconds */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Longest remote error message kept in an error (HubSpot validation messages can be long). */
const MAX_REMOTE_MESSAGE = 500;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  /** A log-safe description of the call, e.g. `upsert company`; used in error messages. */
  readonly operation: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer <token>`; wins over any `Authorization` in `headers`. */
  readonly token?: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Non-2xx statuses returned to the caller instead of raised (e.g. 404 on delete). */
  readonly acceptStatuses?: readonly number[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON; the raw text when the body is not JSON; `undefined` when empty. */
  readonly body: unknown;
}

/** A response, and the error {@link HttpClient.send} raises for it (when it is not a success). */
export interface HttpExchange {
  readonly response: HttpResponse;
  readonly error?: Error;
}

export interface HttpClient {
  /** Sends the request; a non-2xx status (not in `acceptStatuses`) is raised as a mapped error. */
  send(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Like {@link send}, but a non-2xx response is returned along with the error `send` would raise,
   * so a caller can read the body (a HubSpot batch narrows a 400 down to its inputs). Transport
   * failures still throw.
   */
  exchange(request: HttpRequest): Promise<HttpExchange>;
}

export interface HttpClientOptions {
  /** Names the target in error messages, e.g. `hubspot target "crm"`. */
  readonly label: string;
  /** Extra error context (target name, kind). */
  readonly context?: ErrorContext;
  /**
   * How requests are sent. @default a guarded transport that allows public addresses only (targets
   * get theirs from `createTargetFactory`, with the deployment's `allowTargetAddresses`)
   */
  readonly fetch?: FetchLike;
  /** @default {@link USER_AGENT} */
  readonly userAgent?: string;
  /** @default {@link DEFAULT_TIMEOUT_MS} */
  readonly timeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Seconds to wait when a 429/5xx carries no `Retry-After` (e.g. from HubSpot's rate-limit headers). */
  readonly retryAfterHint?: (response: HttpResponse) => number | undefined;
  /** Sees every response before it is mapped (a rate limiter reads its headers). */
  readonly observe?: (response: HttpResponse) => void;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const doFetch = options.fetch ?? defaultTransport();
  const userAgent = options.userAgent ?? USER_AGENT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;

  const exchange = async (request: HttpRequest): Promise<HttpExchange> => {
    const redact = redactor(request.token);
    const fail = (detail: string) => `${options.label}: ${request.operation} failed: ${redact(detail)}`;
    const context = { ...options.context, operation: request.operation };
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;

    let fetched: Response;
    let text: string;
    try {
      fetched = await doFetch(request.url, {
        method: request.method,
        headers: buildHeaders(request, userAgent),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
      });
      // Read inside the same try: a body that stalls past the timeout is a timeout too.
      text = await fetched.text();
    } catch (error) {
      if (error instanceof AddressNotAllowedError) {
        throw new AddressNotAllowedError(fail(error.message), { cause: error, context });
      }
      throw new RetryableError(fail(describeTransportFailure(error, timeout, request.signal, timeoutMs)), {
        cause: error,
        context,
      });
    }

    const response: HttpResponse = {
      status: fetched.status,
      headers: fetched.headers,
      body: parseBody(text),
    };
    options.observe?.(response);
    const { status } = response;
    if ((status >= 200 && status < 300) || request.acceptStatuses?.includes(status)) return { response };
    return { response, error: httpError(response, { fail, context, now, options }) };
  };

  return {
    exchange,
    async send(request) {
      const { response, error } = await exchange(request);
      if (error !== undefined) throw error;
      return response;
    },
  };
}

let sharedTransport: FetchLike | undefined;

/** One guarded transport (public addresses only) for every client built without `fetch`. */
function defaultTransport(): FetchLike {
  sharedTransport ??= createGuardedTransport();
  return sharedTransport;
}

function buildHeaders(request: HttpRequest, userAgent: string): Headers {
  // `Headers` is case-insensitive, so the `set` calls below replace any spelling of these names.
  const headers = new Headers(request.headers);
  headers.set('accept', 'application/json');
  headers.set('user-agent', userAgent);
  if (request.body !== undefined) headers.set('content-type', 'application/json');
  if (request.token !== undefined) headers.set('authorization', `Bearer ${request.token}`);
  return headers;
}

function describeTransportFailure(
  error: unknown,
  timeout: AbortSignal,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): string {
  if (timeout.aborted) return `timed out after ${timeoutMs} ms`;
  if (callerSignal?.aborted)
    return 'aborted before a response arrived (the invocation is running out of time)';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `network error: ${typeof code === 'string' ? `${code} ` : ''}${message}`.trim();
}

interface ErrorInputs {
  readonly fail: (detail: string) => string;
  readonly context: ErrorContext;
  readonly now: () => number;
  readonly options: HttpClientOptions;
}

function httpError(response: HttpResponse, { fail, context, now, options }: ErrorInputs): Error {
  const { status, headers, body } = response;
  const remote = remoteDetails(body, headers);
  const suffix = [
    remote.category === undefined ? '' : ` (${remote.category})`,
    remote.message === undefined ? '' : `: ${remote.message}`,
    remote.correlationId === undefined ? '' : ` [correlation id ${remote.correlationId}]`,
  ].join('');
  const errorContext: ErrorContext = {
    ...context,
    status,
    ...(remote.category === undefined ? {} : { category: remote.category }),
  };

  if (status === 429 || status >= 500) {
    const retryAfterSeconds =
      parseRetryAfter(headers.get('retry-after'), now()) ?? options.retryAfterHint?.(response);
    const wait = retryAfterSeconds === undefined ? '' : `, retry after ${retryAfterSeconds} s`;
    return new RetryableError(fail(`HTTP ${status}${suffix}${wait}`), {
      status,
      retryAfterSeconds,
      context: errorContext,
    });
  }
  return new PermanentError(fail(`HTTP ${status}${suffix}`), {
    status,
    correlationId: remote.correlationId,
    context: errorContext,
  });
}

interface RemoteDetails {
  readonly message?: string;
  readonly correlationId?: string;
  readonly category?: string;
}

/** The remote side's explanation: HubSpot's `{message, correlationId, category}` or common shapes. */
function remoteDetails(body: unknown, headers: Headers): RemoteDetails {
  const record = isPlainObject(body) ? body : {};
  const nested = isPlainObject(record.error) ? record.error : {};
  const firstError = Array.isArray(record.errors) && isPlainObject(record.errors[0]) ? record.errors[0] : {};
  const message =
    stringOf(record.message) ??
    stringOf(record.error) ??
    stringOf(nested.message) ??
    stringOf(firstError.message) ??
    stringOf(record.detail) ??
    (typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined);
  return {
    message: message === undefined ? undefined : truncate(message),
    correlationId:
      stringOf(record.correlationId) ??
      headers.get('x-hubspot-correlation-id') ??
      headers.get('x-correlation-id') ??
      headers.get('x-request-id') ??
      undefined,
    category: stringOf(record.category),
  };
}

/**
 * `Retry-After` as whole seconds: either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * A date in the past means "now" (0). Unparseable values are ignored.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Every HTTP-date form starts with a day name; without this check `Date.parse` accepts "-5" or "1.5".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function redactor(token: string | undefined): (text: string) => string {
  if (token === undefined || token === '') return (text) => text;
  return (text) => text.split(token).join('[redacted]');
}

function truncate(text: string): string {
  return text.length <= MAX_REMOTE_MESSAGE ? text : `${text.slice(0, MAX_REMOTE_MESSAGE)}…`;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The value of `property` in a record's data as an id string (upsert's fallback when no id was resolved). */
export function idFromData(
  data: Readonly<Record<string, unknown>> | undefined,
  property: string,
): string | undefined {
  const value = data !== undefined && Object.hasOwn(data, property) ? data[property] : undefined;
  if (typeof value === 'string') return value;
  if (isRawNumber(value)) return value.rawJSON;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * A value a request cannot be sent without (an id, the id property). A mapping that left it empty
 * will leave it empty on every retry: {@link PermanentError}, raised before any request is made.
 */
export function requireValue(
  label: string,
  operation: string,
  what: string,
  value: string | undefined,
): string {
  if (value !== undefined && value !== '') return value;
  throw new PermanentError(`${label}: ${operation} needs ${what}, but the mapping left it empty`, {
    context: { operation },
  });
}
