import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_DEFAULTS, METRICS } from '@flow-worker/runtime';
import type { FlowWorkerStack } from '../../lib/flow-worker-stack.js';
import {
  type FunctionProps,
  logicalId,
  maskAssetHashes,
  nagFindings,
  type PolicyProps,
  propsOf,
  synthTemplate,
} from './support/synth.js';

// One synthesis of the default stack (bundling skipped, see support/synth.ts) shared by every test in
// this file: the assertions, the cdk-nag check and the snapshot.
let stack: FlowWorkerStack;
let template: Template;
let ids: Record<
  'inboundQueue' | 'outboundQueue' | 'inboundDlq' | 'outboundDlq' | 'table' | 'manifests' | 'runState',
  string
>;
let fnIds: { inbound: string; outbound: string };

beforeAll(() => {
  ({ stack, template } = synthTemplate());
  ids = {
    inboundQueue: logicalId(template, 'AWS::SQS::Queue', 'InboundSyncQueue'),
    outboundQueue: logicalId(template, 'AWS::SQS::Queue', 'OutboundSyncQueue'),
    inboundDlq: logicalId(template, 'AWS::SQS::Queue', 'InboundSyncDeadLetterQueue'),
    outboundDlq: logicalId(template, 'AWS::SQS::Queue', 'OutboundSyncDeadLetterQueue'),
    table: logicalId(template, 'AWS::DynamoDB::Table', 'ConfigTable'),
    runState: logicalId(template, 'AWS::DynamoDB::Table', 'RunStateTable'),
    manifests: logicalId(template, 'AWS::DynamoDB::Table', 'ManifestsTable'),
  };
  fnIds = {
    inbound: logicalId(template, 'AWS::Lambda::Function', 'InboundSyncHandler'),
    outbound: logicalId(template, 'AWS::Lambda::Function', 'OutboundSyncHandler'),
  };
});

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** Statements with multi-resource lists in a fixed order, so order-insensitive lists compare equal. */
const normalized = (statements: readonly Record<string, unknown>[]) =>
  statements.map((st) =>
    Array.isArray(st.Resource)
      ? {
          ...st,
          Resource: [...(st.Resource as unknown[])].sort((x, y) =>
            JSON.stringify(x).localeCompare(JSON.stringify(y)),
          ),
        }
      : st,
  );
const functionProps = (side: 'inbound' | 'outbound'): FunctionProps =>
  propsOf<FunctionProps>(template, 'AWS::Lambda::Function')[fnIds[side]]!;

describe('queues', () => {
  it.each([
    ['inbound-sync.fifo', 'inbound-sync-dlq.fifo', 'inboundDlq'],
    ['outbound-sync.fifo', 'outbound-sync-dlq.fifo', 'outboundDlq'],
  ] as const)(
    '%s is FIFO, encrypted, keeps messages 4 days and redrives to %s after the 197 receives that outlast a 24-hour outage',
    (name, _dlqName, dlq) => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: name,
        FifoQueue: true,
        ContentBasedDeduplication: false,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 4 * 24 * 3600,
        RedrivePolicy: { deadLetterTargetArn: arnOf(ids[dlq]), maxReceiveCount: 197 },
      });
    },
  );

  it.each(['inbound-sync-dlq.fifo', 'outbound-sync-dlq.fifo'])(
    'dead-letter queue %s is FIFO, encrypted, and keeps messages 14 days',
    (name) => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: name,
        FifoQueue: true,
        ContentBasedDeduplication: false,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    },
  );

  it('gives the sync queues a visibility timeout of 6 × the 30 s function timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'inbound-sync.fifo',
      VisibilityTimeout: 180,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'outbound-sync.fifo',
      VisibilityTimeout: 180,
    });
  });

  it('denies every request to every queue that is not over TLS', () => {
    const policies = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
    });
    expect(Object.keys(policies)).toHaveLength(4);
  });
});

describe('config and manifests tables', () => {
  it('are each keyed by connector_id, on demand, with point-in-time recovery and encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const id of [ids.table, ids.manifests]) {
      expect(propsOf(template, 'AWS::DynamoDB::Table')[id]).toEqual({
        KeySchema: [{ AttributeName: 'connector_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'connector_id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('are retained when the stack is deleted', () => {
    for (const id of [ids.table, ids.manifests]) {
      expect(template.findResources('AWS::DynamoDB::Table')[id]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });
});

describe('run-state table', () => {
  it('is keyed by run_id, on demand, expires items by expires_at, encrypted, with point-in-time recovery', () => {
    expect(propsOf(template, 'AWS::DynamoDB::Table')[ids.runState]).toEqual({
      KeySchema: [{ AttributeName: 'run_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'run_id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('goes with the stack, like the queues whose messages it checkpoints', () => {
    expect(template.findResources('AWS::DynamoDB::Table')[ids.runState]).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });
});

describe('functions', () => {
  it.each(['inbound', 'outbound'] as const)(
    'the %s handler runs nodejs24.x on arm64 with 512 MiB and 30 s',
    (side) => {
      const fn = functionProps(side);
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 30,
        RecursiveLoop: 'Terminate',
      });
      expect(fn.TracingConfig).toBeUndefined();
    },
  );

  it.each([
    ['inbound', 'inboundDlq'],
    ['outbound', 'outboundDlq'],
  ] as const)('the %s handler gets the documented environment with its own DLQ', (side, dlq) => {
    const fn = functionProps(side);
    expect(fn.Environment.Variables).toEqual({
      CONFIG_TABLE_NAME: { Ref: ids.table },
      RUN_STATE_TABLE_NAME: { Ref: ids.runState },
      DLQ_URL: { Ref: ids[dlq] },
      INBOUND_QUEUE_URL: { Ref: ids.inboundQueue },
      OUTBOUND_QUEUE_URL: { Ref: ids.outboundQueue },
      CONFIG_CACHE_TTL_SECONDS: '30',
      MAX_RECEIVE_COUNT: '197',
      RETRY_BACKOFF_BASE_SECONDS: String(ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS),
      RETRY_BACKOFF_MAX_SECONDS: String(ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS),
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: 'flow-worker',
      POWERTOOLS_METRICS_NAMESPACE: 'FlowWorker',
      SECRET_NAME_PREFIX: 'flow-worker/',
      HUBSPOT_REQUESTS_PER_10_SECONDS: '25',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it.each(['inbound', 'outbound'] as const)(
    'the %s handler logs to its own log group with 30-day retention',
    (side) => {
      const fn = functionProps(side);
      const groupId = fn.LoggingConfig.LogGroup.Ref;
      expect(propsOf(template, 'AWS::Logs::LogGroup')[groupId]).toEqual({
        RetentionInDays: 30,
      });
    },
  );

  it.each([
    ['inbound', 'inboundQueue'],
    ['outbound', 'outboundQueue'],
  ] as const)(
    'the %s handler consumes its queue in batches of 10 with partial batch failures',
    (side, queue) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(ids[queue]),
        FunctionName: { Ref: fnIds[side] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    },
  );

  it('bounds each event source to 2 concurrent invocations, reserving no concurrency', () => {
    for (const fn of Object.values(propsOf(template, 'AWS::Lambda::Function'))) {
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    }
    for (const esm of Object.values(propsOf(template, 'AWS::Lambda::EventSourceMapping'))) {
      expect(esm.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    }
  });
});

describe('least privilege', () => {
  const policyOf = (side: 'inbound' | 'outbound') => {
    const fn = functionProps(side);
    const roleId = fn.Role['Fn::GetAtt'][0];
    const policies = Object.values(propsOf<PolicyProps>(template, 'AWS::IAM::Policy')).filter((p) =>
      p.Roles.some((r) => r.Ref === roleId),
    );
    expect(policies).toHaveLength(1);
    return {
      roleId,
      statements: policies[0]!.PolicyDocument.Statement,
    };
  };

  it.each([
    ['inbound', 'inboundQueue', 'inboundDlq'],
    ['outbound', 'outboundQueue', 'outboundDlq'],
  ] as const)('the %s role holds exactly the statements the handler needs', (side, queue, dlq) => {
    const { statements } = policyOf(side);
    const logGroupId = logicalId(
      template,
      'AWS::Logs::LogGroup',
      side === 'inbound' ? 'InboundSyncHandler' : 'OutboundSyncHandler',
    );
    expect(normalized(statements)).toEqual(
      normalized([
        {
          Sid: 'ReadConnectorConfig',
          Effect: 'Allow',
          // The head item, then a new version's chunk items; nothing on the manifests table.
          Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
          Resource: arnOf(ids.table),
        },
        {
          Sid: 'StepCheckpoints',
          Effect: 'Allow',
          // Sorted by @aws-cdk/aws-iam:minimizePolicies (cdk.json).
          Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
          Resource: arnOf(ids.runState),
        },
        {
          Sid: 'DeadLetterAndEmit',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          // Its own DLQ and both sync queues (minimizePolicies may reorder them: compared normalized).
          Resource: [arnOf(ids[dlq]), arnOf(ids.inboundQueue), arnOf(ids.outboundQueue)],
        },
        {
          Sid: 'ReadTargetSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flow-worker/*',
        },
        {
          Sid: 'WriteOwnLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logGroupId),
        },
        {
          Effect: 'Allow',
          // The event source's grant, on its own queue only; ChangeMessageVisibility is the backoff.
          // Sorted by @aws-cdk/aws-iam:minimizePolicies (cdk.json).
          Action: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          Resource: arnOf(ids[queue]),
        },
      ]),
    );
  });

  it('uses no managed policy and no wildcard action', () => {
    for (const role of Object.values(propsOf(template, 'AWS::IAM::Role'))) {
      expect(role.ManagedPolicyArns).toBeUndefined();
    }
    const actions = Object.values(propsOf<PolicyProps>(template, 'AWS::IAM::Policy')).flatMap((p) =>
      p.PolicyDocument.Statement.flatMap((s) => s.Action),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('alarms', () => {
  it.each(['inboundDlq', 'outboundDlq'] as const)('fires when the %s holds any message', (dlq) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids[dlq], 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(['inboundQueue', 'outboundQueue'] as const)(
    'fires when the oldest message of %s is older than 5 minutes',
    (queue) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids[queue], 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 300,
      });
    },
  );

  it.each([
    ['inbound', 'Errors'],
    ['inbound', 'Throttles'],
    ['outbound', 'Errors'],
    ['outbound', 'Throttles'],
  ] as const)('fires on any %s handler %s', (side, metric) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnIds[side] } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(['inbound-sync', 'outbound-sync'])(
    'fires on any record of %s dead-lettered as exhausted',
    (queue) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE,
        MetricName: METRICS.recordsExhausted,
        Dimensions: Match.arrayWith([{ Name: 'queue', Value: queue }]),
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('has ten alarms without actions when no topic or e-mail is given', () => {
    const alarms = Object.values(propsOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) expect(alarm.AlarmActions).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('has a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it("charts the handlers' own EMF metrics under the namespace and dimensions Powertools publishes them with", () => {
    const [dashboard] = Object.values(propsOf(template, 'AWS::CloudWatch::Dashboard'));
    // The body is an Fn::Join of JSON text and tokens; the metric arrays are all in the text parts.
    const parts = (dashboard?.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const body = parts.filter((part) => typeof part === 'string').join('');

    for (const queue of ['inbound-sync', 'outbound-sync']) {
      for (const name of [
        METRICS.recordsDeadLettered,
        METRICS.recordsExhausted,
        METRICS.recordsFailed,
        METRICS.noMatch,
      ]) {
        const metric = [ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE, name, 'queue', queue, 'service'];
        expect(body).toContain(JSON.stringify(metric).slice(0, -1));
      }
    }
  });
});

describe('outputs', () => {
  it('exports queue URLs and ARNs, DLQ URLs, the table names and the function names', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'ConfigTableName',
        'RunStateTableName',
        'ManifestsTableName',
        'DashboardName',
        'InboundDlqArn',
        'InboundDlqUrl',
        'InboundFunctionName',
        'InboundLogGroupName',
        'InboundQueueArn',
        'InboundQueueUrl',
        'OutboundDlqArn',
        'OutboundDlqUrl',
        'OutboundFunctionName',
        'OutboundLogGroupName',
        'OutboundQueueArn',
        'OutboundQueueUrl',
      ].sort(),
    );
    expect(outputs.ConfigTableName?.Value).toEqual({ Ref: ids.table });
    expect(outputs.RunStateTableName?.Value).toEqual({ Ref: ids.runState });
    expect(outputs.ManifestsTableName?.Value).toEqual({ Ref: ids.manifests });
    expect(outputs.InboundDlqUrl?.Value).toEqual({ Ref: ids.inboundDlq });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('the whole template', () => {
  it('matches the snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template.toJSON())).toMatchSnapshot();
  });
});
