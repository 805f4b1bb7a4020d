import { describe, expect, it } from 'vitest';
import {
  ConfigNotFoundError,
  ConfigTooLargeError,
  ConfigVersionNotFoundError,
  StoredConfigUnreadableError,
  ConfigValidationError,
  describeError,
  errorClassOf,
  FlowWorkerError,
  PermanentError,
  PoisonMessageError,
  RetryableError,
  withErrorContext,
} from '@flow-worker/runtime';

describe('errors', () => {
  it('classifies what happens to the record', () => {
    expect(errorClassOf(new PoisonMessageError('x'))).toBe('poison');
    expect(errorClassOf(new PermanentError('x'))).toBe('permanent');
    expect(errorClassOf(new ConfigNotFoundError('x'))).toBe('permanent');
    expect(errorClassOf(new ConfigValidationError([]))).toBe('permanent');
    expect(errorClassOf(new RetryableError('x'))).toBe('retryable');
    expect(errorClassOf(new TypeError('bug'))).toBe('retryable');
  });

  it('names errors after their class and keeps cause and context', () => {
    const cause = new Error('socket hang up');
    const error = new RetryableError('HubSpot unreachable', { cause, context: { flow: 'f' }, status: 503 });
    expect(error.name).toBe('RetryableError');
    expect(error.cause).toBe(cause);
    expect(error.context).toEqual({ flow: 'f' });
    expect(error).toBeInstanceOf(FlowWorkerError);
  });

  it('lists every config problem in one message', () => {
    const error = new ConfigValidationError([
      { path: 'flows[0].name', message: 'a' },
      { path: '', message: 'b' },
    ]);
    expect(error.message).toBe(
      'connector config is invalid (2 problems):\n  - flows[0].name: a\n  - (config): b',
    );
  });

  it('withErrorContext adds context without replacing what the error already says', () => {
    const error = new PermanentError('x', { context: { step: 'inner' } });
    const same = withErrorContext(error, { connector: 'acme', flow: 'f', step: 'outer' });
    expect(same).toBe(error);
    expect(error.context).toEqual({ connector: 'acme', flow: 'f', step: 'inner' });
    const plain = new Error('plain');
    expect(withErrorContext(plain, { flow: 'f' })).toBe(plain);
  });

  it('describes non-errors safely', () => {
    expect(describeError('boom')).toEqual({ name: 'NonError', message: 'boom' });
  });
});

/** Arguments for the error classes whose constructor takes more than a message. */
const CONSTRUCTOR_ARGS: Record<string, unknown[]> = {
  ConfigValidationError: [[]],
  ConfigTooLargeError: ['acme', { limit: 'flows', path: 'flows', value: 2, max: 1, message: 'too many' }],
  ConfigVersionNotFoundError: ['acme', 4, [3, 2]],
};

describe('error names', () => {
  it('every error class the runtime exports names itself with a literal, so minified bundles keep it', async () => {
    // Prepare
    const runtime = (await import('@flow-worker/runtime')) as Record<string, unknown>;
    const errorClasses = Object.entries(runtime).filter(
      (entry): entry is [string, new (...args: unknown[]) => Error] =>
        typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error,
    );

    // Act
    const names = errorClasses.map(([exported, ErrorClass]) => {
      const args = CONSTRUCTOR_ARGS[exported] ?? ['message'];
      return [exported, new ErrorClass(...args).name];
    });

    // Assess
    expect(errorClasses.length).toBeGreaterThanOrEqual(12);
    for (const [exported, name] of names) expect(name).toBe(exported);
  });
});

describe('errors of stored configs', () => {
  it('names the connector, the measured value and the limit when a config is too large', () => {
    const error = new ConfigTooLargeError('acme', {
      limit: 'documentBytes',
      path: '',
      value: 70_000_000,
      max: 67_108_864,
      message: 'the config as JSON is 66.8 MB, over the limit of 64.0 MB (documentBytes)',
    });

    expect(error.message).toBe(
      'connector "acme" cannot be published: the config as JSON is 66.8 MB, over the limit of 64.0 MB (documentBytes)',
    );
    expect(error.context).toEqual({
      connector: 'acme',
      limit: 'documentBytes',
      value: 70_000_000,
      max: 67_108_864,
    });
  });

  it('lists the stored versions when one that is not stored is asked for', () => {
    expect(new ConfigVersionNotFoundError('acme', 4, [7, 6]).message).toBe(
      'connector "acme" has no stored version 4 (stored: 7, 6)',
    );
  });

  it('treats an unreadable stored config as retryable, so SQS redelivers before dead-lettering', () => {
    expect(errorClassOf(new StoredConfigUnreadableError('chunks missing'))).toBe('retryable');
  });
});
