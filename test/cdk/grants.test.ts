import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowWorker } from '../../lib/flow-worker.js';
import { logicalId, nagFindings, unbundledApp } from './support/synth.js';

/** The grants the construct offers other roles: producers read manifests, publishers publish. */
describe('FlowWorker grants', () => {
  let stack: Stack;
  let template: Template;
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const statementsOf = (role: string) => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', role) }] },
    });
    return Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
          .PolicyDocument.Statement,
    );
  };

  beforeAll(() => {
    stack = new Stack(unbundledApp(), 'Grants', { env: { account: '123456789012', region: 'eu-west-1' } });
    const worker = new FlowWorker(stack, 'Worker');
    const principal = new ServicePrincipal('lambda.amazonaws.com');
    worker.grantReadManifests(new Role(stack, 'Producer', { assumedBy: principal }));
    worker.grantPublish(new Role(stack, 'Publisher', { assumedBy: principal }));
    template = Template.fromStack(stack);
  });

  it("grantReadManifests lets a producer read the manifests table's items, and nothing of the config table", () => {
    const statements = statementsOf('Producer');
    const manifests = logicalId(template, 'AWS::DynamoDB::Table', 'ManifestsTable');

    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Resource: arnOf(manifests) });
    expect(statements[0]?.Action).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']) as unknown,
    );
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:(Put|Delete|Update|BatchWrite)/);
  });

  it('grantPublish lets a publisher read and write config items and write manifest items, no more', () => {
    const config = logicalId(template, 'AWS::DynamoDB::Table', 'ConfigTable');
    const manifests = logicalId(template, 'AWS::DynamoDB::Table', 'ManifestsTable');

    // Actions sorted by @aws-cdk/aws-iam:minimizePolicies (cdk.json).
    expect(statementsOf('Publisher')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: arnOf(config),
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Resource: arnOf(manifests),
      },
    ]);
  });

  it('keeps cdk-nag clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
