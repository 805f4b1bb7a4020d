import { describe, expect, it } from 'vitest';
import {
  CONFIG_LIMITS,
  classifyAddress,
  compileExpression,
  ConfigValidationError,
  createGuardedTransport,
  createHttpClient,
  evaluateExpression,
  isExpression,
  UnsafeExpressionError,
  validateConfig,
  type ConfigLimit,
} from '@flow-worker/runtime';
import { codeBlocks, readPage } from './pages.js';

/** docs/config.md, the config reference: its examples must stay true. */
const page = readPage('docs/config.md');
const exampleConfig = codeBlocks(page, 'json').find((block) => block.includes('"connector_id"'));
const validationOutput = codeBlocks(page, 'text').find((block) =>
  block.startsWith('connector config is invalid'),
);

const expressionEvent = codeBlocks(page, 'json').find((block) => block.includes('"first-name"'));
/** The rows of the syntax table: `| syntax | selects | `example` | `result` |`. */
const expressionRows = [...page.matchAll(/^\|[^|\n]+\|[^|\n]+\| `([^`]+)` +\| `([^`]+)` +\|$/gm)].map(
  (match) => ({ expression: match[1] ?? '', result: match[2] ?? '' }),
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

  it('shows expression examples that select what the page says', () => {
    // Prepare
    const scope = { event: JSON.parse(expressionEvent ?? '') as unknown, context: {} };
    // Act
    const results = expressionRows.map((row) => evaluateExpression(row.expression, scope));
    // Assess
    expect(expressionRows).toHaveLength(8);
    expect(results).toEqual(expressionRows.map((row) => JSON.parse(row.result) as unknown));
  });

  it('tells expressions from literals as the page says', () => {
    expect(['$.payload.name', '$[0]', '$$.steps.upsert.id', '$ .payload'].map(isExpression)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['$100', '$5 off', 'hello'].map(isExpression)).toEqual([false, false, false]);
  });

  it('suggests the bracket forms the page quotes, and refuses filters but not odd names', () => {
    expect(() => compileExpression('$.first-name')).toThrow("$['first-name']");
    expect(() => compileExpression('$.items.0')).toThrow('$.items[0]');
    expect(() => compileExpression('$.a[?@.b]')).toThrow(UnsafeExpressionError);
    expect(evaluateExpression("$['a(b)']", { event: { 'a(b)': 1 }, context: {} })).toBe(1);
  });

  it('classifies every range and example of the address table as the network guard does', () => {
    // Prepare
    const rows = page
      .split('\n')
      .filter((line) => /^\| (public|private|loopback|link-local|not a unicast)/.test(line))
      .map((line) => {
        const [what = '', example = ''] = line
          .split('|')
          .slice(1)
          .map((cell) => cell.trim());
        const kind = /^(\w+(?:-\w+)?)/.exec(what)?.[1] ?? '';
        const addresses = [...what.matchAll(/`([0-9a-f.:]+)(?:\/\d+)?`/g)].map((m) => m[1] ?? '');
        return {
          kind: kind === 'not' ? 'reserved' : kind,
          addresses: [...addresses, example.replaceAll('`', '')],
        };
      });
    // Act
    const kinds = rows.map((row) => row.addresses.map((address) => classifyAddress(address)?.kind ?? 'name'));
    // Assess
    expect(rows.map((row) => row.kind)).toEqual(['public', 'private', 'loopback', 'link-local', 'reserved']);
    rows.forEach((row, index) => {
      expect(kinds[index]).toEqual(row.addresses.map(() => row.kind));
    });
  });

  it('quotes the messages the guard really gives, at validation and at call time', async () => {
    // Prepare
    const document = JSON.parse(exampleConfig ?? '') as { targets: unknown[] };
    document.targets.push({ name: 'erp', kind: 'http', base_url: 'http://169.254.169.254/' });
    const client = createHttpClient({
      label: 'http target "erp"',
      fetch: createGuardedTransport({
        lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]),
      }),
    });
    // Act
    const validation = () => validateConfig(document);
    const call = client.send({
      method: 'PUT',
      url: 'https://erp.example.com/accounts/1',
      operation: 'upsert accounts',
    });
    // Assess
    const validationMessage = /`(targets\[1\]\.base_url: [^`]+)`/.exec(page)?.[1];
    expect(validation).toThrow(validationMessage);
    const callMessage = /`(http target "erp": upsert accounts failed: [^`]+)`/.exec(page)?.[1];
    await expect(call).rejects.toThrow(callMessage);
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
