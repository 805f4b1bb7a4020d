import type { RecordAction, TargetDefinition } from '../document/config.js';
import { PermanentError } from '../errors.js';
import {
  createHttpClient,
  idFromData,
  requireValue,
  type HttpClient,
  type HttpClientOptions,
  type HttpExchange,
  type HttpMethod,
  type HttpResponse,
} from './http-client.js';
import type { SecretProvider } from './secrets.js';
import { encodePathSegment } from './url-path.js';
import type { AssociateRequest, RecordRequest, Target, TargetResult } from './target.js';

/** What every target reached over HTTP gets from the factory. */
export interface RemoteTargetOptions extends Pick<HttpClientOptions, 'fetch' | 'userAgent' | 'now'> {
  readonly secrets: SecretProvider;
  /** Used when the definition has no `timeout_ms`. */
  readonly defaultTimeoutMs?: number;
}

/** One handler per record action, and `associate` where the kind supports it: what a remote target implements. */
export type TargetActions = {
  readonly [A in RecordAction]: (request: RecordRequest) => Promise<TargetResult>;
} & { readonly associate?: (request: AssociateRequest) => Promise<TargetResult> };

/** The pieces a remote target's actions are built from. */
export interface RemoteTargetKit {
  /** `hubspot target "crm"`: how error messages name the target. */
  readonly label: string;
  /** The target's HTTP client: its timeout, user agent and error mapping. */
  readonly client: HttpClient;
  /** A value the request cannot be sent without (see {@link requireValue}). */
  readonly required: (request: RecordRequest, what: string, value: string | undefined) => string;
  /** `value` as one URL path segment it cannot leave (see {@link encodePathSegment}). */
  readonly segment: (request: RecordRequest, what: string, value: string) => string;
  /** An upsert's `id_property` and the record's value of it (the resolved id, else read from data). */
  readonly upsertKey: (request: RecordRequest) => { readonly idProperty: string; readonly id: string };
  /**
   * One HTTP call on behalf of `request`: with the target's token (read from its `secret`, when it
   * has one), its static `headers`, the request's abort signal, and the action as operation name.
   */
  readonly call: (request: RecordRequest, http: RemoteCall) => Promise<HttpResponse>;
  /**
   * One HTTP call on behalf of several requests (a batch): named by `operation`, aborted by
   * `signal`; a non-2xx answer comes back with its mapped error instead of being raised.
   */
  readonly exchange: (
    operation: string,
    signal: AbortSignal | undefined,
    http: RemoteCall,
  ) => Promise<HttpExchange>;
}

/** What differs from one call of a target to the next. */
export interface RemoteCall {
  readonly method: HttpMethod;
  readonly url: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** Non-2xx statuses returned instead of raised (e.g. 404 on delete). */
  readonly acceptStatuses?: readonly number[];
  /** Headers of this call; they win over the definition's static `headers`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The skeleton the http and hubspot targets share: one labelled HTTP client per target, the
 * `required` check, and dispatch of each request to the handler of its action.
 */
export function createRemoteTarget(
  definition: TargetDefinition,
  options: RemoteTargetOptions,
  clientOptions: Pick<HttpClientOptions, 'retryAfterHint'>,
  buildActions: (kit: RemoteTargetKit) => TargetActions,
): Target {
  const label = `${definition.kind} target "${definition.name}"`;
  const client = createHttpClient({
    label,
    context: { target: definition.name, kind: definition.kind },
    fetch: options.fetch,
    userAgent: options.userAgent,
    now: options.now,
    timeoutMs: definition.timeout_ms ?? options.defaultTimeoutMs,
    ...clientOptions,
  });
  const headers = definition.kind === 'http' ? definition.headers : undefined;
  const token = async () =>
    definition.secret === undefined ? undefined : await options.secrets.getToken(definition.secret);
  const required: RemoteTargetKit['required'] = (request, what, value) =>
    requireValue(label, `${request.action} ${request.entity}`, what, value);
  const actions = buildActions({
    label,
    client,
    required,
    segment: (request, what, value) =>
      encodePathSegment(label, `${request.action} ${request.entity}`, what, value),
    upsertKey: (request) => {
      const idProperty = required(request, 'id_property', request.idProperty);
      const id = required(
        request,
        `a value for "${idProperty}"`,
        request.id ?? idFromData(request.data, idProperty),
      );
      return { idProperty, id };
    },
    call: async (request, http) =>
      client.send({
        ...http,
        operation: `${request.action} ${request.entity}`,
        headers: http.headers === undefined ? headers : { ...headers, ...http.headers },
        token: await token(),
        signal: request.signal,
      }),
    exchange: async (operation, signal, http) =>
      client.exchange({ ...http, operation, headers, token: await token(), signal }),
  });
  return {
    name: definition.name,
    kind: definition.kind,
    // Async, so a request the mapping left incomplete rejects like every other failure.
    execute: async (request) => {
      if (request.action !== 'associate') return actions[request.action](request);
      if (actions.associate !== undefined) return actions.associate(request);
      throw new PermanentError(`${label}: a ${definition.kind} target cannot associate records`, {
        context: { operation: 'associate' },
      });
    },
  };
}
