import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { parseEnvelope } from '@flow-worker/runtime';
import { resolveFlowWorkerProps } from '../../lib/flow-worker.js';
import { describe, expect, it } from 'vitest';
import { ROOT, readPage } from './pages.js';

// docs/deploy.md documents the construct; these tests fail when it drifts from the code.
const deploy = readPage('docs/deploy.md');
const propsSource = readFileSync(join(ROOT, 'lib/flow-worker-props.ts'), 'utf8');

/** The first-column names of the props table (rows whose first cell is a `code` name). */
function documentedProps(): string[] {
  const table = deploy.slice(deploy.indexOf('| prop '));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.map((row) => /^\|\s*`(\w+)`/.exec(row)?.[1] ?? `unparsed row: ${row}`);
}

/** The props of the FlowWorkerProps interface, in declaration order. */
function declaredProps(): string[] {
  const body = propsSource.slice(propsSource.indexOf('export interface FlowWorkerProps {'));
  const end = body.indexOf('\n}\n');
  return [...body.slice(0, end).matchAll(/^\s+readonly (\w+)\?:/gm)].map((m) => m[1]!);
}

describe('docs/deploy.md', () => {
  it('documents every FlowWorker prop, in declaration order, and no other', () => {
    expect(documentedProps()).toEqual(declaredProps());
  });

  it('states the maxReceiveCount the construct derives for the outage tolerance it shows', () => {
    const example = /outageTolerance: Duration\.hours\((\d+)\) \}\); \/\/ maxReceiveCount (\d+)/.exec(deploy);
    expect(example).not.toBeNull();
    const [, hours = '', count = ''] = example ?? [];
    expect(resolveFlowWorkerProps({ outageTolerance: Duration.hours(Number(hours)) }).maxReceiveCount).toBe(
      Number(count),
    );
    expect(deploy).toContain(`derived: ${resolveFlowWorkerProps().maxReceiveCount}`);
  });

  it('sends a test message that is a valid envelope', () => {
    const body = /--message-body '([^']+)'/.exec(deploy)?.[1];
    expect(body).toBeDefined();
    expect(parseEnvelope(body!)).toMatchObject({ connector_id: 'acme', event_type: 'upsert_company' });
  });

  it('uses the same deduplication id as the event id of the message', () => {
    const dedupId = /--message-deduplication-id (\S+)/.exec(deploy)?.[1];
    expect(deploy).toContain(`"event_id":"${dedupId}"`);
  });
});
