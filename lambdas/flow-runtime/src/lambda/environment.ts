import type { QueueName } from '../document/config.js';
import { TARGET_ADDRESS_RANGES, type TargetAddressRange } from '../document/address-ranges.js';
import { EnvironmentError } from '../errors.js';
import { HUBSPOT_DEFAULT_RATE_LIMIT } from '../targets/hubspot/default-rate-limit.js';

/** Environment variables the handlers read (docs/handlers.md), with their defaults. */
export const ENVIRONMENT_DEFAULTS = {
  CONFIG_CACHE_TTL_SECONDS: 30,
  /** This container's share of each HubSpot app's budget; unset, it may use HubSpot's smallest limit whole. */
  HUBSPOT_REQUESTS_PER_10_SECONDS: HUBSPOT_DEFAULT_RATE_LIMIT.requests,
  RETRY_BACKOFF_BASE_SECONDS: 30,
  RETRY_BACKOFF_MAX_SECONDS: 900,
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
   * `HUBSPOT_REQUESTS_PER_10_SECONDS`: how many requests this container may send to one HubSpot app
   * in any rolling 10 seconds (the construct sets its share of the budget). @default 100
   */
  readonly hubspotRequestsPer10Seconds: number;
  /**
   * `RUN_STATE_TABLE_NAME`: where step checkpoints are kept between deliveries. Unset: no
   * checkpoints, so a redelivered message runs every step again.
   */
  readonly runStateTableName: string | undefined;
  /**
   * `MAX_RECEIVE_COUNT`: the source queue's `maxReceiveCount`. On that receive a record that fails
   * retryably is dead-lettered as `exhausted`. Unset: SQS's redrive moves it, without a reason.
   */
  readonly maxReceiveCount: number | undefined;
  /** `RETRY_BACKOFF_BASE_SECONDS` / `RETRY_BACKOFF_MAX_SECONDS`: the wait between receives. */
  readonly backoff: { readonly baseSeconds: number; readonly maxSeconds: number };
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

/** SQS's longest visibility timeout: a backoff cannot hide a message for longer. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new EnvironmentError(`environment variable ${name} must be a whole number from ${min} to ${max}`, {
      context: { variable: name },
    });
  }
  return value;
}

function backoff(env: Env): FlowWorkerEnvironment['backoff'] {
  const limit = MAX_VISIBILITY_TIMEOUT_SECONDS;
  const baseSeconds = wholeNumber(
    env,
    'RETRY_BACKOFF_BASE_SECONDS',
    ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_BASE_SECONDS,
    0,
    limit,
  );
  const maxSeconds = wholeNumber(
    env,
    'RETRY_BACKOFF_MAX_SECONDS',
    Math.max(baseSeconds, ENVIRONMENT_DEFAULTS.RETRY_BACKOFF_MAX_SECONDS),
    0,
    limit,
  );
  if (maxSeconds < baseSeconds) {
    throw new EnvironmentError(
      `environment variable RETRY_BACKOFF_MAX_SECONDS (${maxSeconds}) must be at least RETRY_BACKOFF_BASE_SECONDS (${baseSeconds})`,
      { context: { variable: 'RETRY_BACKOFF_MAX_SECONDS' } },
    );
  }
  return { baseSeconds, maxSeconds };
}

function optionalText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
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
    secretNamePrefix: optionalText(env, 'SECRET_NAME_PREFIX'),
    hubspotRequestsPer10Seconds: wholeNumber(
      env,
      'HUBSPOT_REQUESTS_PER_10_SECONDS',
      ENVIRONMENT_DEFAULTS.HUBSPOT_REQUESTS_PER_10_SECONDS,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    runStateTableName: optionalText(env, 'RUN_STATE_TABLE_NAME'),
    maxReceiveCount:
      optionalText(env, 'MAX_RECEIVE_COUNT') === undefined
        ? undefined
        : wholeNumber(env, 'MAX_RECEIVE_COUNT', 0, 1, 1000),
    backoff: backoff(env),
    allowTargetAddresses: targetAddressRanges(env),
  };
}
