import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PermanentError, RetryableError } from '../errors.js';

/** Reads target tokens (HubSpot private-app tokens, bearer tokens). */
export interface SecretProvider {
  /**
   * @throws PermanentError when the secret does not exist or holds no usable token
   * @throws RetryableError on throttling, Secrets Manager 5xx or network failure
   */
  getToken(secretId: string): Promise<string>;
}

/** @default 5 minutes: long enough to keep Secrets Manager off the hot path, short enough for rotation. */
export const DEFAULT_SECRET_TTL_MS = 300_000;

export interface SecretsManagerProviderOptions {
  readonly client: SecretsManagerClient;
  /** How long a token is reused before it is read again. @default {@link DEFAULT_SECRET_TTL_MS} */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Only secrets whose name starts with this may be read (`SECRET_NAME_PREFIX`, the prefix the
   * deployment's IAM policy grants). A config naming another secret fails with a clear permanent
   * error instead of an opaque AccessDenied. @default no restriction
   */
  readonly allowedPrefix?: string;
}

/** Error codes that retrying cannot fix: the secret, its KMS key or our IAM policy must change first. */
const PERMANENT_SECRET_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

interface CacheEntry {
  readonly token: Promise<string>;
  /** `Infinity` while the read is in flight: concurrent callers share it. */
  expiresAt: number;
}

/**
 * A {@link SecretProvider} backed by AWS Secrets Manager. The `SecretString` is the token itself,
 * or a JSON object with a `token` field. Tokens are cached per secret id for `ttlMs`; concurrent
 * reads of one secret share a single `GetSecretValue` call; a failed read is not cached.
 *
 * Error messages name the secret id, never its value.
 */
export function createSecretsManagerProvider(options: SecretsManagerProviderOptions): SecretProvider {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  return {
    getToken(secretId) {
      const { allowedPrefix } = options;
      if (allowedPrefix !== undefined && !secretId.startsWith(allowedPrefix)) {
        return Promise.reject(
          new PermanentError(
            `secret "${secretId}" is outside the secrets this deployment may read (names starting with` +
              ` "${allowedPrefix}", SECRET_NAME_PREFIX); store it under that prefix or deploy with another prefix`,
            { context: { secret: secretId } },
          ),
        );
      }
      const cached = cache.get(secretId);
      if (cached !== undefined && cached.expiresAt > now()) return cached.token;

      const entry: CacheEntry = { token: readToken(options.client, secretId), expiresAt: Infinity };
      cache.set(secretId, entry);
      entry.token.then(
        () => {
          entry.expiresAt = now() + ttlMs;
        },
        () => {
          if (cache.get(secretId) === entry) cache.delete(secretId);
        },
      );
      return entry.token;
    },
  };
}

async function readToken(client: SecretsManagerClient, secretId: string): Promise<string> {
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    throw mapSecretsManagerError(error, secretId);
  }
  return tokenFrom(secretString, secretId);
}

function tokenFrom(secretString: string | undefined, secretId: string): string {
  const problem = (what: string) =>
    new PermanentError(
      `secret "${secretId}" ${what}; store the token itself, or a JSON object {"token": "..."}, as its SecretString`,
      { context: { secret: secretId } },
    );
  const value = secretString?.trim() ?? '';
  if (value === '') return throwError(problem('has no SecretString'));
  if (!value.startsWith('{')) return value;

  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Deliberately no parser message: it would quote part of the secret.
    return throwError(problem('looks like JSON but does not parse'));
  }
  const token = (parsed as { token?: unknown }).token;
  if (typeof token !== 'string' || token.trim() === '') {
    return throwError(problem('is a JSON object without a non-empty "token" string'));
  }
  return token.trim();
}

function mapSecretsManagerError(error: unknown, secretId: string): Error {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const context = { secret: secretId, code: name };
  if (name === 'ResourceNotFoundException') {
    return new PermanentError(
      `secret "${secretId}" was not found in Secrets Manager; create it or fix the target's "secret"`,
      { cause: error, context },
    );
  }
  if (PERMANENT_SECRET_ERRORS.has(name)) {
    return new PermanentError(
      `secret "${secretId}" cannot be read (${name}); check the secret and IAM policy`,
      {
        cause: error,
        context,
      },
    );
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new RetryableError(`secret "${secretId}" could not be read right now (${name}); will retry`, {
    cause: error,
    status,
    context,
  });
}

function throwError(error: Error): never {
  throw error;
}
