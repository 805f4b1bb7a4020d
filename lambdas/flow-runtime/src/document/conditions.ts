import type { Condition } from './config.js';
import {
  compileExpression,
  selectedBy,
  type CompiledExpression,
  type ExpressionScope,
} from './expressions.js';
import { jsonEquals } from './json.js';

/**
 * Filter conditions, compiled once per config version into predicates.
 *
 * - `equals` / `not_equals`: deep JSON equality with the value the path selects;
 * - `in`: the selected value deep-equals one of the listed values;
 * - `exists: true|false`: the path selects something (a multi path: at least one match);
 * - `all` / `any`: every / at least one nested condition holds.
 *
 * A path that selects nothing compares as "absent": it equals nothing, so `not_equals` holds.
 */
export type ConditionPredicate = (scope: ExpressionScope) => boolean;

/** What a condition checks; small integers, so {@link holds} dispatches on one comparison. */
const Check = { all: 0, any: 1, exists: 2, in: 3, equals: 4, notEquals: 5 } as const;
type Check = (typeof Check)[keyof typeof Check];

/**
 * A compiled condition as plain data, walked by one function ({@link holds}) for every flow, as
 * value specs are (see values.ts). Every plan has the same keys.
 */
interface ConditionPlan {
  readonly check: Check;
  /** `all` / `any`: the nested conditions. */
  readonly parts: readonly ConditionPlan[];
  /** The path's expression (every check but `all` / `any`). */
  readonly expression: CompiledExpression | undefined;
  /** `exists`: the expected answer; `equals` / `not_equals`: the value; `in`: the values. */
  readonly expected: unknown;
}

const NO_PARTS: readonly ConditionPlan[] = [];

function planOf(condition: Condition): ConditionPlan {
  if (condition.all !== undefined) {
    return { check: Check.all, parts: condition.all.map(planOf), expression: undefined, expected: undefined };
  }
  if (condition.any !== undefined) {
    return { check: Check.any, parts: condition.any.map(planOf), expression: undefined, expected: undefined };
  }
  if (condition.path === undefined) {
    throw new TypeError('a condition needs "path" or "all" / "any" (validate the config first)');
  }
  const expression = compileExpression(condition.path);
  const on = (check: Check, expected: unknown): ConditionPlan => ({
    check,
    parts: NO_PARTS,
    expression,
    expected,
  });
  if (condition.exists !== undefined) return on(Check.exists, condition.exists);
  if (condition.in !== undefined) return on(Check.in, condition.in);
  if (condition.not_equals !== undefined) return on(Check.notEquals, condition.not_equals);
  if (condition.equals !== undefined) return on(Check.equals, condition.equals);
  throw new TypeError(
    'a condition on "path" needs one of equals, not_equals, in, exists (validate the config first)',
  );
}

function holds(condition: ConditionPlan, scope: ExpressionScope): boolean {
  switch (condition.check) {
    case Check.all:
      for (const part of condition.parts) if (!holds(part, scope)) return false;
      return true;
    case Check.any:
      for (const part of condition.parts) if (holds(part, scope)) return true;
      return false;
    case Check.exists:
      return (selectedBy(condition.expression!, scope) !== undefined) === condition.expected;
    case Check.in: {
      const value = selectedBy(condition.expression!, scope);
      if (value === undefined) return false;
      for (const option of condition.expected as readonly unknown[])
        if (jsonEquals(value, option)) return true;
      return false;
    }
    case Check.equals:
      return jsonEquals(selectedBy(condition.expression!, scope), condition.expected);
    case Check.notEquals:
      return !jsonEquals(selectedBy(condition.expression!, scope), condition.expected);
  }
}

/** Compiles a condition once (see the module doc); the predicate evaluates it for a scope. */
export function compileCondition(condition: Condition): ConditionPredicate {
  const compiled = planOf(condition);
  return (scope) => holds(compiled, scope);
}
