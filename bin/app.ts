#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FlowWorkerStack } from '../lib/flow-worker-stack.js';

// Wiring only. Every setting comes from context (-c key=value) or, failing that, the environment:
//   stage       FLOW_WORKER_STAGE        prefixes the stack name and every queue name ("dev" → dev-inbound-sync.fifo)
//   alarmEmail  FLOW_WORKER_ALARM_EMAIL  creates an SNS topic with this e-mail subscription for the alarms
const app = new App();
const setting = (key: string, envName: string): string | undefined =>
  (app.node.tryGetContext(key) as string | undefined) ?? process.env[envName] ?? undefined;

const stage = setting('stage', 'FLOW_WORKER_STAGE');
if (stage !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(stage)) {
  throw new Error(
    `stage "${stage}" must start with a letter and hold only letters, digits and "-" (at most 31)`,
  );
}

new FlowWorkerStack(app, stage ? `FlowWorker-${stage}` : 'FlowWorker', {
  description: `flow-worker${stage ? ` (${stage})` : ''}: SQS FIFO sync queues, config table and flow handlers`,
  // Unset outside a profile: the template stays environment-agnostic, so synth needs no credentials.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  flowWorker: {
    namePrefix: stage ? `${stage}-` : undefined,
    alarmEmail: setting('alarmEmail', 'FLOW_WORKER_ALARM_EMAIL'),
  },
});

// AwsSolutions findings fail synth; acknowledgements with reasons sit next to the resources.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
