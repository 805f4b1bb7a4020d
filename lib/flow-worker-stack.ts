import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FlowWorker, type FlowWorkerProps } from './flow-worker.js';

export interface FlowWorkerStackProps extends StackProps {
  /**
   * Props of the flow worker.
   * @default - FlowWorker defaults
   */
  readonly flowWorker?: FlowWorkerProps;
}

/** The deployable unit: one FlowWorker and the outputs operators and the publish CLI need. */
export class FlowWorkerStack extends Stack {
  readonly worker: FlowWorker;

  constructor(scope: Construct, id: string, props: FlowWorkerStackProps = {}) {
    super(scope, id, props);
    this.worker = new FlowWorker(this, 'Worker', props.flowWorker);
    const w = this.worker;

    const outputs: Record<string, [string, string]> = {
      ConfigTableName: [w.table.tableName, 'Config table: flow-worker publish <config.json> --table <this>'],
      RunStateTableName: [w.runStateTable.tableName, 'Run-state table: step checkpoints between deliveries'],
      ManifestsTableName: [
        w.manifestsTable.tableName,
        'event_flow_manifests table: flow-worker publish … --manifests-table <this>',
      ],
      InboundQueueUrl: [w.inbound.queue.queueUrl, 'inbound-sync.fifo URL (producers send here)'],
      InboundQueueArn: [w.inbound.queue.queueArn, 'inbound-sync.fifo ARN'],
      InboundDlqUrl: [w.inbound.deadLetterQueue.queueUrl, 'inbound-sync dead-letter queue URL'],
      InboundDlqArn: [
        w.inbound.deadLetterQueue.queueArn,
        'inbound-sync dead-letter queue ARN (redrive source)',
      ],
      OutboundQueueUrl: [w.outbound.queue.queueUrl, 'outbound-sync.fifo URL (producers send here)'],
      OutboundQueueArn: [w.outbound.queue.queueArn, 'outbound-sync.fifo ARN'],
      OutboundDlqUrl: [w.outbound.deadLetterQueue.queueUrl, 'outbound-sync dead-letter queue URL'],
      OutboundDlqArn: [
        w.outbound.deadLetterQueue.queueArn,
        'outbound-sync dead-letter queue ARN (redrive source)',
      ],
      InboundFunctionName: [w.inboundHandler.function.functionName, 'inbound-sync handler'],
      OutboundFunctionName: [w.outboundHandler.function.functionName, 'outbound-sync handler'],
      InboundLogGroupName: [
        w.inboundHandler.logGroup.logGroupName,
        'inbound-sync handler logs (aws logs tail)',
      ],
      OutboundLogGroupName: [
        w.outboundHandler.logGroup.logGroupName,
        'outbound-sync handler logs (aws logs tail)',
      ],
      DashboardName: [w.monitoring.dashboard.dashboardName, 'CloudWatch dashboard'],
    };
    if (w.alarmTopic) outputs.AlarmTopicArn = [w.alarmTopic.topicArn, 'Topic the alarms notify'];
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
