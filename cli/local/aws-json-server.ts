import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * The shared core of the local AWS emulators: an HTTP server on 127.0.0.1 speaking the AWS JSON
 * protocols (1.0 for SQS, 1.1 for Secrets Manager): `POST /`, the operation in `X-Amz-Target`
 * (`AmazonSQS.SendMessage`, `secretsmanager.GetSecretValue`), JSON in, JSON out, errors as
 * `{ "__type": "<namespace>#<Code>", "message": … }` with status 400.
 */

/** An AWS error answer. Throw it from an operation. */
export class AwsJsonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { readonly status?: number; readonly queryError?: string } = {},
  ) {
    super(message);
    this.name = 'AwsJsonError';
  }
}

export type AwsJsonOperation = (input: Record<string, unknown>) => unknown;

export interface AwsJsonServerOptions {
  /** `AmazonSQS` or `secretsmanager`: the `X-Amz-Target` prefix. */
  readonly targetPrefix: string;
  /** The `__type` namespace of errors, e.g. `com.amazonaws.sqs`. */
  readonly errorNamespace: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
}

/** One call the server answered, for tests and the demo report (names only, no bodies). */
export interface AwsJsonCall {
  readonly operation: string;
  readonly status: number;
}

export interface RunningAwsJsonServer {
  /** `http://127.0.0.1:<port>`: the endpoint to give the SDK client (`AWS_ENDPOINT_URL_*`). */
  readonly endpoint: string;
  readonly calls: readonly AwsJsonCall[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<RunningAwsJsonServer> {
  const calls: AwsJsonCall[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(`${options.targetPrefix}.`)
        ? target.slice(options.targetPrefix.length + 1)
        : target;
      let status = 200;
      let body: unknown;
      const headers: Record<string, string> = { 'content-type': options.contentType };
      try {
        const text = await readBody(request);
        const input: unknown = text === '' ? {} : JSON.parse(text);
        const handler = Object.hasOwn(options.operations, operation)
          ? options.operations[operation]
          : undefined;
        if (handler === undefined) {
          throw new AwsJsonError('UnknownOperationException', `operation "${target}" is not emulated`);
        }
        body = await handler((input ?? {}) as Record<string, unknown>);
      } catch (error) {
        const failure =
          error instanceof AwsJsonError
            ? error
            : error instanceof SyntaxError
              ? new AwsJsonError('SerializationException', 'request body is not JSON')
              : new AwsJsonError('InternalFailure', String(error), { status: 500 });
        status = failure.options.status ?? 400;
        body = { __type: `${options.errorNamespace}#${failure.code}`, message: failure.message };
        if (failure.options.queryError !== undefined)
          headers['x-amzn-query-error'] = failure.options.queryError;
      }
      calls.push({ operation, status });
      const text = JSON.stringify(body ?? {});
      response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      response.end(text);
    })();
  });
  const listening = await listenOnLoopback(server);
  return { endpoint: listening.url, calls, close: listening.close };
}

/** Reads a required string member of an operation's input. */
export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw new AwsJsonError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
}
