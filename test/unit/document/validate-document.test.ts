import { describe, expect, it } from 'vitest';
import {
  compileConfig,
  ConfigValidationError,
  createRecordingTargets,
  CONFIG_LIMITS,
  parseJsonExact,
  runFlows,
  validateConfig,
  type ConfigProblem,
} from '@flow-worker/runtime';
import { aConfig, aFlow, anEnvelope, META } from '../fixtures.js';

/** Validates a config written as JSON text, as the CLI reads files; returns its problems. */
function problemsOfText(text: string): readonly ConfigProblem[] {
  try {
    validateConfig(parseJsonExact(text));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems;
  }
}

/** aConfig() as JSON text with `replacement` put where `"§"` is. */
function configText(overrides: Record<string, unknown>, replacement: string): string {
  return JSON.stringify(aConfig(overrides)).replace('"§"', replacement);
}

const transform = (data: unknown) => ({ id: 'shape', action: 'transform', data }) as never;

/** The deepest a config may nest: DynamoDB's document limit, kept for configs (docs/config.md). */
const MAX_DEPTH = CONFIG_LIMITS.nestingDepth;

describe('validateConfig on deep documents', () => {
  it.each([MAX_DEPTH + 1, 5_000, 100_000])(
    'reports a document nested %i levels as one problem naming where, not a stack overflow',
    (depth) => {
      // Prepare
      const nested = '{"a":'.repeat(depth) + '"$.x"' + '}'.repeat(depth);
      // Act
      const problems = problemsOfText(configText({ flows: [aFlow({ steps: [transform('§')] })] }, nested));
      // Assess
      expect(problems).toEqual([
        {
          path: 'flows[0].steps[0].data.a.a.a.a.a…',
          message: `is nested more than ${MAX_DEPTH} levels deep; a config may nest at most ${MAX_DEPTH} levels (nestingDepth)`,
        },
      ]);
    },
  );

  it(`accepts a mapping nested as deep as the limit allows (${MAX_DEPTH} levels in all)`, () => {
    // Prepare: the document itself is 6 levels down to a step's data.
    const depth = MAX_DEPTH - 6;
    const nested = '{"a":'.repeat(depth) + '"$.x"' + '}'.repeat(depth);
    // Act
    const problems = problemsOfText(configText({ flows: [aFlow({ steps: [transform('§')] })] }, nested));
    // Assess
    expect(problems).toEqual([]);
  });
});

describe('validateConfig on __proto__ and constructor keys', () => {
  it.each([
    [
      'the document',
      JSON.stringify(aConfig()).replace(/^\{/, '{"__proto__":{"x":1},'),
      '__proto__',
      'connector_id, version, sources, targets, flows',
    ],
    [
      'a flow',
      JSON.stringify(aConfig()).replace('"flows":[{', '"flows":[{"__proto__":1,'),
      'flows[0].__proto__',
      'name, source, event_type, event_type_from, enabled, steps',
    ],
  ])('reports a __proto__ key on %s as an unknown field', (_where, text, path, known) => {
    // Act
    const problems = problemsOfText(text);
    // Assess
    expect(problems).toEqual([
      {
        path,
        message: `unknown field "__proto__" (known fields: ${known}; annotations must start with "x-")`,
      },
    ]);
  });

  it('reports __proto__ keys on sources, targets, steps and nested conditions too', () => {
    // Prepare
    const text = `{
      "connector_id": "acme", "version": 1,
      "sources": [{ "name": "s", "__proto__": 1 }],
      "targets": [{ "name": "erp", "kind": "http", "base_url": "https://erp.example.test", "__proto__": 1 }],
      "flows": [{ "name": "f", "source": "s", "event_type": "e", "steps": [
        { "id": "only", "action": "filter", "__proto__": 1,
          "condition": { "all": [{ "path": "$.a", "exists": true, "__proto__": 1 }] } }
      ] }]
    }`;
    // Act
    const problems = problemsOfText(text);
    // Assess
    expect(problems.map((p) => p.path)).toEqual([
      'sources[0].__proto__',
      'targets[0].__proto__',
      'flows[0].steps[0].__proto__',
      'flows[0].steps[0].condition.all[0].__proto__',
    ]);
  });

  it('keeps __proto__ and constructor keys of a mapping, so they are what runs', async () => {
    // Prepare
    const config = validateConfig(
      parseJsonExact(
        configText(
          { flows: [aFlow({ steps: [transform('§')] })] },
          '{"__proto__":"$.payload.name","constructor":"$.payload.domain","nested":{"__proto__":{"constructor":1}}}',
        ),
      ),
    );
    const recording = createRecordingTargets();
    // Act
    const { report } = await runFlows(
      compileConfig(config, { targetFactory: recording.factory }),
      anEnvelope(),
      META,
      {
        emitter: recording.emitter,
      },
    );
    // Assess
    expect(JSON.stringify(report.flows[0]?.steps[0]?.result)).toBe(
      '{"__proto__":"Acme","constructor":"acme.test","nested":{"__proto__":{"constructor":1}}}',
    );
  });

  it('keeps a __proto__ key of a condition value, so the comparison is the one written', async () => {
    // Prepare
    const config = validateConfig(
      parseJsonExact(
        configText(
          { flows: [aFlow({ steps: [{ id: 'only', action: 'filter', condition: '§' } as never] })] },
          '{"path":"$.payload","equals":{"__proto__":"x"}}',
        ),
      ),
    );
    const recording = createRecordingTargets();
    const compiled = compileConfig(config, { targetFactory: recording.factory });
    // Act
    const matching = await runFlows(
      compiled,
      anEnvelope({ payload: parseJsonExact('{"payload":{"__proto__":"x"}}') }),
      META,
      {
        emitter: recording.emitter,
      },
    );
    const other = await runFlows(compiled, anEnvelope({ payload: { payload: {} } }), META, {
      emitter: recording.emitter,
    });
    // Assess
    expect(matching.report.flows[0]?.status).toBe('completed');
    expect(other.report.flows[0]?.status).toBe('filtered');
  });
});

describe('validateConfig on numbers a double cannot hold', () => {
  it('points at each one and says to write it as a string', () => {
    // Act
    const problems = problemsOfText(
      configText(
        {
          flows: [
            aFlow({
              steps: [
                {
                  id: 'remove',
                  action: 'delete',
                  target: 'hubspot',
                  entity: 'company',
                  record_id: '§',
                } as never,
              ],
            }),
          ],
        },
        '9007199254740993',
      ),
    );
    // Assess
    expect(problems).toEqual([
      {
        path: 'flows[0].steps[0].record_id',
        message:
          'is the number 9007199254740993, which JSON numbers in a config cannot hold exactly; write it as a string ("9007199254740993")',
      },
    ]);
  });
});
