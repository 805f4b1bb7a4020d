import { fileURLToPath } from 'node:url';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AssetHashType, DockerImage, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  RecursiveLoop,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TargetAddressRange } from '@flow-worker/runtime';
import {
  FLOW_WORKER_CONSTANTS,
  hubspotRequestsPerContainer,
  type ResolvedFlowWorkerProps,
} from './flow-worker-props.js';
import { bundleHandler, HANDLER_ENTRY_FILE } from './handler-bundle.js';
import type { SyncQueue } from './sync-queue.js';

/**
 * This container's share of each HubSpot app's budget (docs/deploy.md). With a budget or
 * `maxConcurrency` known only at deploy time (a token) it cannot be computed at synth: the
 * handlers then use their default.
 */
function hubspotShareVariable(s: ResolvedFlowWorkerProps): Record<string, string> {
  if (Token.isUnresolved(s.maxConcurrency) || Token.isUnresolved(s.hubspotRequestsPer10Seconds)) return {};
  return { HUBSPOT_REQUESTS_PER_10_SECONDS: String(hubspotRequestsPerContainer(s)) };
}

/**
 * A handler's code: bundled locally by esbuild (`handler-bundle.ts`) when the stack is synthesized,
 * hashed by its output, so an unchanged bundle is not uploaded again. The Docker image is never
 * used: local bundling always succeeds or throws.
 */
function handlerCode(handlerName: string, sourceMaps: boolean): Code {
  const handlerDir = fileURLToPath(new URL(`../lambdas/${handlerName}`, import.meta.url));
  return Code.fromAsset(handlerDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('flow-worker-bundles-locally'),
      local: {
        tryBundle(outputDir) {
          bundleHandler(`${handlerDir}/handler.ts`, outputDir, sourceMaps ? {} : { sourcemap: false });
          return true;
        },
      },
    },
  });
}

export interface SyncFunctionProps {
  /** `inbound-sync` or `outbound-sync`: the handler folder under `lambdas/`. */
  readonly handlerName: string;
  /** The queue this function consumes; its DLQ is where permanent failures go. */
  readonly source: SyncQueue;
  /** The queues the `emit` step may send to. */
  readonly emitQueues: { readonly inbound: IQueue; readonly outbound: IQueue };
  readonly table: ITable;
  /** Step checkpoints: read on a redelivery, written when a record ends unfinished, deleted when it finishes. */
  readonly runStateTable: ITable;
  readonly settings: ResolvedFlowWorkerProps;
}

/**
 * One handler with its own role, log group and SQS event source. The role is written out statement
 * by statement instead of using AWSLambdaBasicExecutionRole, so it can write only its own log group.
 */
export class SyncFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SyncFunctionProps) {
    super(scope, id);
    const s = props.settings;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: s.logRetention,
      // Logs expire anyway; only the config table outlives a teardown.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `flow-worker ${props.handlerName} handler`,
    });

    this.function = new LambdaFunction(this, 'Function', {
      code: handlerCode(props.handlerName, s.sourceMaps),
      handler: `${HANDLER_ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: s.memorySize,
      timeout: s.functionTimeout,
      reservedConcurrentExecutions: s.reservedConcurrency,
      tracing: s.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      role: this.role,
      logGroup: this.logGroup,
      // Flows may emit onto either queue; a config whose emits loop between the queues is stopped by
      // Lambda after ~16 hops instead of running (and billing) forever.
      recursiveLoop: RecursiveLoop.TERMINATE,
      description: `flow-worker: runs connector flows for messages of ${props.source.queueName}`,
      environment: {
        CONFIG_TABLE_NAME: props.table.tableName,
        RUN_STATE_TABLE_NAME: props.runStateTable.tableName,
        DLQ_URL: props.source.deadLetterQueue.queueUrl,
        INBOUND_QUEUE_URL: props.emitQueues.inbound.queueUrl,
        OUTBOUND_QUEUE_URL: props.emitQueues.outbound.queueUrl,
        CONFIG_CACHE_TTL_SECONDS: String(s.configCacheTtl.toSeconds()),
        // The queue's own maxReceiveCount: the handler dead-letters on that receive, with a reason.
        MAX_RECEIVE_COUNT: String(s.maxReceiveCount),
        RETRY_BACKOFF_BASE_SECONDS: String(s.retryBackoffBase.toSeconds()),
        RETRY_BACKOFF_MAX_SECONDS: String(s.retryBackoffMax.toSeconds()),
        LOG_LEVEL: s.logLevel,
        POWERTOOLS_SERVICE_NAME: s.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: s.metricsNamespace,
        SECRET_NAME_PREFIX: s.secretNamePrefix,
        ...hubspotShareVariable(s),
        // Targets reach public addresses only, unless the deployment opens private ranges.
        ...(s.allowPrivateTargetAddresses
          ? { ALLOW_TARGET_ADDRESSES: 'private' satisfies TargetAddressRange }
          : {}),
        ...(s.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });

    this.grantLeastPrivilege(props);
    this.function.addEventSource(
      new SqsEventSource(props.source.queue, {
        batchSize: FLOW_WORKER_CONSTANTS.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: s.maxConcurrency,
      }),
    );
    this.acknowledgeNagFindings(s);
  }

  /**
   * Consuming the source queue (receive, delete, and `sqs:ChangeMessageVisibility` for the backoff
   * between receives) is granted by the event source (`grantConsumeMessages`), on that queue only.
   */
  private grantLeastPrivilege(props: SyncFunctionProps): void {
    const { role } = this;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadConnectorConfig',
        // The head item, then a new version's chunk items (docs/deploy.md, the config table layout).
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
        resources: [props.table.tableArn],
      }),
    );
    // A table passed in may be encrypted with a customer-managed key; reading it needs Decrypt.
    props.table.encryptionKey?.grantDecrypt(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'StepCheckpoints',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [props.runStateTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DeadLetterAndEmit',
        actions: ['sqs:SendMessage'],
        resources: [
          props.source.deadLetterQueue.queueArn,
          props.emitQueues.inbound.queueArn,
          props.emitQueues.outbound.queueArn,
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTargetSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secretArnPattern(props.settings.secretNamePrefix)],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The group's Arn attribute ends in ":*", which covers its log streams.
        resources: [this.logGroup.logGroupArn],
      }),
    );
  }

  /** The ARN of every secret whose name starts with `prefix` (Secrets Manager adds a suffix to names). */
  private secretArnPattern(prefix: string, render: (value: string) => string = (value) => value): string {
    const stack = Stack.of(this);
    return `arn:${render(stack.partition)}:secretsmanager:${render(stack.region)}:${render(stack.account)}:secret:${prefix}*`;
  }

  /**
   * The same ARN as cdk-nag names it in a finding id: a pseudo parameter the template leaves to
   * CloudFormation (`{ Ref: 'AWS::Region' }`) is written `<AWS::Region>`.
   */
  private secretArnAsNagResource(prefix: string): string {
    const stack = Stack.of(this);
    return this.secretArnPattern(prefix, (value) => {
      if (!Token.isUnresolved(value)) return value;
      const resolved = stack.resolve(value) as { Ref?: unknown };
      return typeof resolved.Ref === 'string' ? `<${resolved.Ref}>` : value;
    });
  }

  private acknowledgeNagFindings(s: ResolvedFlowWorkerProps): void {
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${this.secretArnAsNagResource(s.secretNamePrefix)}]`,
      reason:
        `Secrets Manager appends a random 6-character suffix to every secret ARN and connectors name their secrets ` +
        `in configs published after deployment, so GetSecretValue is scoped to the name prefix "${s.secretNamePrefix}" ` +
        `instead of fixed ARNs.`,
    });
    if (s.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE) support no resource-level ' +
          'permissions; AWS requires Resource "*" for them.',
      });
    }
  }
}
