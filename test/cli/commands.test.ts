import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '@flow-worker/runtime';
import { exampleConfig, runCli, tempFiles } from './run-cli.js';

describe('flow-worker generate-event', () => {
  it('prints a FIFO SQS event with --count records from a stdin payload', async () => {
    const payload = JSON.stringify({
      event: 'upsert_company',
      payload: { name: 'Acme', domain: 'acme.test' },
    });

    const result = await runCli(
      [
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
        '-',
        '--count',
        '2',
        '--group',
        'acme-eu',
        '--event-id',
        'evt-7',
      ],
      { input: payload },
    );

    expect(result.code).toBe(0);
    const event = JSON.parse(result.stdout) as SQSEvent;
    expect(event.Records).toHaveLength(2);
    const [first, second] = event.Records;
    expect(first?.eventSourceARN).toMatch(/:inbound-sync\.fifo$/);
    expect(first?.attributes).toMatchObject({ MessageGroupId: 'acme-eu', MessageDeduplicationId: 'evt-7-1' });
    expect(
      BigInt(second?.attributes.SequenceNumber ?? 0) > BigInt(first?.attributes.SequenceNumber ?? 0),
    ).toBe(true);
    expect(first?.messageId).not.toBe(second?.messageId);
    expect(parseEnvelope(first?.body ?? '')).toMatchObject({ connector_id: 'acme', event_id: 'evt-7-1' });
  });

  it('rejects a payload file that is not JSON, naming line and column', async () => {
    const dir = tempFiles({ 'payload.json': '{"name": Acme}' });

    const result = await runCli([
      'generate-event',
      '--queue',
      'inbound-sync',
      '--connector',
      'acme',
      '--source',
      's',
      '--type',
      't',
      '--payload',
      join(dir, 'payload.json'),
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('payload.json:1:10: not valid JSON');
  });

  it('refuses an unknown queue as a usage error', async () => {
    const result = await runCli([
      'generate-event',
      '--queue',
      'nope',
      '--connector',
      'a',
      '--source',
      's',
      '--type',
      't',
      '--payload',
      '-',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Allowed choices are inbound-sync, outbound-sync');
  });
});

describe('flow-worker manifest', () => {
  it('prints event_flow_manifests with event_type_from hints as JSON', async () => {
    const result = await runCli(['manifest', '--json', 'examples/acme.config.json']);

    expect(result.code).toBe(0);
    const manifest = JSON.parse(result.stdout) as { event_flow_manifests: unknown[] };
    expect(manifest.event_flow_manifests[0]).toEqual({
      source: 'compass_inbound',
      event_type: 'upsert_company',
      event_type_from: ['$.event'],
      enabled_flows: ['compass_company_upsert', 'compass_customer_to_erp'],
      disabled_flows: [],
    });
  });

  it('lists paused flows as disabled in the readable form', async () => {
    const result = await runCli(['manifest', 'examples/acme.config.json']);

    expect(result.stdout).toContain('compass_inbound / upsert_contact\n  disabled: compass_contact_upsert');
  });
});

describe('flow-worker diff', () => {
  it('exits 0 for equal files and 1 with flows and steps by name when different', async () => {
    const config = await exampleConfig();
    const flows = structuredClone(config.flows) as {
      name: string;
      enabled?: boolean;
      steps: { id: string }[];
    }[];
    flows[3]!.enabled = true;
    flows[1]!.steps = flows[1]!.steps.filter((s) => s.id !== 'announce');
    const dir = tempFiles({
      'v2.json': { ...config, version: 2, flows: flows.filter((f) => f.name !== 'compass_company_delete') },
    });

    const same = await runCli(['diff', 'examples/acme.config.json', 'examples/acme.config.json']);
    const changed = await runCli(['diff', 'examples/acme.config.json', join(dir, 'v2.json')]);
    const json = await runCli(['diff', '--json', 'examples/acme.config.json', join(dir, 'v2.json')]);

    expect(same.code).toBe(0);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('- compass_company_delete');
    expect(changed.stdout).toContain('~ compass_contact_upsert\n      enabled: false → true');
    expect(changed.stdout).toMatch(/~ compass_customer_to_erp\n\s+steps:\n\s+- announce/);
    expect(JSON.parse(json.stdout)).toMatchObject({
      equal: false,
      flows: { removed: ['compass_company_delete'] },
    });
  });

  it('exits 2 when it cannot compare', async () => {
    const result = await runCli(['diff', 'examples/acme.config.json', 'missing.json']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read missing.json');
  });
});

describe('flow-worker manners', () => {
  it('prints help for the program and every command with exit 0', async () => {
    const help = await runCli(['--help']);
    const invokeHelp = await runCli(['invoke', '--help']);

    expect(help.code).toBe(0);
    for (const command of ['validate', 'invoke', 'generate-event', 'publish', 'diff', 'manifest']) {
      expect(help.stdout).toContain(command);
    }
    expect(invokeHelp.code).toBe(0);
    expect(invokeHelp.stdout).toContain('--dry-run');
  });

  it('treats an unknown command as a usage error (exit 2) on stderr', async () => {
    const result = await runCli(['frobnicate']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('shows a stack trace only with --verbose', async () => {
    const plain = await runCli(['publish', 'examples/acme.config.json', '--table', 't'], {
      env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
    });
    const verbose = await runCli(['--verbose', 'publish', 'examples/acme.config.json', '--table', 't'], {
      env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
    });

    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('flow-worker: error:');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
