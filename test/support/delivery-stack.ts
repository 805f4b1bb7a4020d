import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createConfigTable,
  createRunStateTable,
  publishConfig,
  type ConnectorConfigInput,
} from '@flow-worker/runtime';
import { startCountingProxy, type CountingProxy } from '../../cli/local/counting-proxy.js';
import { startHttpTargetServer, type LocalHttpTarget } from '../../cli/local/http-target-server.js';
import type { JsonRequest } from '../../cli/local/json-http.js';
import { startLocalSqs, type LocalSqs, type StoredMessage } from '../../cli/local/sqs-server.js';
import { VirtualClock } from './event-source-mapping.js';

/**
 * Everything the delivery tests and the delivery simulation run the real handler against, on
 * 127.0.0.1: dynalite behind a counting proxy (a config table and a run-state table), the local SQS
 * on a virtual clock (`inbound-sync.fifo` with a redrive policy to `inbound-sync-dlq.fifo`, and
 * `outbound-sync.fifo`), and one JSON REST server standing in for two targets: `ledger` (always
 * up) and `crm` (down while an outage window of the virtual clock is open).
 *
 * The connector's flows, for `upsert_company` events:
 * - `accounts`: `record` (create, POST /ledger/entries) → `announce` (emit) → `sync_crm` (upsert,
 *   PUT /crm/accounts/{domain});
 * - `audit`: `audit` (upsert, PUT /ledger/audit/{event}), independent of `accounts`;
 * and for `note_company` events, `notes`: `note` (upsert, PUT /ledger/notes/{event}).
 */

export const QUEUES = {
  source: 'inbound-sync.fifo',
  deadLetter: 'inbound-sync-dlq.fifo',
  outbound: 'outbound-sync.fifo',
} as const;

export interface DeliveryStackOptions {
  readonly dynamodbEndpoint: string;
  /** The source queue's `maxReceiveCount`, also the handler's `MAX_RECEIVE_COUNT`. */
  readonly maxReceiveCount: number;
  /** The source queue's visibility timeout (virtual seconds). */
  readonly visibilityTimeoutSeconds: number;
}

/** One event to send: its id (also the deduplication id), message group and type. */
export interface TestEvent {
  readonly eventId: string;
  readonly group: string;
  readonly eventType?: 'upsert_company' | 'note_company';
}

export interface DeliveryStack {
  readonly clock: VirtualClock;
  readonly sqs: LocalSqs;
  readonly proxy: CountingProxy;
  readonly target: LocalHttpTarget;
  readonly runStateTable: string;
  /** The `crm` target answers 503 while `from <= now < to` (virtual ms). */
  outage: { from: number; to: number } | undefined;
  /** The handler's environment (docs/handlers.md), pointing every client at the local services. */
  environment(extra?: Record<string, string>): Record<string, string>;
  /** Sends `count` upsert_company events to the source queue, spread round-robin over `groups`. */
  sendEvents(count: number, groups: number): Promise<string[]>;
  /** Sends these events, in order (`eventType` default `upsert_company`). */
  send(events: readonly TestEvent[]): Promise<void>;
  /** Successful calls beyond the first, per (call, event): effects that happened more than once. */
  duplicateEffects(): number;
  /** Successful calls per (call, event), e.g. `POST /ledger/entries evt-3` → 1. */
  effects(): ReadonlyMap<string, number>;
  deadLetters(): readonly StoredMessage[];
  close(): Promise<void>;
}

function connectorConfig(targetUrl: string): ConnectorConfigInput {
  const event = '$$.envelope.event_id';
  return {
    connector_id: 'acme',
    version: 1,
    sources: [{ name: 'compass_inbound' }, { name: 'flow_worker' }],
    targets: [
      { name: 'ledger', kind: 'http', base_url: `${targetUrl}/ledger` },
      { name: 'crm', kind: 'http', base_url: `${targetUrl}/crm` },
    ],
    flows: [
      {
        name: 'accounts',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          {
            id: 'record',
            action: 'create',
            target: 'ledger',
            entity: 'entries',
            data: { event, domain: '$.domain' },
          },
          {
            id: 'announce',
            action: 'emit',
            queue: 'outbound-sync',
            source: 'flow_worker',
            event_type: 'account_recorded',
            data: { domain: '$.domain', ledger_id: '$$.steps.record.id' },
          },
          {
            id: 'sync_crm',
            action: 'upsert',
            target: 'crm',
            entity: 'accounts',
            id_property: 'domain',
            data: { event, domain: '$.domain', ledger_id: '$$.steps.record.id' },
          },
        ],
      },
      {
        name: 'audit',
        source: 'compass_inbound',
        event_type: 'upsert_company',
        steps: [
          {
            id: 'audit',
            action: 'upsert',
            target: 'ledger',
            entity: 'audit',
            id_property: 'event',
            data: { event },
          },
        ],
      },
      {
        name: 'notes',
        source: 'compass_inbound',
        event_type: 'note_company',
        steps: [
          {
            id: 'note',
            action: 'upsert',
            target: 'ledger',
            entity: 'notes',
            id_property: 'event',
            data: { event },
          },
        ],
      },
    ],
  };
}

/** The key of a successful effect: the call and the event it was made for. */
function effectKey(request: { method: string; path: string; body: unknown }): string {
  const collection = request.method === 'POST' ? request.path : request.path.replace(/\/[^/]*$/, '');
  const event = (request.body as { event?: unknown } | undefined)?.event;
  return `${request.method} ${collection} ${String(event)}`;
}

export async function startDeliveryStack(options: DeliveryStackOptions): Promise<DeliveryStack> {
  const clock = new VirtualClock();
  const proxy = await startCountingProxy(options.dynamodbEndpoint);
  const sqs = await startLocalSqs({ now: clock.now });
  sqs.createQueue(QUEUES.deadLetter);
  sqs.createQueue(QUEUES.outbound);
  sqs.createQueue(QUEUES.source, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    redrive: { deadLetterQueue: QUEUES.deadLetter, maxReceiveCount: options.maxReceiveCount },
  });
  const stack = { outage: undefined as { from: number; to: number } | undefined };
  const down = (request: JsonRequest) => {
    const at = clock.now();
    const outage = stack.outage;
    if (!request.url.pathname.startsWith('/crm') || outage === undefined) return undefined;
    if (at < outage.from || at >= outage.to) return undefined;
    // Retry-After: 0 keeps the in-process retries quick; the waits that matter are between receives.
    return { status: 503, body: { message: 'crm is down' }, headers: { 'retry-after': '0' } };
  };
  const target = await startHttpTargetServer({ fault: down });
  const dynamodb = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const configTable = `delivery-config-${randomUUID()}`;
  const runStateTable = `delivery-run-state-${randomUUID()}`;
  await createConfigTable(dynamodb, configTable);
  await createRunStateTable(dynamodb, runStateTable);
  await publishConfig(
    { client: DynamoDBDocumentClient.from(dynamodb), tableName: configTable },
    connectorConfig(target.url),
    { allowTargetAddresses: ['loopback'] },
  );
  const sqsClient = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const send = async (events: readonly TestEvent[]) => {
    for (let start = 0; start < events.length; start += 10) {
      const entries = events.slice(start, start + 10).map((event, offset) => ({
        Id: `e${offset}`,
        MessageBody: JSON.stringify({
          connector_id: 'acme',
          source_name: 'compass_inbound',
          event_type: event.eventType ?? 'upsert_company',
          event_id: event.eventId,
          payload: { domain: `${event.eventId}.test` },
        }),
        MessageGroupId: event.group,
        MessageDeduplicationId: event.eventId,
      }));
      await sqsClient.send(
        new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl(QUEUES.source), Entries: entries }),
      );
    }
  };

  const effects = () => {
    const counts = new Map<string, number>();
    for (const request of target.requests) {
      if (request.status < 200 || request.status >= 300) continue;
      const key = effectKey(request);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };

  return Object.assign(stack, {
    clock,
    sqs,
    proxy,
    target,
    runStateTable,
    environment: (extra: Record<string, string> = {}) => ({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CONFIG_TABLE_NAME: configTable,
      RUN_STATE_TABLE_NAME: runStateTable,
      DLQ_URL: sqs.queueUrl(QUEUES.deadLetter),
      INBOUND_QUEUE_URL: sqs.queueUrl(QUEUES.source),
      OUTBOUND_QUEUE_URL: sqs.queueUrl(QUEUES.outbound),
      MAX_RECEIVE_COUNT: String(options.maxReceiveCount),
      // The targets run on 127.0.0.1: allowed explicitly, as in any local run.
      ALLOW_TARGET_ADDRESSES: 'loopback',
      LOG_LEVEL: 'WARN',
      ...extra,
    }),
    async sendEvents(count: number, groups: number) {
      const ids = Array.from({ length: count }, (_, index) => `evt-${index + 1}`);
      await send(ids.map((eventId, index) => ({ eventId, group: `group-${index % groups}` })));
      return ids;
    },
    send,
    duplicateEffects: () => [...effects().values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    effects,
    deadLetters: () => sqs.messages(QUEUES.deadLetter),
    async close() {
      sqsClient.destroy();
      dynamodb.destroy();
      await Promise.all([proxy.close(), sqs.close(), target.close()]);
    },
  });
}
