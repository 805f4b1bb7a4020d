/**
 * @flow-worker/runtime — the shared matcher and step runner used by both flow-worker Lambdas,
 * the local CLI and the tests. This file is the package's public surface: re-exports only.
 */
export * from './errors.js';
export * from './envelope.js';
export * from './config.js';
export type * from './report.js';
export type * from './targets/target.js';
export * from './manifest.js';
export * from './diff.js';
export { createTargetFactory, type TargetFactoryOptions } from './targets/factory.js';
export {
  createSecretsManagerProvider,
  DEFAULT_SECRET_TTL_MS,
  type SecretProvider,
  type SecretsManagerProviderOptions,
} from './targets/secrets.js';
export { createSqsEmitter, QUEUE_URL_ENV, type SqsEmitterOptions } from './targets/sqs-emitter.js';
export { createHubSpotTarget, HUBSPOT_OBJECT_TYPES, hubspotObjectType } from './targets/hubspot.js';
export { createHttpTarget } from './targets/http.js';
export { USER_AGENT } from './targets/http-client.js';
export { validateConfig, formatProblemPath } from './validate.js';
export {
  assertSafeExpression,
  compileExpression,
  evaluateExpression,
  ExpressionSyntaxError,
  isExpression,
  selectsNothing,
  UnsafeExpressionError,
  type CompiledExpression,
  type ExpressionRoot,
  type ExpressionScope,
  type PathSegment,
} from './expressions.js';
export { compileValue, expressionsIn, type ValueResolver } from './values.js';
export { compileCondition, jsonEquals, type ConditionPredicate } from './conditions.js';
export { buildFlowIndex, type FlowIndex, type MatchableFlow } from './matcher.js';
export {
  compileConfig,
  type CompiledConfig,
  type CompiledFlow,
  type CompiledStep,
  type CompileOptions,
} from './compile.js';
export { emitDeduplicationId } from './steps.js';
export { runFlows, type RetryPolicy, type RunDependencies, type RunOutcome } from './runner.js';
export {
  createRecordingTargets,
  RecordingEmitter,
  type RecordedCall,
  type RecordedEmit,
  type RecordingTargets,
} from './targets/recording.js';
export {
  processFifoBatch,
  toSettledResults,
  messageGroupIdOf,
  GroupBlockedError,
  DEFAULT_MAX_CONCURRENT_GROUPS,
  type BatchOptions,
  type BatchRecord,
  type RecordOutcome,
} from './batch.js';
export { createRetryPolicy, backoffDelayMs, sleep, RETRY_DEFAULTS, type RetryOptions } from './retry.js';
export {
  createConfigStore,
  NOT_FOUND_TTL_MS,
  publishConfig,
  readConfigItem,
  createConfigTable,
  type ConfigItem,
  type ConfigSource,
  type ConfigStoreOptions,
  type ConfigTable,
  type PublishOptions,
  type PublishResult,
} from './config-store.js';
export {
  createSqsDeadLetterQueue,
  deadLetterMessage,
  deadLetterOrFail,
  sourceQueueOf,
  DeadLetterError,
  DEAD_LETTER_ATTRIBUTES,
  MAX_ERROR_MESSAGE_LENGTH,
  type DeadLetterQueue,
  type DeadLetterReason,
  type FailureLocation,
  type SqsDeadLetterQueueOptions,
} from './dead-letter.js';
export {
  processRecord,
  messageMetaOf,
  type InvocationScope,
  type RecordProcessorDeps,
} from './record-processor.js';
export {
  METRICS,
  stepErrorMetric,
  aggregateMetrics,
  createPowertools,
  type LogSink,
  type MetricSink,
  RUN_REPORT_MESSAGE,
  type RecordLogLine,
  type RunReportLogLine,
  type LoggedFlow,
  type LoggedStep,
  type LoggedOutcome,
  type PowertoolsOptions,
} from './observability.js';
export {
  createSqsHandler,
  type SqsHandler,
  type SqsHandlerDeps,
  type SqsBatchResponse,
} from './sqs-handler.js';
export {
  readEnvironment,
  ENVIRONMENT_DEFAULTS,
  LOG_LEVELS,
  type FlowWorkerEnvironment,
  type LogLevel,
} from './environment.js';
export { createFlowWorkerHandler, type FlowWorkerHandlerOptions } from './bootstrap.js';
