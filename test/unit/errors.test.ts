import { describe, expect, it } from 'vitest';
import {
  ConfigNotFoundError,
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
      const args = exported === 'ConfigValidationError' ? [[]] : ['message'];
      return [exported, new ErrorClass(...args).name];
    });

    // Assess
    expect(errorClasses.length).toBeGreaterThanOrEqual(12);
    for (const [exported, name] of names) expect(name).toBe(exported);
  });
});
