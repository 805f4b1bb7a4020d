import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  compileConfig,
  createSecretsManagerProvider,
  createSqsEmitter,
  createTargetFactory,
  emitDeduplicationId,
  PermanentError,
  RetryableError,
  runFlows,
  validateConfig,
  type CompiledConfig,
  type Envelope,
  type MessageMeta,
  type RetryPolicy,
} from '@flow-worker/runtime';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../cli/local/secrets-server.js';
import { startLocalSqs, type LocalSqs } from '../../../cli/local/sqs-server.js';
import { json, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

/**
 * The real targets through the real runtime: validateConfig → compileConfig → runFlows, with the
 * HubSpot target pointed at a local HTTP server, its token read through the Secrets Manager
 * protocol, and the emit sent through the SQS protocol (both local emulators on 127.0.0.1).
 */

const TOKEN = 'pat-na1-e2e-00000000-aaaa-bbbb-cccc-dddddddddddd';
const SECRET_ID = 'flow-worker/acme/hubspot';
const FLOW = 'compass_company_upsert';
const AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

let hubspot: TestHttpServer;
let secretsManager: LocalSecretsManager;
let sqs: LocalSqs;
let outboundUrl: string;

function connectorConfig(hubspotUrl: string) {
  return {
    connector_id: 'acme',
    version: 1,
    sources: [{ name: 'compass_inbound' }],
    targets: [
      { name: 'hubspot', kind: 'hubspot', secret: SECRET_ID, base_url: hubspotUrl, timeout_ms: 2_000 },
    ],
    flows: [
      {
        name: FLOW,
        source: 'compass_inbound',
        event_type: 'upsert_company',
        event_type_from: '$.event',
        steps: [
          {
            id: 'upsert_hubspot',
            action: 'upsert',
            target: 'hubspot',
            entity: 'company',
            id_property: 'domain',
            data: '$.payload',
          },
          {
            id: 'announce',
            action: 'emit',
            queue: 'outbound-sync',
            source: 'flow_worker',
            event_type: 'hubspot_company_synced',
            group_id: '$.payload.domain',
            data: {
              hubspot_id: '$$.steps.upsert_hubspot.id',
              created: '$$.steps.upsert_hubspot.created',
              domain: '$.payload.domain',
            },
          },
        ],
      },
    ],
  };
}

const envelope: Envelope = {
  connector_id: 'acme',
  source_name: 'compass_inbound',
  event_type: 'upsert_company',
  event_id: 'evt-2026-11-24-0001',
  occurred_at: '2026-11-24T10:00:00Z',
  payload: { event: 'upsert_company', payload: { name: 'Acme', domain: 'acme.test', employees: 42 } },
};
const meta: MessageMeta = { messageId: 'msg-1', messageGroupId: 'acme', sourceQueue: 'inbound-sync' };

function compile(): CompiledConfig {
  const secrets = createSecretsManagerProvider({
    client: new SecretsManagerClient({ ...AWS, endpoint: secretsManager.endpoint }),
  });
  return compileConfig(validateConfig(connectorConfig(hubspot.url), { allowTargetAddresses: ['loopback'] }), {
    targetFactory: createTargetFactory({ secrets, allowTargetAddresses: ['loopback'] }),
  });
}

function emitter() {
  return createSqsEmitter({
    client: new SQSClient({ ...AWS, endpoint: sqs.endpoint }),
    queueUrls: { 'inbound-sync': undefined, 'outbound-sync': outboundUrl },
  });
}

beforeAll(async () => {
  [hubspot, secretsManager, sqs] = await Promise.all([
    startHttpServer(),
    startLocalSecretsManager({ [SECRET_ID]: JSON.stringify({ token: TOKEN }) }),
    startLocalSqs(),
  ]);
  outboundUrl = sqs.createQueue('outbound-sync.fifo');
});
afterAll(() => Promise.all([hubspot.close(), secretsManager.close(), sqs.close()]));
afterEach(() => {
  hubspot.requests.length = 0;
});

describe('upsert to HubSpot, then emit, through the runtime', () => {
  it('upserts the company and emits an envelope with the derived dedup and group ids', async () => {
    hubspot.reply(json(200, { status: 'COMPLETE', results: [{ id: '9001', new: true }] }));

    const outcome = await runFlows(compile(), envelope, meta, { emitter: emitter() });

    expect(outcome.error).toBeUndefined();
    expect(outcome.report.status).toBe('ok');
    const [upsert] = hubspot.requests;
    expect(upsert).toMatchObject({ method: 'POST', path: '/crm/v3/objects/companies/batch/upsert' });
    expect(upsert?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(upsert?.json()).toEqual({
      inputs: [
        {
          idProperty: 'domain',
          id: 'acme.test',
          properties: { name: 'Acme', domain: 'acme.test', employees: '42' },
        },
      ],
    });
    const [message] = sqs.sent('outbound-sync.fifo');
    const dedupId = emitDeduplicationId('evt-2026-11-24-0001', FLOW, 'announce');
    expect(message?.messageGroupId).toBe('acme.test');
    expect(message?.messageDeduplicationId).toBe(dedupId);
    expect(JSON.parse(message?.body ?? '')).toEqual({
      connector_id: 'acme',
      source_name: 'flow_worker',
      event_type: 'hubspot_company_synced',
      event_id: dedupId,
      occurred_at: '2026-11-24T10:00:00Z',
      payload: { hubspot_id: '9001', created: true, domain: 'acme.test' },
    });
    expect(outcome.report.flows[0]?.steps.map((s) => s.result)).toEqual([
      { id: '9001', created: true },
      { message_id: message?.messageId },
    ]);
  });

  it('does not emit twice when the same message is processed again', async () => {
    hubspot.fallback(json(200, { results: [{ id: '9001', new: false }] }));
    const compiled = compile();
    const before = sqs.messages('outbound-sync.fifo').length;

    const first = await runFlows(compiled, envelope, { ...meta, messageId: 'msg-2' }, { emitter: emitter() });
    const second = await runFlows(
      compiled,
      envelope,
      { ...meta, messageId: 'msg-2' },
      { emitter: emitter() },
    );

    expect([first.report.status, second.report.status]).toEqual(['ok', 'ok']);
    expect(hubspot.requests).toHaveLength(2);
    expect(sqs.messages('outbound-sync.fifo').length - before).toBeLessThanOrEqual(1);
    hubspot.fallback(json(200, {}));
  });

  it('fails the run permanently on a HubSpot 400, emits nothing, and reports no token', async () => {
    hubspot.reply(
      json(400, {
        status: 'error',
        message: 'Property values were not valid',
        correlationId: 'corr-400',
        category: 'VALIDATION_ERROR',
      }),
    );
    const sentBefore = sqs.sent('outbound-sync.fifo').length;

    const outcome = await runFlows(compile(), envelope, meta, { emitter: emitter() });

    expect(outcome.report.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(PermanentError);
    expect(outcome.error).toMatchObject({ status: 400, correlationId: 'corr-400' });
    expect(outcome.report.flows[0]?.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(sqs.sent('outbound-sync.fifo')).toHaveLength(sentBefore);
    expect(JSON.stringify(outcome.report)).not.toContain(TOKEN);
    expect(`${outcome.error?.message}${JSON.stringify(outcome.error)}`).not.toContain(TOKEN);
  });

  it('retries a 429 with the retry policy and then succeeds', async () => {
    hubspot.reply(
      json(
        429,
        { status: 'error', message: 'secondly limit', category: 'RATE_LIMITS' },
        { 'retry-after': '0' },
      ),
      json(200, { results: [{ id: '9001', new: false }] }),
    );
    const seen: unknown[] = [];
    const retry: RetryPolicy = async (operation) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await operation(attempt);
        } catch (error) {
          seen.push(error);
          if (!(error instanceof RetryableError) || attempt >= 3) throw error;
        }
      }
    };

    const outcome = await runFlows(
      compile(),
      envelope,
      { ...meta, messageId: 'msg-3' },
      { emitter: emitter(), retry },
    );

    expect(outcome.report.status).toBe('ok');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status: 429, retryAfterSeconds: 0 });
    expect(hubspot.requests).toHaveLength(2);
  });

  it('fails permanently when the target secret does not exist', async () => {
    const missing = await startLocalSecretsManager({});
    const secrets = createSecretsManagerProvider({
      client: new SecretsManagerClient({ ...AWS, endpoint: missing.endpoint }),
    });
    const compiled = compileConfig(
      validateConfig(connectorConfig(hubspot.url), { allowTargetAddresses: ['loopback'] }),
      {
        targetFactory: createTargetFactory({ secrets, allowTargetAddresses: ['loopback'] }),
      },
    );

    const outcome = await runFlows(compiled, envelope, meta, { emitter: emitter() });
    await missing.close();

    expect(outcome.error).toBeInstanceOf(PermanentError);
    expect(outcome.error?.message).toContain(SECRET_ID);
    expect(hubspot.requests).toHaveLength(0);
  });
});
