import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RecordLogLine, RunReportLogLine } from '@flow-worker/runtime';
import { recordRuns, summarize } from '../../cli/run-report.js';

const EVENT = { Records: [{ messageId: 'm1' }] } as SQSEvent;

/** What the handler logs at INFO for a record whose second step failed permanently. */
function aRecordLine(): RecordLogLine {
  return {
    connector: 'acme',
    event_id: 'evt-1',
    message_id: 'm1',
    flows_matched: ['sync'],
    outcome: 'dead-lettered',
    duration_ms: 9,
    error_class: 'permanent',
    error_name: 'PermanentError',
    error_message: 'HTTP 422',
    flow: 'sync',
    step: 'upsert',
    flows: [
      {
        name: 'sync',
        status: 'failed',
        duration_ms: 7,
        steps: [
          { id: 'shape', action: 'transform', status: 'ok', duration_ms: 1 },
          { id: 'upsert', action: 'upsert', status: 'failed', duration_ms: 6 },
        ],
      },
    ],
  };
}

/** The DEBUG line for the same record. */
function aRunReportLine(): RunReportLogLine {
  return {
    connector: 'acme',
    event_id: 'evt-1',
    message_id: 'm1',
    run_report: {
      status: 'failed',
      flowsMatched: ['sync'],
      durationMs: 7,
      flows: [
        {
          name: 'sync',
          status: 'failed',
          durationMs: 7,
          steps: [
            { id: 'shape', action: 'transform', status: 'ok', durationMs: 1, result: { domain: 'a.test' } },
            {
              id: 'upsert',
              action: 'upsert',
              status: 'failed',
              durationMs: 6,
              error: { class: 'permanent', name: 'PermanentError', message: 'HTTP 422: name is required' },
            },
          ],
        },
      ],
    },
  };
}

describe('recordRuns', () => {
  it('takes step results, durations and errors from the DEBUG run report line', () => {
    const [run] = recordRuns(EVENT, { records: [aRecordLine()], runReports: [aRunReportLine()] });

    expect(run?.flows).toEqual([
      {
        name: 'sync',
        status: 'failed',
        duration_ms: 7,
        steps: [
          { id: 'shape', action: 'transform', status: 'ok', duration_ms: 1, result: { domain: 'a.test' } },
          {
            id: 'upsert',
            action: 'upsert',
            status: 'failed',
            duration_ms: 6,
            error: { class: 'permanent', name: 'PermanentError', message: 'HTTP 422: name is required' },
          },
        ],
      },
    ]);
    expect(run).toMatchObject({ outcome: 'dead-lettered', failed_at: { flow: 'sync', step: 'upsert' } });
  });

  it('falls back to the INFO line (actions, statuses, durations, no results) without a run report', () => {
    const [run] = recordRuns(EVENT, { records: [aRecordLine()], runReports: [] });

    expect(run?.flows[0]?.steps).toEqual([
      { id: 'shape', action: 'transform', status: 'ok', duration_ms: 1 },
      {
        id: 'upsert',
        action: 'upsert',
        status: 'failed',
        duration_ms: 6,
        error: { class: 'permanent', name: 'PermanentError', message: 'HTTP 422' },
      },
    ]);
  });

  it('reports a record the handler logged nothing for as failed', () => {
    const [run] = recordRuns(EVENT, { records: [], runReports: [] });

    expect(run).toMatchObject({ message_id: 'm1', outcome: 'failed', error: { name: 'Unknown' } });
  });
});

describe('summarize', () => {
  it('prints short JSON whole', () => {
    expect(summarize({ id: '1001', created: true })).toBe('{"id":"1001","created":true}');
  });

  it('keeps whole members of a long object and marks the rest', () => {
    const value = { account_name: 'Acme', website: 'acme.test', origin: 'compass', note: 'x'.repeat(80) };

    expect(summarize(value, 72)).toBe('{"account_name":"Acme","website":"acme.test","origin":"compass",…}');
  });

  it('keeps whole items of a long array', () => {
    expect(summarize(['aaaa', 'bbbb', 'cccc'], 17)).toBe('["aaaa","bbbb",…]');
  });

  it('cuts a string, or a container whose first member is already too long, at the limit', () => {
    expect(summarize('abcdefghij', 5)).toBe('abcd…');
    expect(summarize({ long: 'x'.repeat(20) }, 10)).toBe('{"long":"…');
  });
});
