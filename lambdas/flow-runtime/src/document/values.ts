import { compileExpression, isExpression, selectsNothing, type ExpressionScope } from './expressions.js';
import { isPlainObject, setOwn } from './json.js';

/**
 * Config values that may hold expressions (`data`, `id`, `group_id`), compiled once per config
 * version into resolver functions.
 *
 * - a string that is an expression is evaluated (`undefined` when it selects nothing);
 * - an object is a field mapping: each value is resolved the same way, recursively, and a field
 *   whose expression selects nothing is left out;
 * - in an array, an element whose expression selects nothing becomes `null` (positions are kept);
 * - anything else is a literal and passes through unchanged.
 */
export type ValueResolver = (scope: ExpressionScope) => unknown;

export function compileValue(spec: unknown): ValueResolver {
  if (isExpression(spec)) {
    const expression = compileExpression(spec);
    return (scope) => {
      const value = expression.evaluate(scope);
      return selectsNothing(expression, value) ? undefined : value;
    };
  }
  if (Array.isArray(spec)) {
    const items = spec.map(compileValue);
    return (scope) => items.map((item) => item(scope) ?? null);
  }
  if (isPlainObject(spec)) {
    const fields = Object.entries(spec).map(([key, value]) => [key, compileValue(value)] as const);
    return (scope) => {
      const out: Record<string, unknown> = {};
      for (const [key, resolve] of fields) {
        const value = resolve(scope);
        if (value !== undefined) setOwn(out, key, value);
      }
      return out;
    };
  }
  return () => spec;
}

/** Every expression string inside a value spec, with its path relative to the spec (`.a.b`, `[0]`). */
export function expressionsIn(spec: unknown, path = ''): { path: string; expression: string }[] {
  if (typeof spec === 'string') return isExpression(spec) ? [{ path, expression: spec }] : [];
  if (Array.isArray(spec)) return spec.flatMap((item, index) => expressionsIn(item, `${path}[${index}]`));
  if (isPlainObject(spec)) {
    return Object.entries(spec).flatMap(([key, value]) =>
      expressionsIn(value, `${path}${propertyPath(key)}`),
    );
  }
  return [];
}

/** `.name` for identifier-like keys, `["odd key"]` otherwise: how a key appears in a problem path. */
export function propertyPath(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** `['flows', 1, 'steps', 2, 'id']` → `flows[1].steps[2].id`. */
export function formatProblemPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = propertyPath(String(key));
      return index === 0 && text.startsWith('.') ? text.slice(1) : text;
    })
    .join('');
}
