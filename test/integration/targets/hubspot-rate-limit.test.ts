import { describe, expect, it } from 'vitest';
import { createTargetFactory, RetryableError, type Target } from '@flow-worker/runtime';
import type { LocalHubSpot } from '../../../cli/local/hubspot-server.js';
import { callsTo, compileFor, HUBSPOT_TOKEN, runBatchOf, localHubSpots } from '../../support/hubspot-run.js';
import { virtualTime } from '../../support/virtual-time.js';

/** The per-target rate limiter against the local HubSpot's rate limits, on a virtual clock. */

const localHubSpot = localHubSpots();

const create = { id: 'create', action: 'create', target: 'hubspot', entity: 'task', data: '$' } as const;

function hubspotTarget(hubspot: LocalHubSpot, options: Parameters<typeof createTargetFactory>[0]): Target {
  return createTargetFactory({ allowTargetAddresses: ['loopback'], ...options })({
    name: 'hubspot',
    kind: 'hubspot',
    secret: 'hubspot-token',
    base_url: hubspot.url,
  });
}

describe('local HubSpot: rate limits', () => {
  it('answers every request with the rate-limit headers, and a 429 naming the policy once over', async () => {
    // Prepare
    const hubspot = await localHubSpot({
      rateLimit: { max: 2, intervalMs: 1_000, daily: 50, retryAfter: true },
    });
    const post = () =>
      fetch(`${hubspot.url}/crm/v3/objects/notes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${HUBSPOT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: {} }),
      });
    // Act
    const answers = [await post(), await post(), await post()];
    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 429]);
    expect(answers.map((answer) => answer.headers.get('x-hubspot-ratelimit-remaining'))).toEqual([
      '1',
      '0',
      '0',
    ]);
    expect(answers[2]?.headers.get('x-hubspot-ratelimit-max')).toBe('2');
    expect(answers[2]?.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('1000');
    expect(answers[2]?.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('48');
    expect(answers[2]?.headers.get('retry-after')).toBe('1');
    expect(await answers[2]?.json()).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'SECONDLY',
      message: 'You have reached your secondly limit.',
    });
  });
});

describe('hubspot target: rate limits', () => {
  it('spaces its calls within its share of the window, so HubSpot never answers 429', async () => {
    // Prepare: HubSpot allows 5 calls per 10 s; the container's share is all of it.
    const time = virtualTime();
    const hubspot = await localHubSpot({ rateLimit: { max: 5, intervalMs: 10_000 }, now: time.now });
    const compiled = compileFor(hubspot, [create], {
      hubspotRateLimit: { requests: 5, intervalMs: 10_000 },
      now: time.now,
      sleep: time.sleep,
    });
    // Act: 12 records of one group: 12 calls, one after another.
    const run = await runBatchOf(
      compiled,
      Array.from({ length: 12 }, (_, i) => ({ group: 'one', payload: { hs_task_subject: `t${i}` } })),
    );
    // Assess
    expect(run.errors.every((error) => error === undefined)).toBe(true);
    expect(hubspot.requests.map((request) => request.status)).toEqual(Array.from({ length: 12 }, () => 201));
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(20_000);
  });

  it('shares one limiter between config versions and targets that use the same HubSpot app', async () => {
    // Prepare
    const time = virtualTime();
    const hubspot = await localHubSpot({ rateLimit: { max: 2, intervalMs: 10_000 }, now: time.now });
    const options = {
      secrets: { getToken: () => Promise.resolve(HUBSPOT_TOKEN) },
      hubspotRateLimit: { requests: 2, intervalMs: 10_000 },
      now: time.now,
      sleep: time.sleep,
    };
    const factory = createTargetFactory({ allowTargetAddresses: ['loopback'], ...options });
    const definition = {
      name: 'hubspot',
      kind: 'hubspot',
      secret: 'hubspot-token',
      base_url: hubspot.url,
    } as const;
    const [version1, version2] = [factory(definition), factory({ ...definition, name: 'crm' })];
    const request = { action: 'create', entity: 'tasks', data: { hs_task_subject: 'x' } } as const;
    // Act
    await version1.execute(request);
    await version2.execute(request);
    await version1.execute(request);
    // Assess
    expect(hubspot.requests.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(time.sleeps.length).toBeGreaterThan(0);
  });

  it('pauses every caller after a 429 from another client of the app, then retries after the pause', async () => {
    // Prepare: another client spends the app's window first.
    const time = virtualTime();
    const hubspot = await localHubSpot({ rateLimit: { max: 3, intervalMs: 10_000 }, now: time.now });
    for (let i = 0; i < 3; i += 1) {
      await fetch(`${hubspot.url}/crm/v3/objects/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${HUBSPOT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: {} }),
      });
    }
    const target = hubspotTarget(hubspot, {
      secrets: { getToken: () => Promise.resolve(HUBSPOT_TOKEN) },
      now: time.now,
      sleep: time.sleep,
      random: () => 0,
    });
    const request = { action: 'create', entity: 'task', data: { hs_task_subject: 'x' } } as const;
    // Act
    const first = await target.execute(request).then(
      () => undefined,
      (error: unknown) => error,
    );
    const second = await target.execute(request);
    // Assess
    expect(first).toBeInstanceOf(RetryableError);
    expect(first).toMatchObject({ status: 429, retryAfterSeconds: 10 });
    expect(hubspot.requests[3]?.response).toMatchObject({
      policyName: 'TEN_SECONDLY_ROLLING',
      errorType: 'RATE_LIMIT',
    });
    expect(time.sleeps).toEqual([10_000]);
    expect(second.id).toBeDefined();
    expect(callsTo(hubspot)).toHaveLength(5);
  });

  it('slows down before the window is spent when HubSpot says little is left', async () => {
    // Prepare: the app allows 20 per 10 s; this container believes it may use 100.
    const time = virtualTime();
    const hubspot = await localHubSpot({ rateLimit: { max: 20, intervalMs: 10_000 }, now: time.now });
    const target = hubspotTarget(hubspot, {
      secrets: { getToken: () => Promise.resolve(HUBSPOT_TOKEN) },
      now: time.now,
      sleep: time.sleep,
      random: () => 0,
    });
    // Act
    for (let i = 0; i < 25; i += 1) {
      await target.execute({ action: 'create', entity: 'tasks', data: { hs_task_subject: `t${i}` } });
    }
    // Assess: spaced at the app's average rate (one call per 500 ms) once under 10 % was left.
    expect(hubspot.requests.filter((request) => request.status === 429)).toHaveLength(0);
    expect(time.sleeps.length).toBeGreaterThan(0);
    expect(Math.min(...time.sleeps)).toBeGreaterThanOrEqual(500);
  });
});
