import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generateConnectorConfigSchema,
  renderConnectorConfigSchema,
  SCHEMA_FILE,
} from '../../../scripts/generate-schema.js';

describe('schema/connector-config.schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` when this fails)', () => {
    // Prepare
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    // Act
    const fresh = renderConnectorConfigSchema();
    // Assess
    expect(committed).toBe(fresh);
  });

  it('makes config objects strict while allowing x-* annotations', () => {
    // Act
    const schema = generateConnectorConfigSchema() as {
      additionalProperties: unknown;
      patternProperties: unknown;
    };
    const text = JSON.stringify(schema);
    // Assess
    expect(schema.additionalProperties).toBe(false);
    expect(schema.patternProperties).toEqual({ '^x-': {} });
    expect(text).not.toContain('flow-worker:extensible');
  });

  it('describes the config as written: defaults are optional', () => {
    const schema = generateConnectorConfigSchema() as { required: string[]; $id: string; title: string };
    expect(schema.required).not.toContain('targets');
    expect(schema.$id).toMatch(/connector-config\.schema\.json$/);
    expect(schema.title).toBe('flow-worker connector config');
  });
});
