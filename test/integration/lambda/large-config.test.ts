import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { publishConfig, readManifest, type PublishResult, type SqsHandler } from '@flow-worker/runtime';
import { envelopeBody, pairOf, sqsRecord, threeStepConfig } from '../../../bench/lib/fixtures.js';
import { startHttpTargetServer, type LocalHttpTarget } from '../../../cli/local/http-target-server.js';
import { startLocalSqs, type LocalSqs } from '../../../cli/local/sqs-server.js';
import { createTestTables, type TestTables } from '../../support/tables.js';
import { aLambdaContext } from '../../unit/lambda/sqs-fixtures.js';

/**
 * A 30,000-flow config, published with its manifest and run by the real
 * `lambdas/inbound-sync/handler.ts` against dynalite: about 15 MB of JSON, which the single-item
 * layout refused from 1,612 flows on.
 */
const FLOWS = 30_000;
const CONNECTOR = 'thirty-thousand';

let tables: TestTables;
let http: LocalHttpTarget;
let sqs: LocalSqs;
let published: PublishResult;
const savedEnv = { ...process.env };

beforeAll(async () => {
  tables = await createTestTables(inject('dynamodbEndpoint'), 'large');
  http = await startHttpTargetServer();
  sqs = await startLocalSqs();
  sqs.createQueue('large-dlq.fifo');
  const document = threeStepConfig({ connectorId: CONNECTOR, flows: FLOWS, baseUrl: `${http.url}/api` });
  published = await publishConfig(tables.config, document, {
    manifests: tables.manifests,
    allowTargetAddresses: ['loopback'],
  });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([tables.close(), http.close(), sqs.close()]);
});

async function coldHandler(): Promise<SqsHandler> {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: tables.proxy.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CONFIG_TABLE_NAME: tables.config.tableName,
    DLQ_URL: sqs.queueUrl('large-dlq.fifo'),
    // The target runs on 127.0.0.1: allowed explicitly, as in any local run.
    ALLOW_TARGET_ADDRESSES: 'loopback',
    LOG_LEVEL: 'SILENT',
  });
  vi.resetModules();
  const module = (await import('../../../lambdas/inbound-sync/handler.js')) as { handler: SqsHandler };
  return module.handler;
}

describe('a 30,000-flow config', () => {
  it('is published in chunk items, with its manifest', async () => {
    const manifest = await readManifest(tables.manifests, CONNECTOR);

    expect(published).toMatchObject({ connectorId: CONNECTOR, version: 1, stored: { inline: false } });
    expect(published.stored.jsonBytes).toBeGreaterThan(400 * 1024 * 30);
    expect(manifest?.manifest.event_flow_manifests).toHaveLength(FLOWS);
  });

  it('runs through the real handler: the matching flows of a batch, loaded in one GetItem and one BatchGetItem', async () => {
    const handler = await coldHandler();
    const flows = [0, 1, 12_345, 29_999];
    const event: SQSEvent = {
      Records: flows.map((flow, i) => {
        const { source, eventType } = pairOf(flow);
        return sqsRecord(
          envelopeBody(CONNECTOR, source, eventType, i * 2),
          `large-${i}`,
          `${CONNECTOR}:${i}`,
        );
      }),
    };
    tables.proxy.reset();

    const cold = await handler(event, aLambdaContext(120_000));
    const coldReads = tables.proxy.counts();
    tables.proxy.reset();
    const warm = await handler(event, aLambdaContext(120_000));

    expect(cold).toEqual({ batchItemFailures: [] });
    expect(warm).toEqual({ batchItemFailures: [] });
    expect(coldReads).toEqual({ GetItem: 1, BatchGetItem: 1 });
    expect(tables.proxy.counts()).toEqual({});
    expect(http.records('/api/company').size).toBe(flows.length);
    expect(sqs.sent('large-dlq.fifo')).toHaveLength(0);
  }, 120_000);
});
