import { isRawNumber } from '../document/json.js';
import { PermanentError, type ErrorContext } from '../errors.js';
import type { ExpressionScope } from '../document/expressions.js';
import type { ValueResolver } from '../document/values.js';

/**
 * A record id as text: a string as is, a number as JSON writes it, and a number too long for a
 * double (kept as text by the envelope parser) digit for digit, so `9007199254740993` stays itself.
 */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return isRawNumber(value) ? value.rawJSON : undefined;
}

/** Resolves `record_id` (or an association end's) to an id, or fails the step permanently. */
export function resolveId(
  id: ValueResolver,
  scope: ExpressionScope,
  where: string,
  context: ErrorContext,
  field = 'record_id',
): string {
  const value = id(scope);
  const text = idText(value);
  if (text === undefined) {
    throw new PermanentError(
      `${where}: ${field} selected ${describeValue(value)}; a non-empty string or number is required`,
      {
        context: { ...context, field },
      },
    );
  }
  return text;
}

/** What a value is, for error messages (never the value itself: it may be personal data). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isRawNumber(value)) return 'a number';
  if (value === '') return 'an empty string';
  return `a ${typeof value}`;
}

/** A step names a target the config does not define (the validator prevents it; a hand-built config may not). */
export function missingTarget(where: string, target: string, context: ErrorContext): PermanentError {
  return new PermanentError(`${where}: target "${target}" is not defined in this config`, {
    context: { ...context, field: 'target' },
  });
}
