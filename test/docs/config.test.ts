import { describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, ConfigValidationError, validateConfig, type ConfigLimit } from '@flow-worker/runtime';
import { codeBlocks, readPage } from './pages.js';

/** docs/config.md, the config reference: its examples must stay true. */
const page = readPage('docs/config.md');
const exampleConfig = codeBlocks(page, 'json').find((block) => block.includes('"connector_id"'));
const validationOutput = codeBlocks(page, 'text').find((block) =>
  block.startsWith('connector config is invalid'),
);

describe('docs/config.md', () => {
  it('shows a config that validates', () => {
    expect(() => validateConfig(JSON.parse(exampleConfig ?? ''))).not.toThrow();
  });

  it('shows the validation output the validator really prints', () => {
    // Prepare
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
            { ...upsert, entity: 'compnay', data: { name: '$..[?(@.name)]' } },
          ],
        },
      ],
    };
    // Act
    const act = () => validateConfig(document);
    // Assess
    expect(act).toThrow(ConfigValidationError);
    expect(act).toThrow(validationOutput?.trimEnd());
  });
});

describe('docs/config.md, Limits', () => {
  it('lists every limit the validator checks, with its value', () => {
    const start = page.indexOf('## Limits');
    const section = page.slice(start, page.indexOf('\n\n', page.indexOf('| limit', start)));
    const rows = [...section.matchAll(/^\| `(\w+)`\s+\| ([^|]+?)\s+\|/gm)].map(([, limit, value]) => [
      limit,
      value,
    ]);
    const shown = (limit: ConfigLimit) => {
      const value = CONFIG_LIMITS[limit];
      if (limit === 'documentBytes') return `${value / 1024 / 1024} MB`;
      if (limit === 'nestingDepth') return `${value} levels`;
      return value.toLocaleString('en-US');
    };

    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries((Object.keys(CONFIG_LIMITS) as ConfigLimit[]).map((limit) => [limit, shown(limit)])),
    );
  });
});
