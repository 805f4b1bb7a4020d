import { describe, expect, it, vi } from 'vitest';
import {
  PermanentError,
  compileConfig,
  createRecordingTargets,
  createSqsHandler,
  createTargetFactory,
  validateConfig,
  type ConnectorConfigInput,
  type LogSink,
  type TargetFactory,
} from '@flow-worker/runtime';
import {
  aLambdaContext,
  anEnvelopeBody,
  anSqsEvent,
  anSqsRecord,
  captureLogs,
  captureMetrics,
} from './sqs-fixtures.js';

/** The DEBUG `run report` line: the whole run report, step results included, never secrets. */

const TOKEN = 'erp-token-that-must-never-be-logged';

const CONFIG: ConnectorConfigInput = {
  connector_id: 'acme',
  version: 1,
  sources: [{ name: 'compass_inbound' }],
  targets: [{ name: 'erp', kind: 'http', base_url: 'https://erp.example.test/api', secret: 'acme/erp' }],
  flows: [
    {
      name: 'company_to_erp',
      source: 'compass_inbound',
      event_type: 'upsert_company',
      steps: [
        { id: 'shape', action: 'transform', data: { domain: '$.payload.domain' } },
        {
          id: 'upsert_account',
          action: 'upsert',
          target: 'erp',
          entity: 'accounts',
          id_property: 'domain',
          data: '$$.steps.shape',
        },
        {
          id: 'announce',
          action: 'emit',
          queue: 'outbound-sync',
          source: 'flow_worker',
          event_type: 'company_synced',
          data: '$$.steps.shape',
        },
      ],
    },
  ],
};

function setup(logger: LogSink, targetFactory?: TargetFactory) {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(CONFIG), {
    targetFactory: targetFactory ?? recording.factory,
  });
  const handler = createSqsHandler({
    configs: { get: () => Promise.resolve(compiled) },
    emitter: recording.emitter,
    deadLetter: { send: () => Promise.resolve() },
    logger,
    metrics: captureMetrics(),
  });
  return { handler, recording };
}

const companyRecord = (messageId = 'r1') =>
  anSqsRecord({
    messageId,
    body: anEnvelopeBody({ event_id: `evt-${messageId}`, payload: { payload: { domain: 'a.test' } } }),
  });

/** A Fetch API stand-in for the ERP: answers 201 only when the bearer token is right. */
function erpFetch(): typeof fetch {
  return (_input, init) => {
    const authorized = new Headers(init?.headers).get('authorization') === `Bearer ${TOKEN}`;
    const body = authorized ? { id: 'a.test' } : { message: 'unauthorized' };
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status: authorized ? 201 : 401,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
}

describe('the run report log line', () => {
  it('is logged at DEBUG after the record line, with every step result and duration', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const { handler } = setup(logs);

    await handler(anSqsEvent([companyRecord('r1')]), aLambdaContext());

    expect(logs.entries.map((entry) => [entry.level, entry.message])).toEqual([
      ['info', 'record processed'],
      ['debug', 'run report'],
    ]);
    const anyMs = expect.any(Number) as unknown;
    expect(logs.runReportLines()).toEqual([
      {
        connector: 'acme',
        event_id: 'evt-r1',
        message_id: 'r1',
        run_report: {
          status: 'ok',
          flowsMatched: ['company_to_erp'],
          durationMs: anyMs,
          flows: [
            {
              name: 'company_to_erp',
              status: 'completed',
              durationMs: anyMs,
              steps: [
                {
                  id: 'shape',
                  action: 'transform',
                  status: 'ok',
                  durationMs: anyMs,
                  result: { domain: 'a.test' },
                },
                {
                  id: 'upsert_account',
                  action: 'upsert',
                  status: 'ok',
                  durationMs: anyMs,
                  result: { id: 'erp-1', created: true },
                },
                {
                  id: 'announce',
                  action: 'emit',
                  status: 'ok',
                  durationMs: anyMs,
                  result: { message_id: 'msg-1' },
                },
              ],
            },
          ],
        },
      },
    ]);
  });

  it('carries the same step statuses and durations as the INFO line of a flow that did not complete', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const { handler, recording } = setup(logs);
    recording.failNext('erp', new PermanentError('HTTP 422: domain is invalid', { status: 422 }));

    await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    const [info] = logs.recordLines() as { flows: { steps: { status: string; duration_ms: number }[] }[] }[];
    const [debug] = logs.runReportLines() as {
      run_report: { flows: { steps: { status: string; durationMs: number }[] }[] };
    }[];
    const steps = debug?.run_report.flows[0]?.steps ?? [];
    expect(steps.map((step) => step.status)).toEqual(['ok', 'failed', 'skipped']);
    expect(info?.flows[0]?.steps.map((step) => [step.status, step.duration_ms])).toEqual(
      steps.map((step) => [step.status, step.durationMs]),
    );
  });

  it('has every step of a flow the INFO line only names because it completed cleanly', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const { handler } = setup(logs);

    await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    const [info] = logs.recordLines() as { flows: { status: string; steps?: unknown[] }[] }[];
    const [debug] = logs.runReportLines() as { run_report: { flows: { steps: { status: string }[] }[] } }[];
    expect(info?.flows[0]).toEqual({
      name: expect.any(String) as unknown,
      status: 'completed',
      duration_ms: expect.any(Number) as unknown,
    });
    expect(debug?.run_report.flows[0]?.steps.map((step) => step.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('reports the error of the step that failed', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const { handler, recording } = setup(logs);
    recording.failNext('erp', new PermanentError('HTTP 422: domain is invalid', { status: 422 }));

    await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    const [line] = logs.runReportLines() as {
      run_report: { status: string; flows: { steps: unknown[] }[] };
    }[];
    expect(line?.run_report.status).toBe('failed');
    expect(line?.run_report.flows[0]?.steps).toEqual([
      expect.objectContaining({ id: 'shape', status: 'ok' }),
      expect.objectContaining({
        id: 'upsert_account',
        status: 'failed',
        error: {
          class: 'permanent',
          name: 'PermanentError',
          message: expect.stringContaining('HTTP 422') as unknown,
        },
      }),
      { id: 'announce', action: 'emit', status: 'skipped', durationMs: 0 },
    ]);
  });

  it('is not built at INFO: the logger is never asked to write it', async () => {
    const logs = captureLogs({ level: 'INFO' });
    const debug = vi.spyOn(logs, 'debug');
    const { handler } = setup(logs);

    await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    expect(debug).not.toHaveBeenCalled();
    expect(JSON.stringify(logs.entries)).not.toContain('a.test');
  });

  it('is handed to a logger that cannot report its level, which gates it itself', async () => {
    const logs = captureLogs({ level: 'DEBUG', withLevelName: false });
    const { handler } = setup(logs);

    await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    expect(logs.runReportLines()).toHaveLength(1);
  });

  it('is not logged for a record that never ran (a poison body)', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const { handler } = setup(logs);

    await handler(anSqsEvent([anSqsRecord({ body: 'not json' })]), aLambdaContext());

    expect(logs.recordLines()).toHaveLength(1);
    expect(logs.runReportLines()).toEqual([]);
  });

  it('never contains the target token, even at DEBUG', async () => {
    const logs = captureLogs({ level: 'DEBUG' });
    const targetFactory = createTargetFactory({
      secrets: { getToken: () => Promise.resolve(TOKEN) },
      fetch: erpFetch(),
    });
    const { handler } = setup(logs, targetFactory);

    const response = await handler(anSqsEvent([companyRecord()]), aLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(logs.runReportLines()).toHaveLength(1);
    expect(JSON.stringify(logs.runReportLines())).toContain('"created":true');
    expect(JSON.stringify(logs.entries)).not.toContain(TOKEN);
  });
});
