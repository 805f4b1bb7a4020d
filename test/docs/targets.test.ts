import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { TargetDefinition, createSecretsManagerProvider } from '@flow-worker/runtime';
import { codeBlocks, readPage } from './pages.js';

/** docs/targets.md must not drift from the code: its JSON examples are checked here. */
const page = readPage('docs/targets.md');
const examples = codeBlocks(page, 'json').map((block) => JSON.parse(block) as unknown);
const targetExamples = examples.filter(
  (example) => typeof example === 'object' && example !== null && 'kind' in example,
);

describe('docs/targets.md', () => {
  it('has an example for each target kind', () => {
    expect(targetExamples.map((example) => (example as { kind: string }).kind).sort()).toEqual([
      'http',
      'hubspot',
    ]);
  });

  it.each(targetExamples.map((example) => [(example as { kind: string }).kind, example]))(
    'documents a valid %s target definition',
    (_kind, example) => {
      expect(TargetDefinition.safeParse(example).error).toBeUndefined();
    },
  );

  it('documents a JSON secret the provider reads', async () => {
    const secret = examples.find(
      (example) => typeof example === 'object' && example !== null && 'token' in example,
    );
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    mockClient(client)
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify(secret) });

    const token = await createSecretsManagerProvider({ client }).getToken('flow-worker/acme/hubspot');

    expect(token).toBe((secret as { token: string }).token);
  });
});
