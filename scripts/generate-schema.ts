import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { ConnectorConfig, EXTENSIBLE_OBJECT_META } from '@flow-worker/runtime';

/**
 * Generates `schema/connector-config.schema.json` from the zod schema (the single source of
 * truth): `npm run schema`. A unit test compares the committed file with this output, so a schema
 * change without a regenerated file fails CI.
 */

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/connector-config.schema.json', import.meta.url));
export const SCHEMA_ID = 'https://flow-worker.dev/schema/connector-config.schema.json';

const MARKER = Object.keys(EXTENSIBLE_OBJECT_META)[0] ?? 'flow-worker:extensible';

/** The JSON Schema (draft 2020-12) of a connector config as customers write it (defaults optional). */
export function generateConnectorConfigSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConnectorConfig, {
    io: 'input',
    target: 'draft-2020-12',
    override: ({ jsonSchema }) => {
      const node = jsonSchema as Record<string, unknown>;
      if (node[MARKER] !== true) return;
      // Strict objects that still accept customer annotations under `x-*` keys.
      delete node[MARKER];
      node.additionalProperties = false;
      node.patternProperties = { '^x-': {} };
    },
  });
  const { $schema, ...rest } = nameDefinitions(schema);
  return {
    $schema,
    $id: SCHEMA_ID,
    title: 'flow-worker connector config',
    description:
      'A connector\'s sources, targets and flows. Strings that are "$" or "$$" or start with "$.", "$[", "$$." or "$$[" are expressions: "$" reads the event payload, "$$" the run context.',
    ...rest,
  };
}

/**
 * zod names recursive definitions `__schema0`, `__schema1`…; give the two we have readable names so
 * the file reads well and diffs stay small when unrelated parts change.
 */
function nameDefinitions(schema: Record<string, unknown>): Record<string, unknown> {
  const defs = (schema.$defs ?? {}) as Record<string, Record<string, unknown>>;
  let text = JSON.stringify(schema);
  for (const [key, definition] of Object.entries(defs)) {
    if (!key.startsWith('__schema')) continue;
    const properties = definition.properties as Record<string, unknown> | undefined;
    const name = Array.isArray(definition.anyOf)
      ? 'JsonValue'
      : properties?.path !== undefined
        ? 'Condition'
        : undefined;
    if (name === undefined) continue;
    text = text.replaceAll(`"#/$defs/${key}"`, `"#/$defs/${name}"`).replace(`"${key}":`, `"${name}":`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function renderConnectorConfigSchema(): string {
  return `${JSON.stringify(generateConnectorConfigSchema(), null, 2)}\n`;
}

function main(): void {
  writeFileSync(SCHEMA_FILE, renderConnectorConfigSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
