/**
 * Named error classes. Every error the runtime raises on purpose is a {@link FlowWorkerError}
 * carrying a structured {@link ErrorContext}, so handlers can log and dead-letter it without
 * parsing messages. The class decides what happens to the SQS record (see {@link errorClassOf}).
 */

/** Where an error happened. Never holds payload values or secrets. */
export interface ErrorContext {
  readonly connector?: string;
  readonly flow?: string;
  readonly step?: string;
  readonly field?: string;
  readonly [key: string]: string | number | boolean | undefined;
}

export interface FlowWorkerErrorOptions {
  readonly cause?: unknown;
  readonly context?: ErrorContext;
}

/**
 * Base class of every error flow-worker raises on purpose.
 *
 * Every subclass names itself with a literal (`override name = 'PermanentError'`), never with
 * `new.target.name` or `constructor.name`: the deployed bundle is minified, which renames classes,
 * and logs, dead-letter reasons and `$$.steps.<id>.error.name` must still say the real name.
 */
export class FlowWorkerError extends Error {
  override name = 'FlowWorkerError';
  readonly context: ErrorContext;

  constructor(message: string, options: FlowWorkerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/**
 * Adds where-it-happened facts (connector, flow, step) to an error on its way up, keeping its class
 * and identity: a target's `RetryableError` stays that same `RetryableError`. Keys the error already
 * carries win. Values that are not a {@link FlowWorkerError} are returned unchanged.
 */
export function withErrorContext<E>(error: E, context: ErrorContext): E {
  if (error instanceof FlowWorkerError) {
    // `context` is readonly for consumers; the runtime enriches it once, before anyone reads it.
    (error as { context: ErrorContext }).context = { ...context, ...error.context };
  }
  return error;
}

/** The SQS body can never be processed: not JSON, or not a valid envelope. Dead-lettered as `poison`. */
export class PoisonMessageError extends FlowWorkerError {
  override name = 'PoisonMessageError';
}

/** One problem found in a connector config, with a path such as `flows[1].steps[2].id`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A connector config failed validation. Lists every problem found, not just the first. */
export class ConfigValidationError extends FlowWorkerError {
  override name = 'ConfigValidationError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: FlowWorkerErrorOptions = {}) {
    super(ConfigValidationError.format(problems), options);
    this.problems = problems;
  }

  static format(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${p.path === '' ? '(config)' : p.path}: ${p.message}`);
    const noun = problems.length === 1 ? 'problem' : 'problems';
    return `connector config is invalid (${problems.length} ${noun}):\n${lines.join('\n')}`;
  }
}

/** No published config exists for the envelope's connector. Permanent: dead-lettered. */
export class ConfigNotFoundError extends FlowWorkerError {
  override name = 'ConfigNotFoundError';
}

/** A publish offered a version that is not newer than the stored one. */
export class ConfigVersionConflictError extends FlowWorkerError {
  override name = 'ConfigVersionConflictError';
  readonly storedVersion: number | undefined;
  readonly offeredVersion: number;

  constructor(connectorId: string, offeredVersion: number, storedVersion: number | undefined) {
    super(
      `connector "${connectorId}": version ${offeredVersion} was not published because the stored version` +
        ` is ${storedVersion ?? 'unknown'}; publish a version greater than the stored one`,
      { context: { connector: connectorId } },
    );
    this.offeredVersion = offeredVersion;
    this.storedVersion = storedVersion;
  }
}

/**
 * A config over one of the limits every publish checks (size, flows, steps per flow, nesting).
 * The message names the connector, the measured value and the limit.
 */
export class ConfigTooLargeError extends FlowWorkerError {
  override name = 'ConfigTooLargeError';
  /** Which limit (`documentBytes`, `flows`, `stepsPerFlow`, `nestingDepth`). */
  readonly limit: string;
  readonly value: number;
  readonly max: number;

  constructor(
    connectorId: string,
    finding: { limit: string; path: string; value: number; max: number; message: string },
  ) {
    const where = finding.path === '' ? '' : ` at ${finding.path}`;
    super(`connector "${connectorId}" cannot be published: ${finding.message}${where}`, {
      context: { connector: connectorId, limit: finding.limit, value: finding.value, max: finding.max },
    });
    this.limit = finding.limit;
    this.value = finding.value;
    this.max = finding.max;
  }
}

/** `history`, `diff` or `rollback` named a version the table no longer (or never) held. */
export class ConfigVersionNotFoundError extends FlowWorkerError {
  override name = 'ConfigVersionNotFoundError';
  readonly version: number;
  readonly retained: readonly number[];

  constructor(connectorId: string, version: number, retained: readonly number[]) {
    super(
      `connector "${connectorId}" has no stored version ${version}` +
        ` (stored: ${retained.length === 0 ? 'none' : retained.join(', ')})`,
      { context: { connector: connectorId, version } },
    );
    this.version = version;
    this.retained = retained;
  }
}

export interface RetryableErrorOptions extends FlowWorkerErrorOptions {
  /** Seconds the remote side asked us to wait (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  readonly status?: number;
}

/** A transient failure (network, timeout, 429, 5xx, throttling): worth retrying. */
export class RetryableError extends FlowWorkerError {
  override name = 'RetryableError';
  readonly retryAfterSeconds: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
  }
}

/**
 * A stored config version could not be put together: chunk items missing, or bytes that do not
 * match the head item's digest (a writer flipped the head before its chunks were written, or a
 * version was pruned while being read). Retryable: the record is redelivered, and dead-lettered
 * after the queue's `maxReceiveCount` if the items stay broken.
 */
export class StoredConfigUnreadableError extends RetryableError {
  override name = 'StoredConfigUnreadableError';
}

export interface PermanentErrorOptions extends FlowWorkerErrorOptions {
  readonly status?: number;
  /** The remote side's id for the failed request (HubSpot's `correlationId`). */
  readonly correlationId?: string;
}

/** A failure that retrying cannot fix (4xx, a mapping that selects nothing required). Dead-lettered. */
export class PermanentError extends FlowWorkerError {
  override name = 'PermanentError';
  readonly status: number | undefined;
  readonly correlationId: string | undefined;

  constructor(message: string, options: PermanentErrorOptions = {}) {
    super(message, options);
    this.status = options.status;
    this.correlationId = options.correlationId;
  }
}

export interface ExpressionSyntaxErrorOptions extends FlowWorkerErrorOptions {
  /** 0-based index in the expression's text where parsing stopped. */
  readonly position?: number;
}

/**
 * An expression outside the grammar the worker accepts (RFC 9535 JSONPath without filters, rooted at
 * `$` or `$$`). Raised while a config is validated or compiled, never while a message runs.
 */
export class ExpressionSyntaxError extends FlowWorkerError {
  override name = 'ExpressionSyntaxError';
  readonly position: number | undefined;

  constructor(message: string, options: ExpressionSyntaxErrorOptions = {}) {
    super(message, options);
    this.position = options.position;
  }
}

/**
 * A filter selector, function extension or script construct (`[?…]`, `length(…)`, `(…)`, `@`):
 * refused by design and never evaluated. A subclass, so callers catching syntax errors catch it too.
 */
export class UnsafeExpressionError extends ExpressionSyntaxError {
  override name = 'UnsafeExpressionError';
}

/**
 * One evaluation of an expression went past the work it may do (see `MAX_EXPRESSION_NODES`): the
 * same message would fail the same way every time, so it is dead-lettered with this reason.
 */
export class ExpressionLimitError extends PermanentError {
  override name = 'ExpressionLimitError';
}

/**
 * A target URL the network guard refuses: not http/https, credentials in it, or an address (literal,
 * or what its host name resolved to) the deployment does not allow. Retrying cannot change that, so
 * the message is dead-lettered with this reason.
 */
export class AddressNotAllowedError extends PermanentError {
  override name = 'AddressNotAllowedError';
}

/**
 * A record failed retryably on its last receive (`MAX_RECEIVE_COUNT`): instead of leaving it to
 * SQS's redrive, which moves it without a reason, the handler dead-letters it as `exhausted`, with
 * the last error as the cause (its message, flow and step travel with the dead letter).
 */
export class ExhaustedError extends FlowWorkerError {
  override name = 'ExhaustedError';
}

/** A required environment variable is missing or invalid; raised at cold start. */
export class EnvironmentError extends FlowWorkerError {
  override name = 'EnvironmentError';
}

/**
 * What a failure means for the SQS record:
 * - `poison` and `permanent`: dead-letter now, it can never succeed;
 * - `retryable`: report the record failed so SQS redelivers it;
 * - `exhausted`: it was retryable, but this was its last receive: dead-letter it with its reason.
 *
 * Anything not raised on purpose (a bug, an SDK error we did not map) is treated as retryable:
 * redelivery and, after `maxReceiveCount`, the queue's redrive policy still keep the record.
 */
export type ErrorClass = 'poison' | 'permanent' | 'retryable' | 'exhausted';

export function errorClassOf(error: unknown): ErrorClass {
  if (error instanceof PoisonMessageError) return 'poison';
  if (error instanceof ExhaustedError) return 'exhausted';
  if (error instanceof PermanentError) return 'permanent';
  if (error instanceof ConfigNotFoundError) return 'permanent';
  if (error instanceof ConfigValidationError) return 'permanent';
  return 'retryable';
}

/** A short, log-safe description of any thrown value. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'NonError', message: String(error) };
}
