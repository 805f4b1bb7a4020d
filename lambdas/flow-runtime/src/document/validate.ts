import type * as z from 'zod';
import { ConnectorConfig, TARGET_ACTIONS, TARGET_KINDS, type TargetKind } from './config.js';
import { targetCapabilityProblem } from './capabilities.js';
import { ConfigValidationError, type ConfigProblem } from '../errors.js';
import { compileExpression, isExpression, type CompiledExpression } from './expressions.js';
import type { JsonPathSegment } from './jsonpath.js';
import { isPlainObject } from './json.js';
import type { TargetAddressRange } from './target-address.js';
import { targetProblems } from './validate-targets.js';
import { expressionsIn, formatProblemPath } from './values.js';
import {
  depthProblem,
  inexactNumberProblems,
  protoKeyProblems,
  withFreeFormJson,
} from './validate-document.js';

export { formatProblemPath } from './values.js';

export interface ValidationOptions {
  /**
   * Address ranges targets may use besides public addresses: the deployment's
   * `ALLOW_TARGET_ADDRESSES`. Literal addresses in `base_url` are checked against it here; host
   * names are checked when they are resolved, at call time. @default none (public addresses only)
   */
  readonly allowTargetAddresses?: readonly TargetAddressRange[];
}

/**
 * Validates a connector config document: the zod shape, then every cross-field rule. All problems
 * are collected (the cross-field rules also run on a document whose shape is wrong, as far as they
 * can read it), then thrown once as a {@link ConfigValidationError}.
 *
 * @returns the parsed config, defaults applied.
 * @throws ConfigValidationError listing every problem with a path such as `flows[1].steps[2].id`.
 * @example
 * const config = validateConfig(JSON.parse(await readFile('connector.json', 'utf8')));
 */
export function validateConfig(document: unknown, options: ValidationOptions = {}): ConnectorConfig {
  if (!isPlainObject(document)) {
    const got = Array.isArray(document) ? 'an array' : document === null ? 'null' : typeof document;
    throw new ConfigValidationError([
      { path: '', message: `a connector config must be a JSON object, got ${got}` },
    ]);
  }
  const context = typeof document.connector_id === 'string' ? { connector: document.connector_id } : {};
  // Before anything that recurses: the schema, the cross-field rules and the compiler all do.
  const tooDeep = depthProblem(document);
  if (tooDeep !== undefined) throw new ConfigValidationError([tooDeep], { context });
  const inexact = inexactNumberProblems(document);
  if (inexact.length > 0) throw new ConfigValidationError(inexact, { context });
  const parsed = ConnectorConfig.safeParse(document, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(problemFromIssue)),
    ...protoKeyProblems(document),
    ...crossFieldProblems(document),
    ...targetProblems(document.targets, options.allowTargetAddresses ?? []),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigValidationError(problems, { context });
  return withFreeFormJson(parsed.data, document);
}

function problemFromIssue(issue: z.core.$ZodIssue): ConfigProblem {
  return { path: formatProblemPath(issue.path), message: issue.message };
}

/** Reads the raw document defensively: every rule skips what it cannot read (zod reports that). */
function crossFieldProblems(document: unknown): ConfigProblem[] {
  if (!isPlainObject(document)) return [];
  const problems: ConfigProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });

  const sources = namedEntries(document.sources, 'sources');
  const targets = namedEntries(document.targets, 'targets');
  reportDuplicates(sources, 'source names must be unique', report);
  reportDuplicates(targets, 'target names must be unique', report);
  const sourceNames = new Set(sources.map((s) => s.name));
  const targetKinds = new Map<string, TargetKind | undefined>();
  for (const target of targets) {
    if (targetKinds.has(target.name)) continue;
    const kind = target.value.kind;
    targetKinds.set(
      target.name,
      TARGET_KINDS.find((k) => k === kind),
    );
  }

  const flows = namedEntries(document.flows, 'flows');
  reportDuplicates(flows, 'flow names must be unique', report);
  for (const flow of arrayOf(document.flows).map((value, index) => ({ value, index }))) {
    if (!isPlainObject(flow.value)) continue;
    const flowPath = `flows[${flow.index}]`;
    const flowName = typeof flow.value.name === 'string' ? flow.value.name : `#${flow.index}`;
    const source = flow.value.source;
    if (typeof source === 'string' && !sourceNames.has(source)) {
      report(
        `${flowPath}.source`,
        `source "${source}" is not declared in sources[] (declared: ${listOf(sourceNames)})`,
      );
    }
    checkEventTypeFrom(flow.value.event_type_from, `${flowPath}.event_type_from`, report);
    checkSteps(flow.value.steps, flowPath, flowName, targetKinds, report);
  }
  return problems;
}

type Report = (path: string, message: string) => void;

interface NamedEntry {
  readonly name: string;
  readonly path: string;
  readonly value: Record<string, unknown>;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function namedEntries(list: unknown, listPath: string, key = 'name'): NamedEntry[] {
  return arrayOf(list).flatMap((value, index) =>
    isPlainObject(value) && typeof value[key] === 'string'
      ? [{ name: value[key], path: `${listPath}[${index}].${key}`, value }]
      : [],
  );
}

function reportDuplicates(entries: readonly NamedEntry[], rule: string, report: Report, where = ''): void {
  const first = new Map<string, string>();
  for (const entry of entries) {
    const seen = first.get(entry.name);
    if (seen === undefined) first.set(entry.name, entry.path);
    else report(entry.path, `${rule} (duplicate "${entry.name}"${where}, first declared at ${seen})`);
  }
}

function listOf(names: ReadonlySet<string> | ReadonlyMap<string, unknown>): string {
  const all = [...names.keys()];
  return all.length === 0 ? 'none' : all.join(', ');
}

function checkEventTypeFrom(value: unknown, path: string, report: Report): void {
  if (typeof value !== 'string') return;
  // Validated as a JSONPath so the hint is usable by producers; the worker never evaluates it.
  const compiled = checkExpression(value, path, report, { required: true });
  if (compiled?.root === '$$') {
    report(path, 'event_type_from points into the event: use "$…", not the run context "$$…"');
  }
}

function checkSteps(
  steps: unknown,
  flowPath: string,
  flowName: string,
  targetKinds: ReadonlyMap<string, TargetKind | undefined>,
  report: Report,
): void {
  reportDuplicates(
    namedEntries(steps, `${flowPath}.steps`, 'id'),
    'step ids within a flow must be unique',
    report,
    ` in flow "${flowName}"`,
  );
  const earlier = new Set<string>();
  arrayOf(steps).forEach((step, index) => {
    if (!isPlainObject(step)) return;
    const stepPath = `${flowPath}.steps[${index}]`;
    checkTarget(step, stepPath, targetKinds, report);
    checkStepExpressions(step, stepPath, earlier, report);
    if (typeof step.id === 'string') earlier.add(step.id);
  });
}

function checkTarget(
  step: Record<string, unknown>,
  stepPath: string,
  targetKinds: ReadonlyMap<string, TargetKind | undefined>,
  report: Report,
): void {
  const { target, action } = step;
  // Only target actions have a target; a stray `target` elsewhere is an unknown field (zod says so).
  if (typeof target !== 'string' || !(TARGET_ACTIONS as readonly unknown[]).includes(action)) return;
  if (!targetKinds.has(target)) {
    report(
      `${stepPath}.target`,
      `target "${target}" is not declared in targets[] (declared: ${listOf(targetKinds)})`,
    );
    return;
  }
  const kind = targetKinds.get(target);
  if (kind === undefined || typeof action !== 'string') return;
  const entities = stepEntities(step, stepPath);
  // The action is checked once, with the first entity (or none); then every entity on its own.
  const first = targetCapabilityProblem(kind, action, entities[0]?.entity ?? '');
  if (first?.field === 'action') {
    report(`${stepPath}.action`, `target "${target}": ${first.message}`);
    return;
  }
  for (const { entity, path } of entities) {
    const problem = targetCapabilityProblem(kind, action, entity);
    if (problem !== undefined) report(path, `target "${target}": ${problem.message}`);
  }
}

/** The entities a step names, with their paths: `entity`, or an association's two ends. */
function stepEntities(step: Record<string, unknown>, stepPath: string): { entity: string; path: string }[] {
  const found: { entity: string; path: string }[] = [];
  if (typeof step.entity === 'string') found.push({ entity: step.entity, path: `${stepPath}.entity` });
  for (const end of ['from', 'to'] as const) {
    const value = step[end];
    if (isPlainObject(value) && typeof value.entity === 'string') {
      found.push({ entity: value.entity, path: `${stepPath}.${end}.entity` });
    }
  }
  return found;
}

const RECORD_DATA_ACTIONS = new Set(['upsert', 'create', 'update']);

function checkStepExpressions(
  step: Record<string, unknown>,
  stepPath: string,
  earlierSteps: ReadonlySet<string>,
  report: Report,
): void {
  const check = (value: string, path: string, required = false) => {
    const compiled = checkExpression(value, path, report, { required });
    if (compiled !== undefined) checkStepReference(compiled, path, earlierSteps, report);
  };
  if (step.data !== undefined) {
    for (const found of expressionsIn(step.data, '.data')) check(found.expression, stepPath + found.path);
    if (
      typeof step.data === 'string' &&
      !isExpression(step.data) &&
      RECORD_DATA_ACTIONS.has(String(step.action))
    ) {
      report(
        `${stepPath}.data`,
        'data must be an expression selecting an object ("$…" / "$$…") or a field mapping object',
      );
    }
  }
  for (const field of ['record_id', 'group_id'] as const) {
    const value = step[field];
    if (typeof value === 'string' && isExpression(value)) check(value, `${stepPath}.${field}`);
  }
  for (const end of ['from', 'to'] as const) {
    const value = isPlainObject(step[end]) ? step[end].record_id : undefined;
    if (typeof value === 'string' && isExpression(value)) check(value, `${stepPath}.${end}.record_id`);
  }
  if (isPlainObject(step.condition)) {
    for (const found of conditionPaths(step.condition, `${stepPath}.condition`))
      check(found.path, found.at, true);
  }
}

function conditionPaths(condition: Record<string, unknown>, at: string): { path: string; at: string }[] {
  const found = typeof condition.path === 'string' ? [{ path: condition.path, at: `${at}.path` }] : [];
  for (const group of ['all', 'any'] as const) {
    arrayOf(condition[group]).forEach((nested, index) => {
      if (isPlainObject(nested)) found.push(...conditionPaths(nested, `${at}.${group}[${index}]`));
    });
  }
  return found;
}

/** Compiles an expression to prove it parses and is safe. Never evaluates it. */
function checkExpression(
  value: string,
  path: string,
  report: Report,
  options: { required: boolean },
): CompiledExpression | undefined {
  if (!isExpression(value)) {
    if (options.required) {
      report(
        path,
        `${JSON.stringify(value)} is not an expression: it must be "$" or "$$", or "$" / "$$" followed by "." or "["`,
      );
    }
    return undefined;
  }
  try {
    return compileExpression(value);
  } catch (error) {
    report(path, (error as Error).message);
    return undefined;
  }
}

/** `$$.steps.<id>` must name a step that runs before this one in the same flow. */
function checkStepReference(
  expression: CompiledExpression,
  path: string,
  earlierSteps: ReadonlySet<string>,
  report: Report,
): void {
  const [first, second] = expression.ast.segments.map(singleName);
  if (expression.root !== '$$' || first !== 'steps') return;
  if (second === undefined || earlierSteps.has(second)) return;
  report(
    path,
    `${expression.source} refers to step "${second}", which does not run before this step in this flow (earlier steps: ${listOf(earlierSteps)})`,
  );
}

/** The name a child segment selects when it selects exactly one name (`.steps`, `['steps']`). */
function singleName(segment: JsonPathSegment): string | undefined {
  const [selector, ...more] = segment.selectors;
  return segment.kind === 'child' && more.length === 0 && selector?.kind === 'name'
    ? selector.name
    : undefined;
}
