import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, type LoopbackServer } from './loopback.js';
import { ReadWriteLock } from './read-write-lock.js';

/**
 * A transaction layer in front of dynalite, which has no `TransactWriteItems` / `TransactGetItems`.
 * Every request passes through it on 127.0.0.1; transactions are carried out as single-item
 * operations on dynalite while every other request waits, and are undone when one of them fails:
 *
 * - `TransactWriteItems`: `Put`, `Update`, `Delete` and `ConditionCheck`, each with its condition.
 *   The first failed condition cancels the transaction (`TransactionCanceledException` with one
 *   `CancellationReasons` entry per action, `ConditionalCheckFailed` for the failed one, with the
 *   item when `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`), and what was already written is
 *   restored. DynamoDB's limits are checked first: at most 100 actions, 4 MB of items, one action
 *   per item.
 * - `TransactGetItems`: every item read at one point in time.
 * - Anything else is forwarded unchanged; a request started before a transaction finishes first.
 *
 * Not emulated: `ClientRequestToken` idempotency, `TransactionConflict` (transactions here never
 * overlap), and reporting more than the first failed condition.
 */

/** DynamoDB's transaction limits. */
export const TRANSACTION_LIMITS = { actions: 100, bytes: 4 * 1024 * 1024 } as const;

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

interface UpstreamReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** dynalite checks that a request is signed, not the signature. */
const LOCAL_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
  'x-amz-date': '20260101T000000Z',
};

function send(upstream: URL, headers: Record<string, string | string[] | undefined>, body: Buffer) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
    (resolve, reject) => {
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: 'POST', path: '/', headers },
        (response) => {
          readBody(response)
            .then((data) =>
              resolve({ status: response.statusCode ?? 500, headers: response.headers, body: data }),
            )
            .catch(reject);
        },
      );
      forward.on('error', reject);
      forward.end(body);
    },
  );
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function validationError(message: string): UpstreamReply {
  return { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}

/** An item's size as DynamoDB counts it (names and values in bytes), on the wire format. */
export function wireItemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}

function valueSize(value: AttributeValue): number {
  const [type, content] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(content));
    case 'N':
      return Math.ceil(String(content).replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    case 'B':
      return Buffer.from(String(content), 'base64').length;
    case 'L':
      return 3 + (content as AttributeValue[]).reduce((sum, v) => sum + 1 + valueSize(v), 0);
    case 'M':
      return 3 + wireItemSize(content as Item) + Object.keys(content as Item).length;
    case 'SS':
    case 'NS':
    case 'BS':
      return (content as AttributeValue[]).reduce((sum, v) => sum + valueSize({ [type.slice(0, 1)]: v }), 0);
    default:
      return 1;
  }
}

type ActionKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
interface Action {
  readonly kind: ActionKind;
  readonly params: Record<string, unknown> & { TableName: string };
}

function actionsOf(request: Record<string, unknown>): Action[] {
  const items = (request.TransactItems ?? []) as Record<string, Action['params']>[];
  return items.map((entry) => {
    const [kind, params] = Object.entries(entry)[0] ?? [];
    return { kind: kind as ActionKind, params: params as Action['params'] };
  });
}

/** Upstream DynamoDB calls made on behalf of a transaction. */
function upstreamClient(upstream: URL) {
  const keyNames = new Map<string, string[]>();
  const call = async (operation: string, body: unknown): Promise<UpstreamReply> => {
    const sent = await send(
      upstream,
      { ...LOCAL_HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` },
      Buffer.from(JSON.stringify(body)),
    );
    return {
      status: sent.status,
      body: JSON.parse(sent.body.toString('utf8') || '{}') as Record<string, unknown>,
    };
  };
  const keyOf = async (action: Action): Promise<Item> => {
    if (action.kind !== 'Put') return action.params.Key as Item;
    const table = action.params.TableName;
    let names = keyNames.get(table);
    if (names === undefined) {
      const described = await call('DescribeTable', { TableName: table });
      const schema = ((described.body.Table as Record<string, unknown> | undefined)?.KeySchema ?? []) as {
        AttributeName: string;
      }[];
      names = schema.map((k) => k.AttributeName);
      keyNames.set(table, names);
    }
    const item = action.params.Item as Item;
    return Object.fromEntries(names.map((name) => [name, item[name] ?? {}]));
  };
  return { call, keyOf };
}

const isConditionFailure = (r: UpstreamReply) =>
  typeof r.body.__type === 'string' && r.body.__type.endsWith('#ConditionalCheckFailedException');

function checkLimits(actions: readonly Action[], keys: readonly string[]): UpstreamReply | undefined {
  if (actions.length === 0 || actions.length > TRANSACTION_LIMITS.actions) {
    return validationError(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${TRANSACTION_LIMITS.actions} and greater than or equal to 1`,
    );
  }
  if (new Set(keys).size !== keys.length) {
    return validationError('Transaction request cannot include multiple operations on one item');
  }
  const bytes = actions.reduce(
    (sum, a) => sum + wireItemSize((a.params.Item ?? a.params.Key ?? {}) as Item),
    0,
  );
  if (bytes > TRANSACTION_LIMITS.bytes) {
    return validationError(`Transaction request cannot be larger than 4 MB (got ${bytes} bytes of items)`);
  }
  return undefined;
}

/** The single-item operation standing in for one action (ConditionCheck rewrites the item as it is). */
function operationFor(action: Action, key: Item, old: Item | undefined): [string, Record<string, unknown>] {
  const { ReturnValuesOnConditionCheckFailure: _returned, ...params } = action.params;
  if (action.kind === 'Put') return ['PutItem', params];
  if (action.kind === 'Update') return ['UpdateItem', params];
  if (action.kind === 'Delete') return ['DeleteItem', params];
  const { Key: _key, ...condition } = params;
  return ['PutItem', { ...condition, Item: old ?? key }];
}

async function transactWrite(upstream: ReturnType<typeof upstreamClient>, request: Record<string, unknown>) {
  const actions = actionsOf(request);
  const keys = await Promise.all(actions.map((a) => upstream.keyOf(a)));
  const invalid = checkLimits(
    actions,
    keys.map((k, i) => `${actions[i]?.params.TableName}\n${JSON.stringify(k)}`),
  );
  if (invalid !== undefined) return invalid;
  const undo: { table: string; key: Item; old: Item | undefined }[] = [];
  const rollback = async () => {
    for (const { table, key, old } of undo.reverse()) {
      if (old === undefined) await upstream.call('DeleteItem', { TableName: table, Key: key });
      else await upstream.call('PutItem', { TableName: table, Item: old });
    }
  };
  for (const [index, action] of actions.entries()) {
    const table = action.params.TableName;
    const key = keys[index] ?? {};
    const read = await upstream.call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    if (read.status !== 200) {
      await rollback();
      return read;
    }
    const old = read.body.Item as Item | undefined;
    const [operation, params] = operationFor(action, key, old);
    const result = await upstream.call(operation, params);
    if (result.status === 200) {
      if (action.kind !== 'ConditionCheck') undo.push({ table, key, old });
      // A ConditionCheck rewrote the item as it was, or wrote a bare key only to test the condition.
      else if (old === undefined) await upstream.call('DeleteItem', { TableName: table, Key: key });
      continue;
    }
    await rollback();
    if (!isConditionFailure(result)) return result;
    const reasons = actions.map((_, i) => {
      if (i !== index) return { Code: 'None' };
      const withItem = action.params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old !== undefined;
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(withItem ? { Item: old } : {}),
      };
    });
    return {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      },
    };
  }
  return { status: 200, body: {} };
}

async function transactGet(upstream: ReturnType<typeof upstreamClient>, request: Record<string, unknown>) {
  const gets = (request.TransactItems ?? []) as { Get: Record<string, unknown> }[];
  if (gets.length === 0 || gets.length > TRANSACTION_LIMITS.actions) {
    return validationError(`TransactItems must hold 1 to ${TRANSACTION_LIMITS.actions} actions`);
  }
  const responses: Record<string, unknown>[] = [];
  for (const { Get } of gets) {
    const read = await upstream.call('GetItem', { ...Get, ConsistentRead: true });
    if (read.status !== 200) return read;
    responses.push(read.body.Item === undefined ? {} : { Item: read.body.Item });
  }
  return { status: 200, body: { Responses: responses } };
}

export interface TransactionLayer extends LoopbackServer {
  /** The endpoint clients use instead of dynalite's. */
  readonly endpoint: string;
}

/** Starts the transaction layer on 127.0.0.1 in front of `upstream` (dynalite's endpoint). */
export async function startTransactionLayer(upstream: string): Promise<TransactionLayer> {
  const target = new URL(upstream);
  const client = upstreamClient(target);
  const lock = new ReadWriteLock();
  const server = createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    const handle = async () => {
      const body = await readBody(req);
      if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
        const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const run = operation === 'TransactWriteItems' ? transactWrite : transactGet;
        const result = await lock.run(true, () => run(client, request));
        reply(res, result.status, result.body);
        return;
      }
      const forwarded = await lock.run(false, () =>
        send(target, { ...req.headers, 'content-length': String(body.length) }, body),
      );
      res.writeHead(forwarded.status, forwarded.headers);
      res.end(forwarded.body);
    };
    handle().catch((error: unknown) => {
      reply(res, 500, {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: String(error),
      });
    });
  });
  const listening = await listenOnLoopback(server);
  return { ...listening, endpoint: listening.url };
}
