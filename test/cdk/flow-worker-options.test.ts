import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowWorker } from '../../lib/flow-worker.js';
import { logicalId, nagFindings, propsOf, synthTemplate, unbundledApp } from './support/synth.js';

describe('a staged worker with every option set', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synthTemplate({
      namePrefix: 'dev-',
      maxReceiveCount: 20,
      retryBackoffBase: Duration.seconds(10),
      retryBackoffMax: Duration.minutes(5),
      outageTolerance: Duration.minutes(2),
      functionTimeout: Duration.seconds(60),
      visibilityTimeout: Duration.minutes(10),
      memorySize: 1024,
      reservedConcurrency: 20,
      maxConcurrency: 10,
      hubspotRequestsPer10Seconds: 190,
      tracing: true,
      sourceMaps: false,
      secretNamePrefix: 'acme/prod/',
      allowPrivateTargetAddresses: true,
      logLevel: 'DEBUG',
      configCacheTtl: Duration.seconds(5),
      queueAgeAlarmThreshold: Duration.minutes(15),
      tableRemovalPolicy: RemovalPolicy.DESTROY,
      alarmEmail: 'oncall@example.com',
    }));
  });

  it('has no unacknowledged cdk-nag finding (tracing adds the X-Ray acknowledgement)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('prefixes every queue name', () => {
    for (const name of ['dev-inbound-sync.fifo', 'dev-outbound-sync.fifo']) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: name,
        VisibilityTimeout: 600,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 20 }),
      });
    }
    for (const name of ['dev-inbound-sync-dlq.fifo', 'dev-outbound-sync-dlq.fifo']) {
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: name });
    }
  });

  it('sizes, bounds and traces the handlers, and lets their targets reach private addresses', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 60,
      ReservedConcurrentExecutions: 20,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          LOG_LEVEL: 'DEBUG',
          CONFIG_CACHE_TTL_SECONDS: '5',
          SECRET_NAME_PREFIX: 'acme/prod/',
          // 190 requests per 10 s shared by 2 handlers × 10 containers: 9 each.
          HUBSPOT_REQUESTS_PER_10_SECONDS: '9',
          MAX_RECEIVE_COUNT: '20',
          RETRY_BACKOFF_BASE_SECONDS: '10',
          RETRY_BACKOFF_MAX_SECONDS: '300',
          ALLOW_TARGET_ADDRESSES: 'private',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('runs the handlers without source maps', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const handlers = functions.filter((resource) =>
      String((resource.Properties as { Description?: string }).Description).startsWith('flow-worker: runs'),
    );
    expect(handlers).toHaveLength(2);
    for (const handler of handlers) {
      const variables = (handler.Properties as { Environment: { Variables: Record<string, unknown> } })
        .Environment.Variables;
      expect(variables).toHaveProperty('LOG_LEVEL', 'DEBUG');
      expect(variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('scopes secrets to the given prefix and adds the X-Ray write actions', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }),
          Match.objectLike({
            Sid: 'ReadTargetSecrets',
            Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/*',
          }),
        ]),
      },
    });
  });

  it('creates a TLS-only topic with the e-mail subscription and wires it to every alarm', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic') };
    const alarms = Object.values(propsOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    }
    expect(template.findOutputs('AlarmTopicArn')).toHaveProperty('AlarmTopicArn');
  });

  it('uses the age threshold and the table removal policy', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('a worker given existing tables and topic', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    stack = new Stack(unbundledApp(), 'Shared', { env: { account: '123456789012', region: 'eu-west-1' } });
    const configTable = Table.fromTableName(stack, 'Existing', 'shared-flow-configs');
    const manifestsTable = Table.fromTableName(stack, 'ExistingManifests', 'shared-manifests');
    const alarmTopic = Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:123456789012:ops');
    new FlowWorker(stack, 'Worker', { configTable, manifestsTable, alarmTopic });
    template = Template.fromStack(stack);
  });

  it('creates no config table (only its run-state table) and reads the given one', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'run_id', KeyType: 'HASH' }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONFIG_TABLE_NAME: 'shared-flow-configs' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadConnectorConfig',
            Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
            Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/shared-flow-configs',
          }),
        ]),
      },
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('notifies the given topic and creates none', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:ops'],
    });
  });
});

describe('a worker in an environment-agnostic stack (cdk synth without a profile)', () => {
  it('has no unacknowledged cdk-nag finding: the secret prefix acknowledgement names <AWS::Region> and <AWS::AccountId>', () => {
    // Prepare
    const stack = new Stack(unbundledApp(), 'Agnostic');
    new FlowWorker(stack, 'Worker', { secretNamePrefix: 'acme/' });

    // Act
    const findings = nagFindings(stack);

    // Assess
    expect(findings).toEqual([]);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(':secret:acme/*');
  });
});
