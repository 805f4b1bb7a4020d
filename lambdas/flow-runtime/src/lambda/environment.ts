import type { QueueName } from '../document/config.js';
import { TARGET_ADDRESS_RANGES, type TargetAddressRange } from '../document/target-address.js';
import { EnvironmentError } from '../errors.js';

/** Environment variables the handlers read (docs/handlers.md), with their defaults. */
export const ENVIRONMENT_DEFAULTS = {
  CONFIG_CACHE_TTL_SECONDS: 30,
  LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'flow-worker',
  POWERTOOLS_METRICS_NAMESPACE: 'FlowWorker',
} as const;

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The handlers' validated configuration. */
export interface FlowWorkerEnvironment {
  /** `CONFIG_TABLE_NAME`: the DynamoDB table holding one published config per connector. */
  readonly configTableName: string;
  /** `DLQ_URL`: where poison and permanently failing records go. */
  readonly dlqUrl: string;
  /** `INBOUND_QUEUE_URL` / `OUTBOUND_QUEUE_URL`: targets of `emit` steps (optional). */
  readonly queueUrls: Readonly<Record<QueueName, string | undefined>>;
  /** `CONFIG_CACHE_TTL_SECONDS`. @default 30 */
  readonly configCacheTtlSeconds: number;
  /** `LOG_LEVEL`. @default INFO */
  readonly logLevel: LogLevel;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` log key and metric dimension. @default flow-worker */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: the EMF namespace. @default FlowWorker */
  readonly metricsNamespace: string;
  /** `SECRET_NAME_PREFIX`: the only secrets targets may name (what IAM grants). @default any */
  readonly secretNamePrefix: string | undefined;
  /**
   * `ALLOW_TARGET_ADDRESSES`: address ranges targets may reach besides public addresses,
   * comma-separated (`private`, `loopback`). Link-local and metadata addresses are never allowed.
   * @default none
   */
  readonly allowTargetAddresses: readonly TargetAddressRange[];
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new EnvironmentError(`environment variable ${name} is required but not set`, {
      context: { variable: name },
    });
  }
  return value;
}

function url(name: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new EnvironmentError(`environment variable ${name} must be an http(s) URL (a queue URL)`, {
      context: { variable: name },
    });
  }
  return value;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : url(name, value);
}

function ttlSeconds(env: Env): number {
  const name = 'CONFIG_CACHE_TTL_SECONDS';
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return ENVIRONMENT_DEFAULTS.CONFIG_CACHE_TTL_SECONDS;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) {
    throw new EnvironmentError(`environment variable ${name} must be a number of seconds >= 0`, {
      context: { variable: name },
    });
  }
  return value;
}

function logLevel(env: Env): LogLevel {
  const name = 'LOG_LEVEL';
  const raw = env[name]?.trim().toUpperCase();
  if (raw === undefined || raw === '') return ENVIRONMENT_DEFAULTS.LOG_LEVEL;
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new EnvironmentError(`environment variable ${name} must be one of ${LOG_LEVELS.join(', ')}`, {
      context: { variable: name },
    });
  }
  return level;
}

function targetAddressRanges(env: Env): TargetAddressRange[] {
  const name = 'ALLOW_TARGET_ADDRESSES';
  const words = (env[name] ?? '').split(/[\s,]+/).filter((word) => word !== '');
  return words.map((word) => {
    const range = TARGET_ADDRESS_RANGES.find((candidate) => candidate === word.toLowerCase());
    if (range === undefined) {
      throw new EnvironmentError(
        `environment variable ${name} must list some of ${TARGET_ADDRESS_RANGES.join(', ')} (comma-separated), got "${word}"`,
        { context: { variable: name } },
      );
    }
    return range;
  });
}

/**
 * Reads and validates the handlers' environment. Called once at cold start, so a missing or
 * invalid variable fails the function immediately with a message naming it.
 *
 * @throws EnvironmentError naming the variable.
 * @example
 * const environment = readEnvironment(process.env);
 */
export function readEnvironment(env: Env): FlowWorkerEnvironment {
  return {
    configTableName: required(env, 'CONFIG_TABLE_NAME'),
    dlqUrl: url('DLQ_URL', required(env, 'DLQ_URL')),
    queueUrls: {
      'inbound-sync': optionalUrl(env, 'INBOUND_QUEUE_URL'),
      'outbound-sync': optionalUrl(env, 'OUTBOUND_QUEUE_URL'),
    },
    configCacheTtlSeconds: ttlSeconds(env),
    logLevel: logLevel(env),
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || ENVIRONMENT_DEFAULTS.POWERTOOLS_SERVICE_NAME,
    metricsNamespace:
      env.POWERTOOLS_METRICS_NAMESPACE?.trim() || ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE,
    secretNamePrefix: env.SECRET_NAME_PREFIX?.trim() || undefined,
    allowTargetAddresses: targetAddressRanges(env),
  };
}
