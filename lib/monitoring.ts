import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS } from '@flow-worker/runtime';
import type { SyncQueue } from './sync-queue.js';

/** One sync queue and the handler that consumes it, as monitoring sees them. */
export interface MonitoredSync {
  /** `inbound-sync` or `outbound-sync`, used in alarm descriptions and widget titles. */
  readonly name: string;
  readonly queue: SyncQueue;
  readonly function: IFunction;
}

export interface FlowWorkerMonitoringProps {
  readonly syncs: readonly MonitoredSync[];
  readonly queueAgeAlarmThreshold: Duration;
  /** Where the handlers' EMF metrics land (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`). */
  readonly metricsNamespace: string;
  readonly serviceName: string;
  /** @default - alarms without actions */
  readonly alarmTopic?: ITopic;
}

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms and a dashboard for the sync queues and handlers. Every alarm fires on the first bad data
 * point: a dead-lettered message, a throttle or a handler crash each needs a look, and missing data
 * (an idle queue) is healthy.
 */
export class FlowWorkerMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly props: FlowWorkerMonitoringProps;

  constructor(scope: Construct, id: string, props: FlowWorkerMonitoringProps) {
    super(scope, id);
    this.props = props;
    for (const sync of props.syncs) this.addAlarms(sync, props);
    if (props.alarmTopic) {
      const action = new SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.dashboard = this.buildDashboard(props.syncs);
  }

  private addAlarms(sync: MonitoredSync, props: FlowWorkerMonitoringProps): void {
    const { queue, deadLetterQueue } = sync.queue;
    const ageSeconds = props.queueAgeAlarmThreshold.toSeconds();
    const prefix = sync.name.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase());
    this.alarm(`${prefix}DlqNotEmpty`, {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ONE_MINUTE,
        statistic: 'Maximum',
      }),
      threshold: 0,
      description: `${sync.name}: messages are waiting in the dead-letter queue; read them with their error_class and error_message attributes, fix, then redrive`,
    });
    this.alarm(`${prefix}OldestMessageAge`, {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: ageSeconds,
      description: `${sync.name}: the oldest message has waited more than ${ageSeconds} s (handler failing, throttled, or a message group blocked by retries)`,
    });
    this.alarm(`${prefix}ExhaustedDeadLetters`, {
      metric: this.handlerMetric(sync, METRICS.recordsExhausted),
      threshold: 0,
      description: `${sync.name}: records were dead-lettered with error_class exhausted: they kept failing for the whole retry schedule (an outage longer than outageTolerance, or a target that never recovered); fix the cause, then flow-worker dlq redrive --reason exhausted`,
    });
    this.alarm(`${prefix}FunctionErrors`, {
      metric: sync.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 0,
      // Failed records are reported per item, so an invocation error means the handler itself failed.
      description: `${sync.name}: the handler failed a whole invocation (cold-start configuration or an unexpected crash); every record of that batch is retried`,
    });
    this.alarm(`${prefix}FunctionThrottles`, {
      metric: sync.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 0,
      description: `${sync.name}: the handler was throttled; raise reserved concurrency or lower the event source's maxConcurrency`,
    });
  }

  private alarm(id: string, spec: { metric: IMetric; threshold: number; description: string }): void {
    this.alarms.push(
      new Alarm(this, id, {
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: spec.description,
      }),
    );
  }

  private buildDashboard(syncs: readonly MonitoredSync[]): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new TextWidget({
        markdown: '# flow-worker\nSync queues, dead-letter queues and handlers.',
        width: 18,
        height: 2,
      }),
      new AlarmStatusWidget({ alarms: this.alarms, title: 'Alarms', width: 6, height: 2 }),
    );
    for (const sync of syncs) {
      const { queue, deadLetterQueue } = sync.queue;
      const fn = sync.function;
      dashboard.addWidgets(
        new GraphWidget({
          title: `${sync.name}: queue depth`,
          left: [
            queue.metricApproximateNumberOfMessagesVisible(),
            queue.metricApproximateNumberOfMessagesNotVisible(),
          ],
          right: [queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' })],
          width: 6,
        }),
        new GraphWidget({
          title: `${sync.name}: dead-letter queue`,
          left: [deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' })],
          right: [deadLetterQueue.metricNumberOfMessagesSent({ statistic: 'Sum' })],
          width: 6,
        }),
        new GraphWidget({
          title: `${sync.name}: handler invocations`,
          left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
          width: 6,
        }),
        new GraphWidget({
          title: `${sync.name}: records`,
          left: [
            METRICS.recordsSucceeded,
            METRICS.recordsFailed,
            METRICS.recordsDeadLettered,
            METRICS.recordsExhausted,
            METRICS.noMatch,
          ].map((name) => this.handlerMetric(sync, name)),
          right: [this.handlerMetric(sync, METRICS.flowsMatched)],
          width: 6,
        }),
        new GraphWidget({
          title: `${sync.name}: handler duration`,
          left: [
            fn.metricDuration({ statistic: 'p50' }),
            fn.metricDuration({ statistic: 'p99' }),
            fn.metricDuration({ statistic: 'Maximum' }),
          ],
          width: 6,
        }),
      );
    }
    return dashboard;
  }

  /** A custom metric the handler publishes (EMF), with the dimensions Powertools gives it. */
  private handlerMetric(sync: MonitoredSync, metricName: string): Metric {
    return new Metric({
      namespace: this.props.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.props.serviceName, queue: sync.name },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  }
}
