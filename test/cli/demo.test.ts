import { describe, expect, it } from 'vitest';
import { runScript } from './run-cli.js';

interface DemoReport {
  batches: {
    title: string;
    redrive?: { redriven: number; failed: number; moves: { connector: string; to: string }[] };
    queue: string;
    records: { outcome: string; flows_matched: string[] }[];
    batch_item_failures: string[];
  }[];
  targets: { target: string; calls: { request: string; status?: number }[] }[];
  emitted: { queue: string }[];
  dead_lettered: { attributes: Record<string, string>; body: string }[];
}

describe('npm start (the demo)', () => {
  it('chains inbound emits to the outbound handler and dead-letters the poison record, exit 0', async () => {
    const result = await runScript('cli/demo.ts', []);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('▸ outbound-sync: delivering 3 emitted message(s) to its handler');
    expect(result.stdout).toContain(
      'outbound-sync.fifo → outbound-sync handler (messages emitted by the flows above)',
    );
    expect(result.stdout).toContain('flow erp_account_sync: completed');
    expect(result.stdout).toMatch(/PUT \/api\/v1\/accounts\/acme\.test → 201/);
    expect(result.stdout).toContain('poison PoisonMessageError: message body is not JSON');
    expect(result.stdout).toMatch(/inbound-sync-dlq\.fifo .* original message 9c1e4f20-0001-/);
    expect(result.stdout).not.toContain('"level":');
  });

  it('sends the sign-ups of four groups as three batch calls: contacts, companies, associations', async () => {
    const result = await runScript('cli/demo.ts', ['--json']);

    const report = JSON.parse(result.stdout) as DemoReport;
    const calls = report.targets.find((t) => t.target === 'hubspot')?.calls ?? [];
    const signups = calls.filter((c) => /contacts\/batch|associations/.test(c.request));
    expect(signups.map((c) => `${c.request} ${c.status ?? ''}`)).toEqual([
      'POST /crm/v3/objects/contacts/batch/upsert 200',
      'POST /crm/v4/associations/0-1/0-2/batch/associate/default 200',
    ]);
    const signupBatch = report.batches.find((b) =>
      b.records.some((r) => r.flows_matched.includes('compass_contact_signup')),
    );
    expect(signupBatch?.records.map((r) => r.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('prints one JSON document with --json, with one redrive after a fix', async () => {
    const result = await runScript('cli/demo.ts', ['--json']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DemoReport;
    const outbound = report.batches.filter((b) => b.queue === 'outbound-sync');
    expect(outbound.flatMap((b) => b.records.map((r) => r.outcome))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(report.emitted).toHaveLength(3);
    const classes = report.dead_lettered.map((d) => d.attributes.error_class);
    expect(classes.filter((c) => c === 'poison')).toHaveLength(4);
    // globex's message was dead-lettered too, then redriven after its config was published.
    expect(classes.filter((c) => c === 'permanent')).toHaveLength(3);
    expect(report.dead_lettered.find((d) => d.attributes.step === 'upsert_hubspot')?.attributes.flow).toBe(
      'compass_company_upsert',
    );
    const failures = report.batches.flatMap((b) => b.batch_item_failures);
    expect(failures).toEqual([
      '0de30fa1-0002-4000-8000-000000000002',
      '0de30fa1-0003-4000-8000-000000000003',
    ]);
    expect(report.targets.find((t) => t.target === 'hubspot')?.calls.some((c) => c.status === 503)).toBe(
      true,
    );
    // One redrive: the fixed connector's message goes back to inbound-sync and succeeds.
    const redriven = report.batches.find((b) => b.redrive !== undefined);
    expect(redriven?.redrive).toMatchObject({
      redriven: 1,
      failed: 0,
      moves: [{ connector: 'globex', to: 'inbound-sync.fifo' }],
    });
    expect(redriven?.records.map((r) => r.outcome)).toEqual(['succeeded']);
    expect(report.dead_lettered.some((d) => d.body.includes('"connector_id":"globex"'))).toBe(false);
  });
});
