import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from './run-cli.js';

const duplicateSteps = {
  connector_id: 'acme',
  version: 1,
  sources: [{ name: 'compass_inbound' }],
  targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'flow-worker/acme/hubspot' }],
  flows: [
    {
      name: 'compass_company_upsert',
      source: 'compass_inbound',
      event_type: 'upsert_company',
      enabeld: true,
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
          id: 'upsert_hubspot',
          action: 'upsert',
          target: 'hubspot',
          entity: 'company',
          id_property: 'domain',
          data: '$.payload',
        },
      ],
    },
  ],
};

describe('flow-worker validate', () => {
  it('accepts the example config with exit 0', async () => {
    const result = await runCli(['validate', 'examples/acme.config.json']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ examples/acme.config.json: connector "acme" version 1');
  });

  it('lists every problem with its path and the seed message for duplicate step ids, exit 1', async () => {
    const dir = tempFiles({ 'dup.json': duplicateSteps });

    const result = await runCli(['validate', join(dir, 'dup.json')]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 problems');
    expect(result.stdout).toContain('flows[0].steps[1].id: step ids within a flow must be unique');
    expect(result.stdout).toContain('flows[0].enabeld: unknown field "enabeld"');
  });

  it('names the line and column of a JSON syntax error', async () => {
    const dir = tempFiles({ 'bad.json': '{\n  "connector_id": "acme",\n  "flows": [1,]\n}\n' });

    const result = await runCli(['validate', join(dir, 'bad.json')]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("line 3, column 15: not valid JSON: Unexpected token ']'");
  });

  it('judges several files and fails when any is invalid, with --json verdicts', async () => {
    const dir = tempFiles({ 'dup.json': duplicateSteps });

    const result = await runCli(['validate', '--json', 'examples/acme.config.json', join(dir, 'dup.json')]);

    expect(result.code).toBe(1);
    const verdicts = JSON.parse(result.stdout) as { valid: boolean; problems: { path: string }[] }[];
    expect(verdicts.map((v) => v.valid)).toEqual([true, false]);
    expect(verdicts[1]?.problems.map((p) => p.path)).toContain('flows[0].steps[1].id');
  });

  it('reports a missing file without a stack trace', async () => {
    const result = await runCli(['validate', 'no/such/config.json']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cannot read no/such/config.json: no such file');
    expect(result.stderr).not.toContain('    at ');
  });
});
