import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { FlowWorkerProps } from '../../../lib/flow-worker.js';
import { FlowWorkerStack } from '../../../lib/flow-worker-stack.js';

/** The `context` of cdk.json: the feature flags `cdk synth` applies, so the tests see the same template. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * An app with cdk.json's feature flags whose stacks are not bundled: `aws:cdk:bundling-stacks: []` tells CDK that no stack needs
 * its assets bundled, so the handlers' local esbuild bundling is skipped (~0.3 s instead of ~3 s a
 * stack) and the Code points at a placeholder asset. Assertions on the template do not need the bundle; bundling.test.ts
 * is the one test that really runs esbuild.
 */
export function unbundledApp(): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
}

/** A FlowWorkerStack in a fixed environment, so ARNs and URLs in the template do not vary. */
export function buildStack(props: FlowWorkerProps = {}, app: App = unbundledApp()): FlowWorkerStack {
  return new FlowWorkerStack(app, 'FlowWorker', {
    env: { account: '123456789012', region: 'eu-west-1' },
    // CDK metadata lists library versions; it would churn the snapshot on every upgrade.
    analyticsReporting: false,
    flowWorker: props,
  });
}

export function synthTemplate(props: FlowWorkerProps = {}): { stack: FlowWorkerStack; template: Template } {
  const stack = buildStack(props);
  return { stack, template: Template.fromStack(stack) };
}

/** Logical id of the only resource of `type` whose id contains `fragment`. */
export function logicalId(template: Template, type: string, fragment: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(fragment));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} matching "${fragment}", found ${ids.join(', ')}`);
  return ids[0]!;
}

/** Unacknowledged cdk-nag AwsSolutions findings as "rule: construct paths", readable in a failure diff. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map(
    (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

/**
 * Asset hashes (64 hex characters, in S3 keys and any asset path) depend on the machine and the
 * bundle, so the snapshot masks them; everything else in the template is compared as is.
 */
export function maskAssetHashes(template: unknown): unknown {
  const json = JSON.stringify(template)
    .replace(/[a-f0-9]{64}/g, '<asset-hash>')
    .replace(/asset\.<asset-hash>[^"]*/g, 'asset.<asset-hash>');
  return JSON.parse(json) as unknown;
}

/** `Properties` of every resource of `type`, by logical id, typed as the caller expects to read them. */
export function propsOf<T = Record<string, unknown>>(template: Template, type: string): Record<string, T> {
  const found = template.findResources(type) as Record<string, { Properties: T }>;
  return Object.fromEntries(Object.entries(found).map(([id, resource]) => [id, resource.Properties]));
}

/** The parts of AWS::Lambda::Function the tests read. */
export interface FunctionProps {
  readonly Environment: { readonly Variables: Record<string, unknown> };
  readonly LoggingConfig: { readonly LogGroup: { readonly Ref: string } };
  readonly Role: { readonly 'Fn::GetAtt': [string, string] };
  readonly [key: string]: unknown;
}

/** The parts of AWS::IAM::Policy the tests read. */
export interface PolicyProps {
  readonly Roles: { readonly Ref: string }[];
  readonly PolicyDocument: {
    readonly Statement: { readonly Action: string | string[]; [key: string]: unknown }[];
  };
}
