import { randomUUID } from 'node:crypto';
import { AwsJsonError, requiredString, startAwsJsonServer } from './aws-json-server.js';
import type { AwsJsonCall } from './aws-json-server.js';

/**
 * A minimal Secrets Manager on 127.0.0.1 speaking the AWS JSON 1.1 protocol of the SDK v3
 * `SecretsManagerClient`: `GetSecretValue` only, from an in-memory map. Point
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` at it.
 *
 * @example
 * const secrets = await startLocalSecretsManager({ 'flow-worker/acme/hubspot': 'pat-local-123' });
 */
export interface LocalSecretsManager {
  /** `http://127.0.0.1:<port>`: `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** Every call answered (operation and status), in order. */
  readonly calls: readonly AwsJsonCall[];
  /** Creates or replaces a secret (a new version). */
  putSecret(name: string, value: string): void;
  close(): Promise<void>;
}

interface StoredSecret {
  value: string;
  versionId: string;
  createdAt: number;
}

const ARN_PREFIX = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:';

export async function startLocalSecretsManager(
  initial: Readonly<Record<string, string>> = {},
): Promise<LocalSecretsManager> {
  const secrets = new Map<string, StoredSecret>();
  const putSecret = (name: string, value: string) =>
    secrets.set(name, { value, versionId: randomUUID(), createdAt: Date.now() });
  for (const [name, value] of Object.entries(initial)) putSecret(name, value);

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    errorNamespace: 'com.amazonaws.secretsmanager',
    contentType: 'application/x-amz-json-1.1',
    operations: {
      GetSecretValue: (input) => {
        const id = requiredString(input, 'SecretId');
        const name = id.startsWith(ARN_PREFIX) ? id.slice(ARN_PREFIX.length) : id;
        const secret = secrets.get(name);
        if (secret === undefined) {
          throw new AwsJsonError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret.",
          );
        }
        return {
          ARN: `${ARN_PREFIX}${name}`,
          Name: name,
          SecretString: secret.value,
          VersionId: secret.versionId,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: secret.createdAt / 1000,
        };
      },
    },
  });
  return { endpoint: server.endpoint, calls: server.calls, putSecret, close: () => server.close() };
}
