import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  HUBSPOT_STANDARD_OBJECTS,
  Step,
  TargetDefinition,
  createSecretsManagerProvider,
  hubspotObjectType,
  validateConfig,
} from '@flow-worker/runtime';
import { codeBlocks, readPage } from './pages.js';

/** docs/targets.md must not drift from the code: its JSON examples are checked here. */
const page = readPage('docs/targets.md');
const examples = codeBlocks(page, 'json').map((block) => JSON.parse(block) as unknown);
const targetExamples = examples.filter(
  (example) => typeof example === 'object' && example !== null && 'kind' in example,
);
const stepExamples = examples.filter(
  (example): example is { id: string; action: string } =>
    typeof example === 'object' && example !== null && 'action' in example && 'id' in example,
);

/** The rows of the HubSpot object table: object, singular, type id, sent as. */
function objectRows(): string[][] {
  const table = page.slice(page.indexOf('| object '));
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
}

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

  it('lists every HubSpot object the validator accepts, with the path segment the target sends', () => {
    expect(objectRows()).toEqual(
      HUBSPOT_STANDARD_OBJECTS.map((object) => [
        object.name,
        object.singular,
        object.typeId,
        hubspotObjectType(object.name),
      ]),
    );
  });

  it.each(stepExamples.map((example) => [example.id, example]))(
    'shows an associate step %s that validates',
    (_id, example) => {
      expect(Step.safeParse(example).error).toBeUndefined();
      const upsert = (id: string, entity: string) => ({
        id,
        action: 'upsert',
        target: 'hubspot',
        entity,
        id_property: 'key',
        data: '$',
      });
      const document = {
        connector_id: 'acme',
        version: 1,
        sources: [{ name: 'crm' }],
        targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'flow-worker/acme/hubspot' }],
        flows: [
          {
            name: 'f',
            source: 'crm',
            event_type: 'e',
            steps: [
              upsert('upsert_contact', 'contact'),
              upsert('upsert_company', 'company'),
              upsert('upsert_deal', 'deal'),
              example,
            ],
          },
        ],
      };
      expect(() => validateConfig(document)).not.toThrow();
    },
  );
});
