import type { Condition } from './config.js';
import { compileExpression, selectsNothing, type ExpressionScope } from './expressions.js';
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

export function compileCondition(condition: Condition): ConditionPredicate {
  if (condition.all !== undefined) {
    const parts = condition.all.map(compileCondition);
    return (scope) => parts.every((part) => part(scope));
  }
  if (condition.any !== undefined) {
    const parts = condition.any.map(compileCondition);
    return (scope) => parts.some((part) => part(scope));
  }
  if (condition.path === undefined) {
    throw new TypeError('a condition needs "path" or "all" / "any" (validate the config first)');
  }
  const expression = compileExpression(condition.path);
  const select = (scope: ExpressionScope): unknown => {
    const value = expression.evaluate(scope);
    return selectsNothing(expression, value) ? undefined : value;
  };
  if (condition.exists !== undefined) {
    const expected = condition.exists;
    return (scope) => (select(scope) !== undefined) === expected;
  }
  if (condition.in !== undefined) {
    const options = condition.in;
    return (scope) => {
      const value = select(scope);
      return value !== undefined && options.some((option) => jsonEquals(value, option));
    };
  }
  if (condition.not_equals !== undefined) {
    const other = condition.not_equals;
    return (scope) => !jsonEquals(select(scope), other);
  }
  if (condition.equals !== undefined) {
    const other = condition.equals;
    return (scope) => jsonEquals(select(scope), other);
  }
  throw new TypeError(
    'a condition on "path" needs one of equals, not_equals, in, exists (validate the config first)',
  );
}
