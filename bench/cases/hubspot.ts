import {
  compileConfig,
  createTargetFactory,
  validateConfig,
  type CompiledConfig,
  type TargetFactory,
} from '@flow-worker/runtime';
import { startHubSpotServer, type LocalHubSpot } from '../../cli/local/hubspot-server.js';
import { oneRequestPerRecordFactory } from '../lib/baseline-hubspot.js';
import { sqsRecord } from '../lib/fixtures.js';
import { container, drain, type FleetRun } from '../lib/fleet.js';
import type { BenchMode } from '../lib/mode.js';
import { micros, ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { elapsedMs, median } from '../lib/stats.js';

/** The local HubSpot runs on 127.0.0.1: allowed explicitly, as in any local run. */
const LOCAL_TARGETS = ['loopback'] as const;

/** The scenario: a 10 requests/s limit (10 per rolling second), 4 containers, 30 groups. */
const LIMIT = { max: 10, intervalMs: 1_000 };
const CONTAINERS = 4;
const GROUPS = 30;
const GOAL_SPEED_UP = 5;
const GOAL_LATENCY_MS = 0.5;
const TOKEN = 'pat-bench';
const secrets = { getToken: () => Promise.resolve(TOKEN) };

type Side = 'ours' | 'baseline';

/** Ours, with this container's share of the budget (floor(10 / 4) per second), or the old target. */
function factoryFor(side: Side, share = LIMIT.max): TargetFactory {
  if (side === 'baseline') return oneRequestPerRecordFactory(secrets);
  return createTargetFactory({
    secrets,
    hubspotRateLimit: { requests: share, intervalMs: LIMIT.intervalMs },
    allowTargetAddresses: LOCAL_TARGETS,
  });
}

function compiled(hubspot: LocalHubSpot, factory: TargetFactory): CompiledConfig {
  const config = validateConfig(
    {
      connector_id: 'bench',
      version: 1,
      sources: [{ name: 'crm' }],
      targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'bench/hubspot', base_url: hubspot.url }],
      flows: [
        {
          name: 'company_upsert',
          source: 'crm',
          event_type: 'company',
          steps: [
            {
              id: 'upsert',
              action: 'upsert',
              target: 'hubspot',
              entity: 'companies',
              id_property: 'domain',
              data: '$',
            },
          ],
        },
      ],
    },
    { allowTargetAddresses: LOCAL_TARGETS },
  );
  return compileConfig(config, { targetFactory: factory });
}

function messages(count: number, groups: number, tag: string) {
  return Array.from({ length: count }, (_, i) =>
    sqsRecord(
      JSON.stringify({
        connector_id: 'bench',
        source_name: 'crm',
        event_type: 'company',
        event_id: `${tag}-${i}`,
        payload: { domain: `${tag}-${i}.test`, name: `Company ${i}` },
      }),
      `${tag}-${i}`,
      `group-${i % groups}`,
    ),
  );
}

/** HTTP requests one 10-record SQS batch (10 groups) costs, through the real handler. */
async function requestsPerBatch(side: Side): Promise<number> {
  const hubspot = await startHubSpotServer({ token: TOKEN });
  try {
    await drain([container(compiled(hubspot, factoryFor(side)))], messages(10, 10, `batch-${side}`));
    return hubspot.requests.length;
  } finally {
    await hubspot.close();
  }
}

/** p50 of one upsert alone (target call to answer), the same local HubSpot for both sides. */
async function singleRecordMs(runs: number): Promise<Record<Side, number>> {
  const hubspot = await startHubSpotServer({
    token: TOKEN,
    rateLimit: { max: 1_000_000, intervalMs: 10_000 },
  });
  try {
    const definition = {
      name: 'hubspot',
      kind: 'hubspot',
      secret: 'bench/hubspot',
      base_url: hubspot.url,
    } as const;
    const targets = {
      ours: factoryFor('ours', 1_000_000)(definition),
      baseline: factoryFor('baseline')(definition),
    };
    const samples: Record<Side, number[]> = { ours: [], baseline: [] };
    for (let i = 0; i < runs + 20; i += 1) {
      for (const side of (i % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) as Side[]) {
        const request = {
          action: 'upsert',
          entity: 'companies',
          idProperty: 'domain',
          id: `solo-${i}.test`,
          data: { domain: `solo-${i}.test` },
        } as const;
        const start = process.hrtime.bigint();
        await targets[side].execute(request);
        if (i >= 20) samples[side].push(elapsedMs(start));
      }
    }
    return { ours: median(samples.ours), baseline: median(samples.baseline) };
  } finally {
    await hubspot.close();
  }
}

interface FleetResult extends FleetRun {
  readonly recordsPerSecond: number;
  readonly requests: number;
  readonly tooMany: number;
}

/** `count` messages over 30 groups, drained by 4 containers against a 10 req/s HubSpot. */
async function fleet(side: Side, count: number): Promise<FleetResult> {
  const hubspot = await startHubSpotServer({ token: TOKEN, rateLimit: LIMIT });
  try {
    const share = Math.floor(LIMIT.max / CONTAINERS);
    const retry = side === 'baseline' ? { random: () => 0 } : {};
    const containers = Array.from({ length: CONTAINERS }, () =>
      container(compiled(hubspot, factoryFor(side, share)), retry),
    );
    const run = await drain(containers, messages(count, GROUPS, `fleet-${side}`));
    return {
      ...run,
      recordsPerSecond: count / (run.wallMs / 1000),
      requests: hubspot.requests.length,
      tooMany: hubspot.requests.filter((request) => request.status === 429).length,
    };
  } finally {
    await hubspot.close();
  }
}

/**
 * Case 8: HubSpot at scale. Requests one 10-record batch costs, records/s of 4 containers under a
 * 10 requests/s limit, and what batching costs a record that is alone, each side by side with the
 * one-request-per-record target it replaced.
 */
export async function hubspotAtScale(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  const perBatch = { ours: await requestsPerBatch('ours'), baseline: await requestsPerBatch('baseline') };
  const single = await singleRecordMs(mode.hubspotLatencyRuns);
  const runs = {
    ours: await fleet('ours', mode.hubspotMessages),
    baseline: await fleet('baseline', mode.hubspotMessages),
  };
  const speedUp = runs.ours.recordsPerSecond / runs.baseline.recordsPerSecond;
  const addedMs = single.ours - single.baseline;
  const rows: ResultRow[] = [
    {
      metric: 'requests per 10-record batch (10 groups): ours / one per record',
      value: `${perBatch.ours} / ${perBatch.baseline}`,
      goal: '1',
      verdict: verdict(perBatch.ours === 1),
    },
    {
      metric: `records/s, ${LIMIT.max} req/s limit, ${CONTAINERS} containers: ours / one per record`,
      value: `${runs.ours.recordsPerSecond.toFixed(1)} / ${runs.baseline.recordsPerSecond.toFixed(1)} (${ratio(speedUp)})`,
      goal: `≥ ${GOAL_SPEED_UP}×`,
      verdict: verdict(speedUp >= GOAL_SPEED_UP),
    },
    {
      metric: 'HTTP requests / 429s drawn: ours; one per record',
      value: `${runs.ours.requests} / ${runs.ours.tooMany}; ${runs.baseline.requests} / ${runs.baseline.tooMany}`,
      goal: 'ours: 0 429s',
      verdict: verdict(runs.ours.tooMany === 0),
    },
    {
      metric: 'one record alone, p50: ours / one per record',
      value: `${micros(single.ours)} / ${micros(single.baseline)} (${addedMs >= 0 ? '+' : '−'}${micros(Math.abs(addedMs))})`,
      goal: `≤ +${GOAL_LATENCY_MS} ms`,
      verdict: verdict(addedMs <= GOAL_LATENCY_MS),
    },
  ];
  return {
    id: 8,
    title: 'HubSpot under a rate limit',
    parameters: {
      messages: mode.hubspotMessages,
      groups: GROUPS,
      containers: CONTAINERS,
      limit: `${LIMIT.max}/${LIMIT.intervalMs} ms`,
      latencyRuns: mode.hubspotLatencyRuns,
    },
    data: { perBatch, single, runs, speedUp },
    rows,
    notes: [
      `local HubSpot (cli/local/hubspot-server.ts) allowing ${LIMIT.max} requests per rolling second; each container is the real SQS handler (FIFO groups, in-process retries, 30 s deadline) with its own targets; a shared FIFO queue gives each receive up to 10 messages of groups no other container holds`,
      `ours: each container's limiter gets floor(${LIMIT.max} / ${CONTAINERS}) = ${Math.floor(LIMIT.max / CONTAINERS)} requests per second, as the construct shares a budget; one per record: the target before batching (no limiter, a 429 retried after exactly HubSpot's interval)`,
      'failed records go back to the queue at once (SQS would hide them for the visibility timeout, which would slow the baseline further)',
    ],
    durationMs: performance.now() - started,
  };
}
