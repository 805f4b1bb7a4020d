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
