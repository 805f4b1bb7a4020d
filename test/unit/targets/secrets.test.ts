import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretsManagerProvider, PermanentError, RetryableError } from '@flow-worker/runtime';

const SECRET_ID = 'flow-worker/acme/hubspot';
const TOKEN = 'pat-na1-TOPSECRET-9999';

const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

function provider(now: () => number = Date.now) {
  return createSecretsManagerProvider({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    ttlMs: 1_000,
    now,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('Secrets Manager token provider', () => {
  it('returns a plain SecretString as the token', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: TOKEN });

    await expect(provider().getToken(SECRET_ID)).resolves.toBe(TOKEN);
  });

  it('returns the token field of a JSON SecretString', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ token: TOKEN, note: 'x' }) });

    await expect(provider().getToken(SECRET_ID)).resolves.toBe(TOKEN);
  });

  it('refuses, without calling Secrets Manager, a secret outside the allowed prefix', async () => {
    const guarded = createSecretsManagerProvider({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      allowedPrefix: 'flow-worker/',
    });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });

    const error = await failure(guarded.getToken('prod/database-password'));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('"prod/database-password" is outside');
    expect(error.message).toContain('"flow-worker/"');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    await expect(guarded.getToken(SECRET_ID)).resolves.toBe(TOKEN);
  });

  it('caches a token for the TTL, then reads it again', async () => {
    let clock = 0;
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'first' })
      .resolves({ SecretString: 'second' });
    const secrets = provider(() => clock);

    const early = [await secrets.getToken(SECRET_ID), await secrets.getToken(SECRET_ID)];
    clock = 1_001;
    const late = await secrets.getToken(SECRET_ID);

    expect(early).toEqual(['first', 'first']);
    expect(late).toBe('second');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('coalesces concurrent reads of one secret into one GetSecretValue', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ SecretString: TOKEN }), 20)));
    const secrets = provider();

    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => secrets.getToken(SECRET_ID)));

    expect(tokens).toEqual([TOKEN, TOKEN, TOKEN, TOKEN, TOKEN]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('caches each secret id separately', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: 'token-a' });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: 'token-b' });
    const secrets = provider();

    await expect(Promise.all([secrets.getToken('a'), secrets.getToken('b')])).resolves.toEqual([
      'token-a',
      'token-b',
    ]);
  });

  it('maps a missing secret to a permanent error naming the secret id', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );

    const error = await failure(provider().getToken(SECRET_ID));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain(`"${SECRET_ID}"`);
    expect(error.message).toContain('not found');
  });

  it('maps throttling and service errors to retryable errors and does not cache the failure', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(
        new SecretsManagerServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .rejectsOnce(new InternalServiceError({ message: 'boom', $metadata: { httpStatusCode: 500 } }))
      .resolves({ SecretString: TOKEN });
    const secrets = provider();

    const throttled = await failure(secrets.getToken(SECRET_ID));
    const internal = await failure(secrets.getToken(SECRET_ID));
    const token = await secrets.getToken(SECRET_ID);

    expect(throttled).toBeInstanceOf(RetryableError);
    expect(internal).toBeInstanceOf(RetryableError);
    expect(internal).toMatchObject({ status: 500 });
    expect(token).toBe(TOKEN);
  });

  it('maps a network failure to a retryable error', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

    await expect(provider().getToken(SECRET_ID)).rejects.toBeInstanceOf(RetryableError);
  });

  it.each([
    ['an empty SecretString', { SecretString: '  ' }],
    ['a binary-only secret', { SecretBinary: new Uint8Array([1, 2]) }],
    ['JSON without a token field', { SecretString: JSON.stringify({ password: TOKEN }) }],
    ['malformed JSON', { SecretString: `{"token": "${TOKEN}"` }],
  ])('rejects %s permanently without quoting the value', async (_case, output) => {
    secretsManager.on(GetSecretValueCommand).resolves(output);

    const error = await failure(provider().getToken(SECRET_ID));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain(SECRET_ID);
    expect(`${error.message}${JSON.stringify(error)}`).not.toContain(TOKEN);
  });
});
