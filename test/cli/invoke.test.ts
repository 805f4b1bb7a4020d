import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotServer, type LocalHubSpot } from '../../cli/local/hubspot-server.js';
import { exampleConfig, runCli, tempFiles } from './run-cli.js';

/** `flow-worker invoke` on inbound-sync with `event` and the config file `config`, then `extra`. */
const invokeArgs = (event: string, config: string, ...extra: string[]) => [
  'invoke',
  '--queue',
  'inbound-sync',
  '--event',
  event,
  '--config',
  config,
  ...extra,
];

/** A run that calls the local HubSpot: its token, and loopback allowed. */
const LIVE_RUN = ['--secret', 'flow-worker/acme/hubspot=pat-test', '--allow-target-addresses', 'loopback'];

let hubspot: LocalHubSpot;
let unavailable: LocalHubSpot;
let dir: string;

beforeAll(async () => {
  hubspot = await startHubSpotServer({ token: 'pat-test' });
  unavailable = await startHubSpotServer({ fault: () => ({ status: 503, body: { message: 'down' } }) });
  const config = await exampleConfig();
  const pointAt = (url: string) =>
    (config.targets as { name: string }[]).map((t) => (t.name === 'hubspot' ? { ...t, base_url: url } : t));
  dir = tempFiles({
    'acme.json': { ...config, targets: pointAt(hubspot.url) },
    'unavailable.json': { ...config, targets: pointAt(unavailable.url) },
    'payload.json': {
      event: 'upsert_company',
      payload: { name: 'Acme', domain: 'acme.test', lifecycle: 'lead' },
    },
  });
});

afterAll(() => Promise.all([hubspot.close(), unavailable.close()]));

describe('flow-worker invoke', () => {
  it('runs the real handler on a generated event and reaches the target (exit 0)', async () => {
    const generated = await runCli([
      'generate-event',
      '--queue',
      'inbound-sync',
      '--connector',
      'acme',
      '--source',
      'compass_inbound',
      '--type',
      'upsert_company',
      '--payload',
      join(dir, 'payload.json'),
    ]);

    const result = await runCli(invokeArgs('-', join(dir, 'acme.json'), ...LIVE_RUN), {
      input: generated.stdout,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ upsert_hubspot upsert {4}ok +\d+ ms {2}→ \{"id":"\d+","created":true\}/);
    expect(result.stdout).toContain('flow compass_customer_to_erp: filtered');
    expect(result.stdout).toContain('→ {"passed":false}');
    expect(result.stdout).toContain('batchItemFailures: []');
    expect(`${result.stdout}${result.stderr}`).not.toContain('pat-test');
    expect(hubspot.objects('companies').map((c) => c.properties.domain)).toContain('acme.test');
  });

  it('dry-runs a batch: prints what would be sent and exits 1 because records were dead-lettered', async () => {
    const result = await runCli(
      invokeArgs('events/inbound-multi-group.json', 'examples/acme.config.json', '--dry-run', '--json'),
    );

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      targets: { target: string; calls: { request: string }[] }[];
      emitted: { queue: string }[];
      dead_lettered: { attributes: Record<string, string> }[];
      batches: {
        batch_item_failures: string[];
        records: { flows: { name: string; duration_ms: number; steps: Record<string, unknown>[] }[] }[];
      }[];
    };
    expect(report.targets[0]?.calls.map((c) => c.request)).toEqual([
      'upsert company domain=acme.test',
      'upsert company domain=acme.test',
      'delete company domain=acme.test',
    ]);
    expect(report.emitted.map((e) => e.queue)).toEqual(['outbound-sync.fifo', 'outbound-sync.fifo']);
    expect(report.dead_lettered.map((d) => d.attributes.error_class)).toEqual(['permanent', 'permanent']);
    expect(report.batches[0]?.batch_item_failures).toEqual([]);
    const erpFlow = report.batches[0]?.records[0]?.flows.find((f) => f.name === 'compass_customer_to_erp');
    expect(erpFlow?.duration_ms).toEqual(expect.any(Number));
    expect(erpFlow?.steps.map(({ duration_ms: ms, ...step }) => [typeof ms, step])).toEqual([
      ['number', { id: 'only_customers', action: 'filter', status: 'ok', result: { passed: true } }],
      [
        'number',
        {
          id: 'erp_account',
          action: 'transform',
          status: 'ok',
          result: expect.objectContaining({ account_name: 'Acme', website: 'acme.test' }) as unknown,
        },
      ],
      ['number', { id: 'announce', action: 'emit', status: 'ok', result: { message_id: 'msg-1' } }],
    ]);
  });

  it('reports a retryable failure in batchItemFailures and blocks the rest of the group', async () => {
    const result = await runCli(
      invokeArgs('events/demo-failures.json', join(dir, 'unavailable.json'), ...LIVE_RUN),
    );

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not run (why is below): SQS will redeliver it');
    expect(result.stdout).toContain('GroupBlockedError: not run: message 0de30fa1-0002-');
    expect(result.stdout).toMatch(/batchItemFailures: \[0de30fa1-0002-.*, 0de30fa1-0003-.*\]/);
  });

  it('refuses a config whose target is on 127.0.0.1 unless loopback is allowed, naming the field', async () => {
    const result = await runCli(invokeArgs('events/demo-failures.json', join(dir, 'acme.json'), '--dry-run'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'targets[0].base_url: 127.0.0.1 is a loopback address (127.0.0.0/8): targets may use loopback addresses only where the deployment allows them (ALLOW_TARGET_ADDRESSES=loopback)',
    );
  });

  it('needs exactly one of --config and --table', async () => {
    const result = await runCli(['invoke', '--queue', 'inbound-sync', '--event', 'events/poison.json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('give exactly one of --config <file> or --table <name>');
  });
});
