import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSecretsManagerProvider, TargetDefinition } from '@flow-worker/runtime';

/** The README's targets section must not drift from the code: its JSON examples are checked here. */
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const section = readme.slice(
  readme.indexOf('<!-- section:targets -->'),
  readme.indexOf('<!-- /section:targets -->'),
);
const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => JSON.parse(match[1] ?? '') as unknown,
);
const targetExamples = examples.filter(
  (example) => typeof example === 'object' && example !== null && 'kind' in example,
);

describe('README targets section', () => {
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
