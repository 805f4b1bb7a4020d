/**
 * @flow-worker/runtime — the shared matcher and step runner used by both flow-worker Lambdas,
 * the local CLI and the tests. This file is the package's public surface: re-exports only, one
 * group per folder. Dependencies point one way: lambda → engine / store → targets / document → errors.
 */
export * from './errors.js';

// document/: what a connector config and a message envelope are.
export * from './document/envelope.js';
export * from './document/config.js';
export * from './document/capabilities.js';
export { validateConfig, formatProblemPath, type ValidationOptions } from './document/validate.js';
export {
  compileExpression,
  evaluateExpression,
  isExpression,
  selectsNothing,
  type CompiledExpression,
  type ExpressionRoot,
  type ExpressionScope,
} from './document/expressions.js';
export {
  compileJsonPath,
  compileSingular,
  evaluateJsonPath,
  formatJsonPath,
  isSingularQuery,
  MAX_EXPRESSION_NODES,
  parseJsonPath,
  type CompiledJsonPath,
  type EvaluationLimits,
  type JsonPathAst,
  type JsonPathRoot,
  type JsonPathSegment,
  type JsonPathSelector,
} from './document/jsonpath.js';
export { compileValue, expressionsIn, type ValueResolver } from './document/values.js';
export { compileCondition, type ConditionPredicate } from './document/conditions.js';
export {
  isPlainObject,
  isRawNumber,
  jsonDepthExceeds,
  jsonEquals,
  MAX_JSON_DEPTH,
  parseJsonExact,
  setOwn,
} from './document/json.js';
export { MAX_NAME_LENGTH } from './document/names.js';
export {
  addressRefusal,
  classifyAddress,
  TARGET_ADDRESS_RANGES,
  targetUrlProblems,
  type AddressClass,
  type AddressKind,
  type TargetAddressRange,
} from './document/target-address.js';
export * from './document/manifest.js';
export * from './document/diff.js';
export * from './document/limits.js';

// engine/: what a run is — compile once per config version, match, run steps, report.
export type * from './engine/report.js';
export { buildFlowIndex, type FlowIndex, type MatchableFlow } from './engine/matcher.js';
export {
  compileConfig,
  type CompiledConfig,
  type CompiledFlow,
  type CompiledStep,
  type CompileOptions,
} from './engine/compile.js';
export { emitDeduplicationId, idempotencyKeyOf, type RetryPolicy } from './engine/steps.js';
export { runFlows, type RunDependencies, type RunOutcome } from './engine/runner.js';
export {
  checkpointAdvanced,
  checkpointOf,
  isRunCheckpoint,
  type CompletedStep,
  type FlowCheckpoint,
  type RunCheckpoint,
} from './engine/checkpoint.js';

// targets/: where records go — one file per target kind, the secrets they read, the emitter.
export type * from './targets/target.js';
export { createTargetFactory, type TargetFactoryOptions } from './targets/factory.js';
export {
  createSecretsManagerProvider,
  DEFAULT_SECRET_TTL_MS,
  type SecretProvider,
  type SecretsManagerProviderOptions,
} from './targets/secrets.js';
export { createSqsEmitter, QUEUE_URL_ENV, type SqsEmitterOptions } from './targets/sqs-emitter.js';
export {
  HUBSPOT_STANDARD_OBJECTS,
  hubspotStandardObject,
  isHubSpotEntity,
  type HubSpotStandardObject,
} from './document/hubspot-objects.js';
export { createHubSpotTarget, type HubSpotTargetOptions } from './targets/hubspot/target.js';
export {
  HUBSPOT_DEFAULT_BASE_URL,
  hubspotAssociationObjectType,
  hubspotObjectType,
  toHubSpotProperties,
} from './targets/hubspot/objects.js';
export { HUBSPOT_DEFAULT_RATE_LIMIT } from './targets/hubspot/rate-limit.js';
export { HUBSPOT_MAX_BATCH_INPUTS } from './targets/hubspot/object-batches.js';
export {
  matchBatchAnswer,
  type BatchInputRef,
  type BatchItemOutcome,
} from './targets/hubspot/batch-answer.js';
export { RateLimiter, type RateLimit, type RateLimiterOptions } from './targets/rate-limiter.js';
export { Coalescer, type CoalescedEntry, type CoalescerOptions } from './targets/coalescer.js';
export { createHttpTarget, IDEMPOTENCY_KEY_HEADER } from './targets/http.js';
export { encodePathSegment, joinUrl } from './targets/url-path.js';
export {
  createGuardedTransport,
  type AddressLookup,
  type FetchLike,
  type FetchLikeInit,
  type GuardedTransportOptions,
  type ResolvedAddress,
} from './targets/guarded-transport.js';
export {
  createHttpClient,
  parseRetryAfter,
  USER_AGENT,
  type HttpExchange,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
} from './targets/http-client.js';
export {
  createRecordingTargets,
  RecordingEmitter,
  type RecordedCall,
  type RecordedEmit,
  type RecordingTargets,
} from './targets/recording.js';

// store/: how configs are kept in DynamoDB — the table layout, publish, versions, manifests.
export {
  STORAGE,
  chunkKeys,
  headKey,
  parseHead,
  parseVersions,
  versionsKey,
  type BlobPointer,
  type ChunkItem,
  type HeadItem,
  type ManifestItem,
  type SingleItemHead,
  type StoredHead,
  type VersionEntry,
  type VersionsItem,
} from './store/layout.js';
export { encodeDocument, encodeJson, decodeDocument, type EncodedDocument } from './store/codec.js';
export {
  readConfigItem,
  readConnectorState,
  readHead,
  readHeadDocument,
  type ConfigItem,
  type ConfigTable,
  type ConnectorState,
} from './store/read.js';
export {
  publishConfig,
  validateForPublish,
  type PublishOptions,
  type PublishResult,
} from './store/publish.js';
export {
  configHistory,
  diffVersions,
  flowChanges,
  readVersion,
  rollbackConfig,
  storedVersions,
  type HistoryEntry,
  type RollbackResult,
  type StoredVersion,
} from './store/versions.js';
export {
  createConfigTable,
  createManifestsTable,
  readManifest,
  type StoredManifest,
} from './store/tables.js';

// lambda/: how an SQS batch is handled — FIFO semantics, config store, retries, dead letters, logs.
export { createFlowWorkerHandler, type FlowWorkerHandlerOptions } from './lambda/bootstrap.js';
export {
  createSqsHandler,
  type SqsHandler,
  type SqsHandlerDeps,
  type SqsBatchResponse,
} from './lambda/sqs-handler.js';
export {
  processFifoBatch,
  toSettledResults,
  messageGroupIdOf,
  GroupBlockedError,
  DEFAULT_MAX_CONCURRENT_GROUPS,
  type BatchOptions,
  type BatchRecord,
  type RecordOutcome,
} from './lambda/batch.js';
export {
  processRecord,
  messageMetaOf,
  exhaustedOnLastReceive,
  type InvocationScope,
  type RecordProcessorDeps,
} from './lambda/record-processor.js';
export {
  backoffCapSeconds,
  backoffDelaySeconds,
  longestWaitSeconds,
  receivesToOutlast,
  shortestSpanSeconds,
  type BackoffSchedule,
} from './lambda/backoff.js';
export { DEADLINE_MARGIN, deadlineMarginMs, deadlineSignal } from './lambda/deadline.js';
export {
  createDynamoRunStateStore,
  createRunStateTable,
  runIdOf,
  RUN_STATE_ATTRIBUTES,
  RUN_STATE_TTL_SECONDS,
  type DynamoRunStateStoreOptions,
  type RunAbout,
  type RunStateStore,
} from './lambda/run-state.js';
export { mayHaveCheckpoint, REDRIVEN_FROM_ATTRIBUTE } from './lambda/checkpoints.js';
export {
  backoffPlan,
  createSqsVisibilityChanger,
  type SqsVisibilityOptions,
  type VisibilityChange,
  type VisibilityChanger,
  type VisibilityFailure,
} from './lambda/visibility.js';
export {
  createRetryPolicy,
  backoffDelayMs,
  sleep,
  RETRY_DEFAULTS,
  type RetryOptions,
} from './lambda/retry.js';
export {
  createConfigStore,
  NOT_FOUND_TTL_MS,
  type ConfigSource,
  type ConfigStoreOptions,
  type LazyTargetFactory,
} from './lambda/config-store.js';
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
} from './lambda/dead-letter.js';
export {
  METRICS,
  stepErrorMetric,
  createObservability,
  createPowertoolsLogger,
  type LineLevel,
  type LogSink,
  type MetricSink,
  type ObservabilityOptions,
} from './lambda/observability.js';
export { createEmfMetrics, type EmfMetricsOptions } from './lambda/emf.js';
export {
  createLineLogger,
  streamWriter,
  traceIdOf,
  type LineLogger,
  type LineLoggerOptions,
  type WritableOutput,
} from './lambda/line-logger.js';
export {
  RUN_REPORT_MESSAGE,
  recordLogLine,
  recordLogLineJson,
  recordLogLineMembers,
  loggedFlows,
  summarizeFlows,
  type RecordLogLine,
  type RunReportLogLine,
  type LoggedFlow,
  type LoggedStep,
  type LoggedOutcome,
  type SettledRecord,
} from './lambda/record-log.js';
export {
  readEnvironment,
  ENVIRONMENT_DEFAULTS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  LOG_LEVELS,
  type FlowWorkerEnvironment,
  type LogLevel,
} from './lambda/environment.js';
