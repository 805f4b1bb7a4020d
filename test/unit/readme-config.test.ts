import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig } from '@flow-worker/runtime';

/** The README's config reference section: its examples must stay true. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(
  readme.indexOf('<!-- section:config -->'),
  readme.indexOf('<!-- /section:config -->'),
);
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');

describe('README config reference', () => {
  it('shows a config that validates', () => {
    const [example] = blocks('json');
    expect(() => validateConfig(JSON.parse(example ?? ''))).not.toThrow();
  });

  it('shows the validation output the validator really prints', () => {
    // Prepare
    const [printed] = blocks('text');
    const upsert = {
      id: 'upsert_hubspot',
      action: 'upsert',
      target: 'hubspot',
      entity: 'company',
      id_property: 'domain',
    };
    const document = {
      connector_id: 'acme',
      version: 4,
      sources: [{ name: 'compass_inbound' }],
      targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'flow-worker/acme/hubspot' }],
      flows: [
        {
          name: 'compass_company_upsert',
          source: 'compass_inbound',
          event_type: 'upsert_company',
          enabeld: true,
          steps: [
            { ...upsert, data: '$.payload' },
            { ...upsert, entity: 'companies', data: { name: '$..[?(@.name)]' } },
          ],
        },
      ],
    };
    // Act
    const act = () => validateConfig(document);
    // Assess
    expect(act).toThrow(ConfigValidationError);
    expect(act).toThrow(printed?.trimEnd());
  });
});
