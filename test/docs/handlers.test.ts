import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import {
  backoffCapSeconds,
  DEAD_LETTER_ATTRIBUTES,
  ENVIRONMENT_DEFAULTS,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  METRICS,
  deadLetterMessage,
  receivesToOutlast,
  shortestSpanSeconds,
  parseEnvelope,
  stepErrorMetric,
} from '@flow-worker/runtime';
import { longestStaySeconds } from '../../lib/delivery-schedule.js';
import { resolveFlowWorkerProps } from '../../lib/flow-worker.js';
import { anSqsRecord, loadSampleEvent } from '../unit/lambda/sqs-fixtures.js';
import { ROOT, codeBlocks, readPage } from './pages.js';

/** docs/handlers.md, for operators: its tables and its DLQ example must stay true. */
const page = readPage('docs/handlers.md');
const tableRow = (firstCell: string) =>
  page.split('\n').find((line) => line.startsWith(`| \`${firstCell}\``)) ?? '';

describe('docs/handlers.md', () => {
  it('states the envelope limits the parser applies, and the poison messages it gives', () => {
    // Prepare
    const envelope = (connectorId: string, payload: string) =>
      `{"connector_id":"${connectorId}","source_name":"s","event_type":"t","payload":${payload}}`;
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    // Act
    const messages = [envelope('a'.repeat(MAX_NAME_LENGTH + 1), '{}'), envelope('a', deep), 'null'].map(
      (body) => {
        try {
          parseEnvelope(body);
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      },
    );
    // Assess
    expect(tableRow('connector_id')).toContain(`at most ${MAX_NAME_LENGTH} characters`);
    expect(tableRow('payload')).toContain(`nested at most ${MAX_JSON_DEPTH} levels deep`);
    expect(messages[0]).toContain(`at most ${MAX_NAME_LENGTH} characters`);
    expect(page).toContain(`\`${messages[1]}\``);
    expect(page).toContain(`\`${messages[2]}\``);
    expect(JSON.stringify(parseEnvelope(envelope('a', '[9007199254740993]')).payload)).toBe(
      '[9007199254740993]',
    );
  });

  it('documents every environment variable with its default', () => {
    for (const variable of ['CONFIG_TABLE_NAME', 'DLQ_URL', 'INBOUND_QUEUE_URL', 'OUTBOUND_QUEUE_URL']) {
      expect(tableRow(variable)).not.toBe('');
    }
    expect(tableRow('CONFIG_CACHE_TTL_SECONDS')).toContain(
      `\`${ENVIRONMENT_DEFAULTS.CONFIG_CACHE_TTL_SECONDS}\``,
    );
    expect(tableRow('LOG_LEVEL')).toContain(`\`${ENVIRONMENT_DEFAULTS.LOG_LEVEL}\``);
    for (const variable of ['RUN_STATE_TABLE_NAME', 'MAX_RECEIVE_COUNT'])
      expect(tableRow(variable)).not.toBe('');
    expect(tableRow('RETRY_BACKOFF_BASE_SECONDS')).toContain(
      `\`${ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS}\``,
    );
    expect(tableRow('RETRY_BACKOFF_MAX_SECONDS')).toContain(
      `\`${ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS}\``,
    );
  });

  it('states the backoff, the receives and the longest stay the code computes for the defaults', () => {
    const schedule = {
      baseSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS,
      maxSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS,
    };
    const receives = receivesToOutlast(24 * 3600, schedule);
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffCapSeconds(n, schedule));

    expect(page).toContain(`the ${receives}th receive comes at least 86 415 s`);
    expect(shortestSpanSeconds(receives ?? 0, schedule)).toBe(86_415);
    expect(delays).toEqual([30, 60, 120, 240, 480, 900]);
    expect(page).toContain('15–30 s after the first receive, then 30–60 s, 60–120 s,');
    expect(page).toContain(
      `is ${longestStaySeconds(resolveFlowWorkerProps()).toLocaleString('en').replace(',', ' ')} s`,
    );
  });

  it('shows the DLQ message deadLetterMessage really builds', () => {
    const json = codeBlocks(page, 'json').find((block) => block.includes('"MessageAttributes"'));
    const example = JSON.parse(json ?? '') as SendMessageCommandInput;
    const attribute = (name: string) => example.MessageAttributes?.[name]?.StringValue;
    const record = anSqsRecord({
      messageId: example.MessageDeduplicationId,
      groupId: example.MessageGroupId,
      body: example.MessageBody ?? '',
      queue: attribute('source_queue'),
    });

    const built = deadLetterMessage(
      record,
      {
        errorClass: attribute('error_class') as 'permanent',
        errorMessage: attribute('error_message') ?? '',
        flow: attribute('flow'),
        step: attribute('step'),
      },
      example.QueueUrl ?? '',
    );

    expect(built).toEqual(example);
  });

  it('lists every DLQ attribute and every metric', () => {
    for (const name of Object.values(DEAD_LETTER_ATTRIBUTES)) expect(tableRow(name)).not.toBe('');
    const metricNames = [
      ...Object.values(METRICS).filter((name) => name !== METRICS.stepErrorsPrefix),
      ...(['retryable', 'permanent', 'poison'] as const).map(stepErrorMetric),
    ];
    for (const name of metricNames) expect(page).toContain(`\`${name}\``);
  });

  it('describes sample events that exist', () => {
    for (const [, path = '(no path)'] of page.matchAll(/`(events\/[\w-]+\.json)`/g)) {
      expect(existsSync(join(ROOT, path))).toBe(true);
    }
    expect(loadSampleEvent('inbound-multi-group').Records).toHaveLength(5);
  });
});
