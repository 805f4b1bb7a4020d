import type { ConfigProblem } from '../errors.js';
import { isPlainObject } from './json.js';

/**
 * How large a connector config may be. `flow-worker validate` and `publish` check the same limits
 * (validate warns from {@link LIMIT_WARNING_RATIO} of a limit on, and fails above it, as publish
 * does), so a config that validates also publishes. Why each limit is where it is: docs/config.md,
 * "Limits"; the measurements behind them: docs/performance.md.
 */
export const CONFIG_LIMITS = {
  /**
   * The document as JSON text (UTF-8). Loading a config takes about 20 times its JSON size in
   * memory at its peak (while it is validated), and about 0.25 s per MB: 64 MiB needs a function
   * of at least 1.5 GB and a timeout above 30 s.
   */
  documentBytes: 64 * 1024 * 1024,
  /** Flows in one config. */
  flows: 100_000,
  /**
   * Steps in one flow. A flow's steps run one after another in one invocation: 100 target calls
   * of 200 ms already take 20 s of the default 30 s timeout.
   */
  stepsPerFlow: 100,
  /**
   * Levels of nested objects and arrays, the document itself being level 1. DynamoDB refuses
   * maps nested deeper than 32 levels, so a deeper config could not be kept as a map by the
   * single-item table layout or by other writers of the table.
   */
  nestingDepth: 32,
} as const;

export type ConfigLimit = keyof typeof CONFIG_LIMITS;

/** `validate` warns when a config reaches this share of a limit. */
export const LIMIT_WARNING_RATIO = 0.8;

/** A config over a limit (`error`, refused by publish) or close to one (`warning`). */
export interface LimitFinding {
  readonly level: 'error' | 'warning';
  readonly limit: ConfigLimit;
  /** Where in the config (`flows[3].steps`), `''` for the whole document. */
  readonly path: string;
  readonly value: number;
  readonly max: number;
  readonly message: string;
}

const UNITS: Record<ConfigLimit, (n: number) => string> = {
  documentBytes: (n) => formatBytes(n),
  flows: (n) => `${n.toLocaleString('en-US')} flows`,
  stepsPerFlow: (n) => `${n.toLocaleString('en-US')} steps`,
  nestingDepth: (n) => `${n} levels`,
};

const WHAT: Record<ConfigLimit, string> = {
  documentBytes: 'the config as JSON is',
  flows: 'the config has',
  stepsPerFlow: 'the flow has',
  nestingDepth: 'the config nests',
};

/** `12.3 MB` (MiB, one decimal) or `512 KB` / `900 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function finding(limit: ConfigLimit, path: string, value: number): LimitFinding | undefined {
  const max = CONFIG_LIMITS[limit];
  if (value < max * LIMIT_WARNING_RATIO) return undefined;
  const level = value > max ? 'error' : 'warning';
  const unit = UNITS[limit];
  const relation = level === 'error' ? 'over the limit of' : 'close to the limit of';
  return {
    level,
    limit,
    path,
    value,
    max,
    message: `${WHAT[limit]} ${unit(value)}, ${relation} ${unit(max)} (${limit})`,
  };
}

/** Levels of nesting: a scalar is 0, `{}` and `[]` are 1. Iterative, so any depth is measured. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, level] = next;
    const children = Array.isArray(node) ? node : isPlainObject(node) ? Object.values(node) : undefined;
    if (children === undefined) continue;
    deepest = Math.max(deepest, level);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push([child, level + 1]);
    }
  }
  return deepest;
}

/**
 * Measures a config document against {@link CONFIG_LIMITS}: the findings at or above
 * {@link LIMIT_WARNING_RATIO} of a limit, errors first. Reads the raw document defensively (the
 * schema reports what is missing or mistyped).
 *
 * @param jsonBytes the document's size as JSON text, when the caller already has it.
 */
export function checkConfigLimits(document: unknown, jsonBytes?: number): LimitFinding[] {
  const depth = nestingDepth(document);
  // Nested beyond the limit, the config is refused by validation, which names where; serialising a
  // document nested thousands of levels deep would overflow the stack, so its size is not measured.
  if (depth > CONFIG_LIMITS.nestingDepth) return [];
  const bytes = jsonBytes ?? Buffer.byteLength(JSON.stringify(document) ?? '');
  const flows = isPlainObject(document) && Array.isArray(document.flows) ? document.flows : [];
  const findings = [
    finding('documentBytes', '', bytes),
    finding('flows', 'flows', flows.length),
    ...flows.map((flow, index) =>
      isPlainObject(flow) && Array.isArray(flow.steps)
        ? finding('stepsPerFlow', `flows[${index}].steps`, flow.steps.length)
        : undefined,
    ),
    finding('nestingDepth', '', depth),
  ].filter((f) => f !== undefined);
  return [...findings.filter((f) => f.level === 'error'), ...findings.filter((f) => f.level === 'warning')];
}

/**
 * Separates the parts of the config table's keys (`<connector_id>#v<version>#…`, docs/deploy.md),
 * so a connector id that contains it could name another connector's stored items.
 */
export const KEY_SEPARATOR = '#';

/**
 * What keeps a valid config from being stored, besides its size: a connector id holding
 * {@link KEY_SEPARATOR}. Checked by `validate` and `publish` alike.
 */
export function storageProblems(document: unknown): ConfigProblem[] {
  const id = isPlainObject(document) ? document.connector_id : undefined;
  if (typeof id !== 'string' || !id.includes(KEY_SEPARATOR)) return [];
  return [
    {
      path: 'connector_id',
      message: `a connector id cannot contain "${KEY_SEPARATOR}": it separates the parts of the config table's keys`,
    },
  ];
}
