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
