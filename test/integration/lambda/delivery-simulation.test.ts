import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  ENVIRONMENT_DEFAULTS,
  receivesToOutlast,
  type BackoffSchedule,
  type SqsHandler,
} from '@flow-worker/runtime';
import { QUEUES, startDeliveryStack, type DeliveryStack } from '../../support/delivery-stack.js';
import { eventSourceMapping } from '../../support/event-source-mapping.js';

/**
 * A simulation of SQS FIFO and Lambda's event source mapping around the real
 * `lambdas/inbound-sync/handler.ts`: the local SQS keeps group locking, visibility timeouts,
 * receive counts and the redrive to the dead-letter queue after `maxReceiveCount`; time is virtual,
 * so backoffs of seconds or hours pass at once. A target (`crm`) goes down for a while; the
 * simulation counts what reached the targets more than once, what was dead-lettered, and the calls
 * to the run-state table.
 */

interface Scenario {
  readonly messages: number;
  readonly groups: number;
  readonly outageSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** The handler's environment beyond the stack's (backoff, run state, last receive). */
  readonly environment: Record<string, string>;
  /** Drop these variables from the handler's environment. */
  readonly without?: readonly string[];
}

interface Measured {
  readonly duplicateEffects: number;
  readonly deadLetters: number;
  readonly deliveries: number;
  readonly invocations: number;
  /** Records received more than once. */
  readonly redeliveredRecords: number;
  readonly runStateCalls: { readonly GetItem: number; readonly PutItem: number; readonly DeleteItem: number };
  readonly leftInQueue: number;
}

let savedEnv: NodeJS.ProcessEnv;
let stack: DeliveryStack | undefined;
beforeAll(() => {
  savedEnv = { ...process.env };
});
afterAll(() => {
  process.env = savedEnv;
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  vi.restoreAllMocks();
});

async function simulate(scenario: Scenario): Promise<Measured> {
  const started = await startDeliveryStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    maxReceiveCount: scenario.maxReceiveCount,
    visibilityTimeoutSeconds: scenario.visibilityTimeoutSeconds,
  });
  stack = started;
  const environment = started.environment({ LOG_LEVEL: 'SILENT', ...scenario.environment });
  for (const name of scenario.without ?? []) delete environment[name];
  // Each scenario's handler reads only its own environment.
  process.env = { ...savedEnv, ...environment };
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.resetModules();
  const { handler } = (await import('../../../lambdas/inbound-sync/handler.js')) as { handler: SqsHandler };

  const outageEnds = started.clock.now() + scenario.outageSeconds * 1000;
  started.outage = { from: started.clock.now(), to: outageEnds };
  await started.sendEvents(scenario.messages, scenario.groups);
  started.proxy.reset();
  const esm = eventSourceMapping({
    sqs: started.sqs,
    queueName: QUEUES.source,
    handler,
    clock: started.clock,
    milestones: [outageEnds],
  });
  const drained = await esm.drain();
  esm.close();
  const table = started.runStateTable;
  return {
    duplicateEffects: started.duplicateEffects(),
    deadLetters: started.deadLetters().length,
    deliveries: drained.deliveries,
    invocations: drained.invocations,
    redeliveredRecords: started.sqs.sent(QUEUES.source).filter((m) => m.receiveCount > 1).length,
    runStateCalls: {
      GetItem: started.proxy.count('GetItem', table),
      PutItem: started.proxy.count('PutItem', table),
      DeleteItem: started.proxy.count('DeleteItem', table),
    },
    leftInQueue: started.sqs.messages(QUEUES.source).length,
  };
}

/**
 * Prints what a scenario measured. Every run of a redelivered record (or of one back from the DLQ)
 * reads its checkpoint exactly once, so GetItem counts those runs: the calls per redelivery are
 * all run-state calls over them.
 */
function report(title: string, measured: Measured): void {
  const calls = measured.runStateCalls;
  const total = calls.GetItem + calls.PutItem + calls.DeleteItem;
  const perRedelivery = calls.GetItem === 0 ? 0 : total / calls.GetItem;
  console.info(
    `${title}: duplicate effects ${measured.duplicateEffects}, dead letters ${measured.deadLetters}; ` +
      `${measured.deliveries} deliveries in ${measured.invocations} invocations, ` +
      `${measured.redeliveredRecords} records received more than once; run-state calls: GetItem ${calls.GetItem}, ` +
      `PutItem ${calls.PutItem}, DeleteItem ${calls.DeleteItem} = ${perRedelivery.toFixed(2)} per redelivery`,
  );
}

/** Compressed backoff: seconds instead of the deployed 30 s to 15 min. */
const COMPRESSED: BackoffSchedule = { baseSeconds: 1, maxSeconds: 4 };

describe('delivery simulation (SQS FIFO + event source mapping around the real handler)', () => {
  it('rides out a 20-second target outage with compressed backoff: no duplicate effect, nothing dead-lettered', async () => {
    // Prepare: the queue allows just enough receives for the schedule to outlast 20 s.
    const maxReceiveCount = receivesToOutlast(20, COMPRESSED) ?? 0;
    // Act
    const measured = await simulate({
      messages: 100,
      groups: 10,
      outageSeconds: 20,
      visibilityTimeoutSeconds: 6,
      maxReceiveCount,
      environment: {
        RETRY_BACKOFF_BASE_SECONDS: String(COMPRESSED.baseSeconds),
        RETRY_BACKOFF_MAX_SECONDS: String(COMPRESSED.maxSeconds),
      },
    });
    report(`20 s outage, 100 messages in 10 groups, maxReceiveCount ${maxReceiveCount}`, measured);
    // Assess
    expect(measured.duplicateEffects).toBe(0);
    expect(measured.deadLetters).toBe(0);
    expect(measured.leftInQueue).toBe(0);
    expect(measured.redeliveredRecords).toBeGreaterThan(0);
    expect(measured.runStateCalls.DeleteItem).toBe(measured.runStateCalls.PutItem);
  });

  it('makes no run-state call when nothing fails', async () => {
    const measured = await simulate({
      messages: 100,
      groups: 10,
      outageSeconds: 0,
      visibilityTimeoutSeconds: 6,
      maxReceiveCount: 5,
      environment: {},
    });
    report('no outage, 100 messages in 10 groups', measured);

    expect(measured.runStateCalls).toEqual({ GetItem: 0, PutItem: 0, DeleteItem: 0 });
    expect(measured.duplicateEffects).toBe(0);
    expect(measured.deliveries).toBe(100);
  });

  it('rides out a 24-hour outage at the deployed defaults: nothing dead-lettered', async () => {
    // Prepare: the construct's defaults (30 s base, 15 min cap, the receives that outlast 24 h).
    const schedule = {
      baseSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS,
      maxSeconds: ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS,
    };
    const maxReceiveCount = receivesToOutlast(24 * 3600, schedule) ?? 0;
    // Every jitter at its low end: each wait between receives is half its nominal length, the worst
    // case the construct's arithmetic is built for (and in-invocation retries do not wait at all,
    // so 197 receives run in seconds of real time).
    vi.spyOn(Math, 'random').mockReturnValue(0);
    // Act
    const measured = await simulate({
      messages: 6,
      groups: 2,
      outageSeconds: 24 * 3600,
      visibilityTimeoutSeconds: 180,
      maxReceiveCount,
      environment: {},
    });
    report(`24 h outage, 6 messages in 2 groups, maxReceiveCount ${maxReceiveCount}`, measured);
    // Assess
    expect(measured.deadLetters).toBe(0);
    expect(measured.duplicateEffects).toBe(0);
    expect(measured.leftInQueue).toBe(0);
    expect(measured.runStateCalls.DeleteItem).toBe(measured.runStateCalls.PutItem);
  });

  it('is sensitive: without checkpoints, backoff and a last-receive reason the same outage duplicates and dead-letters', async () => {
    const measured = await simulate({
      messages: 100,
      groups: 10,
      outageSeconds: 20,
      visibilityTimeoutSeconds: 6,
      maxReceiveCount: 3,
      environment: { RETRY_BACKOFF_BASE_SECONDS: '0' },
      without: ['RUN_STATE_TABLE_NAME', 'MAX_RECEIVE_COUNT'],
    });
    report(
      'the same 20 s outage with checkpoints, backoff and MAX_RECEIVE_COUNT off, maxReceiveCount 3',
      measured,
    );

    expect(measured.duplicateEffects).toBeGreaterThan(0);
    expect(measured.deadLetters).toBeGreaterThan(0);
  });
});
