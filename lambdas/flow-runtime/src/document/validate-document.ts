import type { ConfigProblem } from '../errors.js';
import {
  CONDITION_FIELDS,
  ConnectorConfig,
  CreateStep,
  DeleteStep,
  EmitStep,
  FilterStep,
  Flow,
  HttpTargetDefinition,
  HubSpotTargetDefinition,
  Source,
  TransformStep,
  unknownFieldMessage,
  UpdateStep,
  UpsertStep,
} from './config.js';
import { isPlainObject, isRawNumber, pathBeyondDepth, setOwn } from './json.js';
import { CONFIG_LIMITS } from './limits.js';
import { formatProblemPath, propertyPath } from './values.js';

/**
 * Checks on the raw config document that the schema cannot make, because of how it is run:
 *
 * - **Depth.** A config nests at most `CONFIG_LIMITS.nestingDepth` levels (docs/config.md, limits).
 *   The schema and the compiler recurse into nested mappings and conditions, so a deeper document is
 *   refused before they run (one nested thousands of levels overflowed the stack with "Maximum call
 *   stack size exceeded").
 * - **`__proto__` keys.** zod builds its output with assignments, and `out.__proto__ = v` sets a
 *   prototype instead of a key. So a `__proto__` key was neither reported as an unknown field nor
 *   kept in free-form JSON (a mapping's field, a condition's value). {@link protoKeyProblems} reports
 *   it where the config's own fields are, and {@link withFreeFormJson} puts the document's own
 *   values back where any JSON is allowed, so what validates is what runs.
 */

/** The problem of a document nested too deep, naming where (the first ten keys of the path). */
export function depthProblem(document: unknown): ConfigProblem | undefined {
  const max = CONFIG_LIMITS.nestingDepth;
  const path = pathBeyondDepth(document, max);
  if (path === undefined) return undefined;
  const shown = formatProblemPath(path.slice(0, 10)) + (path.length > 10 ? '…' : '');
  return {
    path: shown,
    message: `is nested more than ${max} levels deep; a config may nest at most ${max} levels (nestingDepth)`,
  };
}

/**
 * Numbers a double cannot hold as written, kept as text by `parseJsonExact` (the CLI reads config
 * files with it): refused with where they are, since a config keeps its numbers as doubles. A
 * literal id of 9007199254740993 would otherwise address record 9007199254740992.
 */
export function inexactNumberProblems(document: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stack: { readonly node: unknown; readonly path: readonly (string | number)[] }[] = [
    { node: document, path: [] },
  ];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node, path } = entry;
    if (isRawNumber(node)) {
      problems.push({
        path: formatProblemPath(path),
        message: `is the number ${node.rawJSON}, which JSON numbers in a config cannot hold exactly; write it as a string ("${node.rawJSON}")`,
      });
    } else if (Array.isArray(node)) {
      node.forEach((child: unknown, index) => stack.push({ node: child, path: [...path, index] }));
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) stack.push({ node: child, path: [...path, key] });
    }
  }
  return problems.reverse();
}

const STEP_SCHEMAS = [UpsertStep, CreateStep, UpdateStep, DeleteStep, TransformStep, FilterStep, EmitStep];
const TARGET_SCHEMAS = { hubspot: HubSpotTargetDefinition, http: HttpTargetDefinition } as const;
const fieldsOf = (schema: { readonly shape: object }): string[] => Object.keys(schema.shape);

/** Every `__proto__` key among the config's own fields, as an unknown field (like any other). */
export function protoKeyProblems(document: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (value: unknown, path: string, fields: readonly string[] | undefined) => {
    if (fields !== undefined && isPlainObject(value) && Object.hasOwn(value, '__proto__')) {
      problems.push({
        path: `${path}${propertyPath('__proto__')}`.replace(/^\./, ''),
        message: unknownFieldMessage('__proto__', fields),
      });
    }
  };
  check(document, '', fieldsOf(ConnectorConfig));
  each(document.sources, 'sources', (source, at) => check(source, at, fieldsOf(Source)));
  each(document.targets, 'targets', (target, at) => {
    const kind = isPlainObject(target) ? target.kind : undefined;
    check(target, at, kind === 'hubspot' || kind === 'http' ? fieldsOf(TARGET_SCHEMAS[kind]) : undefined);
  });
  each(document.flows, 'flows', (flow, flowAt) => {
    check(flow, flowAt, fieldsOf(Flow));
    if (!isPlainObject(flow)) return;
    each(flow.steps, `${flowAt}.steps`, (step, stepAt) => {
      const action = isPlainObject(step) ? step.action : undefined;
      const schema = STEP_SCHEMAS.find((candidate) => candidate.shape.action.value === action);
      check(step, stepAt, schema === undefined ? undefined : fieldsOf(schema));
      if (isPlainObject(step))
        eachCondition(step.condition, `${stepAt}.condition`, (condition, at) =>
          check(condition, at, CONDITION_FIELDS),
        );
    });
  });
  return problems;
}

/**
 * The parsed config with the document's own values put back where any JSON is allowed (`data`,
 * `record_id`, `group_id`, condition values, `headers`, `paths`), wherever zod dropped a `__proto__`
 * key from them. Everything else is the parsed config as is.
 */
export function withFreeFormJson(
  parsed: ConnectorConfig,
  document: Record<string, unknown>,
): ConnectorConfig {
  const raw = document as { flows?: unknown; targets?: unknown };
  parsed.flows.forEach((flow, f) => {
    const rawFlow = itemOf(raw.flows, f);
    flow.steps.forEach((step, s) => {
      const rawStep = itemOf(rawFlow?.steps, s);
      if (rawStep === undefined) return;
      restore(step, rawStep, ['data', 'record_id', 'group_id']);
      if ('condition' in step) restoreConditions(step.condition, rawStep.condition);
    });
  });
  parsed.targets.forEach((target, t) => {
    const rawTarget = itemOf(raw.targets, t);
    if (rawTarget !== undefined) restore(target, rawTarget, ['headers', 'paths']);
  });
  return parsed;
}

function restoreConditions(parsed: unknown, raw: unknown): void {
  if (!isPlainObject(parsed) || !isPlainObject(raw)) return;
  restore(parsed, raw, ['equals', 'not_equals', 'in']);
  for (const group of ['all', 'any'] as const) {
    const items = parsed[group];
    if (Array.isArray(items))
      items.forEach((item, index) => restoreConditions(item, itemOf(raw[group], index)));
  }
}

/** Puts back `raw[field]` for each field whose raw value holds a `__proto__` key somewhere. */
function restore(parsed: object, raw: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    if (Object.hasOwn(raw, field) && hasProtoKey(raw[field]))
      setOwn(parsed as Record<string, unknown>, field, raw[field]);
  }
}

function hasProtoKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPlainObject(node) && Object.hasOwn(node, '__proto__')) return true;
    if (Array.isArray(node) || isPlainObject(node)) {
      for (const child of Object.values(node)) stack.push(child);
    }
  }
  return false;
}

function itemOf(list: unknown, index: number): Record<string, unknown> | undefined {
  const item: unknown = Array.isArray(list) ? list[index] : undefined;
  return isPlainObject(item) ? item : undefined;
}

function each(list: unknown, path: string, visit: (item: unknown, at: string) => void): void {
  if (Array.isArray(list)) list.forEach((item: unknown, index) => visit(item, `${path}[${index}]`));
}

function eachCondition(
  condition: unknown,
  at: string,
  visit: (condition: unknown, at: string) => void,
): void {
  visit(condition, at);
  if (!isPlainObject(condition)) return;
  for (const group of ['all', 'any'] as const) {
    each(condition[group], `${at}.${group}`, (nested, nestedAt) => eachCondition(nested, nestedAt, visit));
  }
}
