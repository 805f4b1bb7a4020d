import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import {
  FLOW_WORKER_DEFAULTS,
  FlowWorker,
  type FlowWorkerProps,
  FlowWorkerPropsError,
  MAX_NAME_PREFIX_LENGTH,
  resolveFlowWorkerProps,
} from '../../lib/flow-worker.js';
import { unbundledApp } from './support/synth.js';

/** The problems a FlowWorker with these props reports; [] when it is valid. */
function problemsOf(props: FlowWorkerProps): readonly string[] {
  try {
    resolveFlowWorkerProps(props);
    return [];
  } catch (error) {
    if (error instanceof FlowWorkerPropsError) return error.problems;
    throw error;
  }
}

describe('FlowWorker props validation', () => {
  it('accepts the defaults', () => {
    expect(problemsOf({})).toEqual([]);
    expect(resolveFlowWorkerProps().visibilityTimeout.toSeconds()).toBe(
      FLOW_WORKER_DEFAULTS.functionTimeout.toSeconds() * FLOW_WORKER_DEFAULTS.visibilityTimeoutFactor,
    );
  });

  it('rejects a visibility timeout under 6 × the function timeout', () => {
    expect(
      problemsOf({ functionTimeout: Duration.seconds(60), visibilityTimeout: Duration.seconds(300) }),
    ).toEqual([
      'visibilityTimeout (300 s) must be at least 6 × functionTimeout (360 s), or SQS redelivers messages whose batch is still being retried',
    ]);
  });

  it('derives the visibility timeout from a longer function timeout', () => {
    expect(
      resolveFlowWorkerProps({ functionTimeout: Duration.minutes(2) }).visibilityTimeout.toSeconds(),
    ).toBe(720);
  });

  it('rejects a name prefix with characters SQS does not allow', () => {
    expect(problemsOf({ namePrefix: 'dev.' })).toEqual([
      'namePrefix "dev." may contain only letters, digits, "-" and "_" (SQS queue name characters)',
    ]);
  });

  it('rejects a name prefix that would push the longest queue name past 80 characters', () => {
    expect(MAX_NAME_PREFIX_LENGTH).toBe(58);
    expect(problemsOf({ namePrefix: 'p'.repeat(58) })).toEqual([]);
    expect(problemsOf({ namePrefix: 'p'.repeat(59) })).toEqual([
      `namePrefix is 59 characters; at most 58 keep "${'p'.repeat(59)}outbound-sync-dlq.fifo" within the 80-character SQS limit`,
    ]);
  });

  it('lists every bad prop at once', () => {
    const problems = problemsOf({
      namePrefix: 'bad prefix!',
      functionTimeout: Duration.minutes(20),
      visibilityTimeout: Duration.minutes(5),
      maxReceiveCount: 0,
      memorySize: 64,
      reservedConcurrency: 5,
      maxConcurrency: 10,
      secretNamePrefix: 'flow-worker/*',
      configCacheTtl: Duration.hours(2),
      queueAgeAlarmThreshold: Duration.seconds(10),
      logLevel: 'TRACE' as never,
      serviceName: ' ',
      alarmEmail: 'not-an-address',
    });
    expect(problems).toEqual([
      'namePrefix "bad prefix!" may contain only letters, digits, "-" and "_" (SQS queue name characters)',
      'maxReceiveCount (0) must be an integer from 1 to 1000',
      'functionTimeout (1200 s) must be a whole number of seconds from 1 to 900',
      'visibilityTimeout (300 s) must be at least 6 × functionTimeout (7200 s), or SQS redelivers messages whose batch is still being retried',
      'memorySize (64) must be an integer from 128 to 10240',
      'reservedConcurrency (5) must be at least maxConcurrency (10), or the event source is throttled',
      'secretNamePrefix "flow-worker/*" must be 1-256 characters of letters, digits and / _ + = . @ - (no wildcards: an empty or wildcard prefix would grant every secret in the account)',
      'logLevel "TRACE" must be one of DEBUG, INFO, WARN, ERROR',
      'configCacheTtl (7200 s) must be a whole number of seconds from 0 to 3600',
      'queueAgeAlarmThreshold (10 s) must be a whole number of seconds from 60 to 1209600',
      'serviceName must not be empty',
      'alarmEmail "not-an-address" is not an e-mail address',
    ]);
  });

  it('rejects out-of-range counts and fractional durations', () => {
    expect(
      problemsOf({
        maxReceiveCount: 1001,
        maxConcurrency: 1,
        reservedConcurrency: 0,
        functionTimeout: Duration.millis(1500),
        visibilityTimeout: Duration.hours(13),
        memorySize: 10_241,
      }),
    ).toEqual([
      'maxReceiveCount (1001) must be an integer from 1 to 1000',
      'functionTimeout (1.5 s) must be a whole number of seconds from 1 to 900',
      'visibilityTimeout (46800 s) must be a whole number of seconds from 0 to 43200',
      'memorySize (10241) must be an integer from 128 to 10240',
      'reservedConcurrency (0) must be an integer at least 1',
      'maxConcurrency (1) must be an integer from 2 to 1000',
      'reservedConcurrency (0) must be at least maxConcurrency (1), or the event source is throttled',
    ]);
  });

  it('rejects a HubSpot budget that leaves a container less than one request per 10 seconds', () => {
    expect(problemsOf({ maxConcurrency: 60, hubspotRequestsPer10Seconds: 100 })).toEqual([
      'hubspotRequestsPer10Seconds (100) shared by 120 containers (2 × maxConcurrency 60) leaves each less than one request per 10 seconds; raise the budget or lower maxConcurrency to at most 50',
    ]);
    expect(problemsOf({ hubspotRequestsPer10Seconds: 2.5 })).toEqual([
      'hubspotRequestsPer10Seconds (2.5) must be an integer at least 1',
    ]);
  });

  it('refuses a function timeout too short to run a step, saying why', () => {
    expect(problemsOf({ functionTimeout: Duration.seconds(2) })).toEqual([
      'functionTimeout (2 s) is too short to run a step: the handler stops starting steps at least 0.5 s before its deadline, to save checkpoints and back off records; use at least 3 s',
    ]);
    expect(problemsOf({ functionTimeout: Duration.seconds(3) })).toEqual([]);
  });

  it('derives maxReceiveCount from the backoff and the outage to ride out', () => {
    expect(resolveFlowWorkerProps().maxReceiveCount).toBe(197);
    expect(
      resolveFlowWorkerProps({ retryBackoffMax: Duration.hours(1), outageTolerance: Duration.hours(24) })
        .maxReceiveCount,
    ).toBe(55);
    expect(resolveFlowWorkerProps({ outageTolerance: Duration.hours(1) }).maxReceiveCount).toBe(13);
  });

  it('rejects a maxReceiveCount whose schedule cannot outlast outageTolerance, naming the receives it needs', () => {
    expect(problemsOf({ maxReceiveCount: 5 })).toEqual([
      'maxReceiveCount (5) lets a failing record wait only 225 s between its first and last receive (shortest jitter), less than outageTolerance (86400 s): it needs at least 197; raise it, or lower outageTolerance',
    ]);
    expect(problemsOf({ maxReceiveCount: 5, outageTolerance: Duration.minutes(3) })).toEqual([]);
  });

  it('rejects a retention that cannot hold the retry schedule', () => {
    expect(problemsOf({ queueRetention: Duration.days(1) })).toEqual([
      'queueRetention (86400 s) cannot hold the retry schedule: a record failing on all 197 receives can stay 178980 s on the queue (backoffs up to retryBackoffMax, functionTimeout per receive); raise queueRetention to at least 178980 s or lower maxReceiveCount',
    ]);
  });

  it('rejects backoffs SQS cannot hold: beyond 12 hours with the function timeout, or needing over 1000 receives', () => {
    expect(problemsOf({ retryBackoffMax: Duration.hours(12) })).toEqual([
      'retryBackoffMax (43200 s) plus functionTimeout (30 s) must fit in the 43200 s (12 hours) SQS lets a received message stay hidden, or SQS refuses the longest backoffs',
    ]);
    expect(problemsOf({ retryBackoffMax: Duration.seconds(60), outageTolerance: Duration.days(1) })).toEqual([
      'outageTolerance (86400 s) needs more than 1000 receives with this backoff, and SQS allows at most 1000; raise retryBackoffMax or lower outageTolerance',
    ]);
    expect(
      problemsOf({ retryBackoffBase: Duration.minutes(10), retryBackoffMax: Duration.minutes(5) }),
    ).toEqual(['retryBackoffMax (300 s) must be at least retryBackoffBase (600 s)']);
  });

  it('rejects an empty secret prefix, which would grant every secret', () => {
    expect(problemsOf({ secretNamePrefix: '' })).toHaveLength(1);
  });

  it('rejects props that contradict each other', () => {
    const stack = new Stack(unbundledApp(), 'S');
    const configTable = Table.fromTableName(stack, 'T', 'configs');
    const manifestsTable = Table.fromTableName(stack, 'M', 'manifests');
    const alarmTopic = Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:123456789012:ops');
    expect(
      problemsOf({
        configTable,
        manifestsTable,
        tableRemovalPolicy: RemovalPolicy.DESTROY,
        alarmTopic,
        alarmEmail: 'a@example.com',
      }),
    ).toEqual([
      'tableRemovalPolicy applies only to the tables this construct creates, and configTable and manifestsTable are both given; remove it',
      'set alarmTopic or alarmEmail, not both (alarmEmail creates a topic)',
    ]);
  });

  it('accepts tableRemovalPolicy with one table given: it applies to the one created', () => {
    const stack = new Stack(unbundledApp(), 'S');
    const configTable = Table.fromTableName(stack, 'T', 'configs');
    expect(problemsOf({ configTable, tableRemovalPolicy: RemovalPolicy.DESTROY })).toEqual([]);
  });

  it('throws from the construct before creating anything, with every problem in the message', () => {
    const create = () =>
      new FlowWorker(new Stack(unbundledApp(), 'S'), 'Worker', { maxReceiveCount: 0, namePrefix: 'a.b' });
    expect(create).toThrow(FlowWorkerPropsError);
    expect(create).toThrow(
      /Invalid FlowWorker props \(2\):\n {2}- namePrefix "a\.b"[^\n]*\n {2}- maxReceiveCount \(0\)/,
    );
  });
});
