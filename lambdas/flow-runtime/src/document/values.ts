import {
  compileExpression,
  isExpression,
  selectedBy,
  type CompiledExpression,
  type ExpressionScope,
} from './expressions.js';
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

/**
 * A compiled value as plain data. One function ({@link resolvePlan}) walks every plan: a config's
 * flows all share the same code, which the engine keeps fast however many flows there are (with a
 * closure per field, a config of 100 flows resolved its fields at half the speed of a config of
 * one; docs/performance.md, per record). Every plan has the same keys.
 */
interface ValuePlan {
  readonly kind: PlanKind;
  /** `literal`: the value itself. */
  readonly value: unknown;
  /** `expression`: the compiled expression. */
  readonly expression: CompiledExpression | undefined;
  /** `object`: the keys, in order, of {@link items}. */
  readonly keys: readonly string[];
  /** `object`: each key's value; `array`: each element. */
  readonly items: readonly ValuePlan[];
}

/** What a plan is; small integers, so `resolvePlan` dispatches on one comparison. */
const PlanKind = { literal: 0, expression: 1, object: 2, array: 3 } as const;
type PlanKind = (typeof PlanKind)[keyof typeof PlanKind];

const NO_KEYS: readonly string[] = [];
const NO_ITEMS: readonly ValuePlan[] = [];

function plan(kind: PlanKind, fields: Partial<Omit<ValuePlan, 'kind'>>): ValuePlan {
  return {
    kind,
    value: fields.value,
    expression: fields.expression,
    keys: fields.keys ?? NO_KEYS,
    items: fields.items ?? NO_ITEMS,
  };
}

function planOf(spec: unknown): ValuePlan {
  if (isExpression(spec)) return plan(PlanKind.expression, { expression: compileExpression(spec) });
  if (Array.isArray(spec)) return plan(PlanKind.array, { items: spec.map(planOf) });
  if (isPlainObject(spec)) {
    const entries = Object.entries(spec);
    return plan(PlanKind.object, {
      keys: entries.map(([key]) => key),
      items: entries.map(([, value]) => planOf(value)),
    });
  }
  return plan(PlanKind.literal, { value: spec });
}

function resolvePlan(value: ValuePlan, scope: ExpressionScope): unknown {
  switch (value.kind) {
    case PlanKind.expression:
      return selectedBy(value.expression!, scope);
    case PlanKind.object: {
      const { keys, items } = value;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i += 1) {
        const field = resolvePlan(items[i]!, scope);
        if (field !== undefined) setOwn(out, keys[i]!, field);
      }
      return out;
    }
    case PlanKind.array: {
      const { items } = value;
      const out: unknown[] = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i += 1) out[i] = resolvePlan(items[i]!, scope) ?? null;
      return out;
    }
    case PlanKind.literal:
      return value.value;
  }
}

/** Compiles a value spec once (see the module doc); the resolver evaluates it for a scope. */
export function compileValue(spec: unknown): ValueResolver {
  const compiled = planOf(spec);
  return (scope) => resolvePlan(compiled, scope);
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
