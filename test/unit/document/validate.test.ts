import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig, type ConfigProblem } from '@flow-worker/runtime';
import { aConfig, aFlow, aStep } from '../fixtures.js';

/** Runs the validator and returns its problems (none when the document is valid). */
function problemsOf(document: unknown): readonly ConfigProblem[] {
  try {
    validateConfig(document);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems;
  }
}

describe('validateConfig', () => {
  it('returns the parsed config with defaults applied', () => {
    // Prepare
    const document = aConfig({ flows: [aFlow({ event_type_from: undefined })] });
    // Act
    const config = validateConfig(document);
    // Assess
    expect(config.flows[0]).toMatchObject({ enabled: true, event_type_from: null });
    expect(config.flows[0]?.steps[0]).toMatchObject({ on_error: 'fail' });
  });

  it('accepts x-* annotations anywhere', () => {
    const document = aConfig({
      'x-owner': 'sales-ops',
      flows: [aFlow({ 'x-note': 'paused', steps: [aStep({ 'x-why': 'crm' })] })],
    });
    expect(problemsOf(document)).toEqual([]);
  });

  it('reports zod shape errors with paths like flows[0].steps[1].action', () => {
    // Prepare
    const document = aConfig({
      flows: [aFlow({ steps: [aStep(), aStep({ id: 'second', action: 'upsrt' })] })],
    });
    // Act
    const problems = problemsOf(document);
    // Assess
    expect(problems).toContainEqual({
      path: 'flows[0].steps[1].action',
      message: 'action must be one of upsert, create, update, delete, associate, transform, filter, emit',
    });
  });

  it('reports an unknown field as a typo', () => {
    const problems = problemsOf(aConfig({ flows: [aFlow({ enabeld: false })] }));
    expect(problems).toEqual([
      { path: 'flows[0].enabeld', message: expect.stringMatching(/^unknown field "enabeld"/) as unknown },
    ]);
  });

  it('reports a missing required field', () => {
    const { event_type: _, ...flow } = aFlow();
    expect(problemsOf(aConfig({ flows: [flow as never] }))).toContainEqual({
      path: 'flows[0].event_type',
      message: 'event_type must be a non-empty string',
    });
  });

  it('rejects a document that is not an object', () => {
    expect(problemsOf('nope')).toEqual([
      { path: '', message: 'a connector config must be a JSON object, got string' },
    ]);
  });

  it('requires unique flow names', () => {
    const problems = problemsOf(aConfig({ flows: [aFlow(), aFlow()] }));
    expect(problems).toEqual([
      {
        path: 'flows[1].name',
        message:
          'flow names must be unique (duplicate "compass_company_upsert", first declared at flows[0].name)',
      },
    ]);
  });

  it('requires unique step ids within a flow, with the seed message verbatim', () => {
    // Prepare
    const steps = [aStep(), aStep({ id: 'other' }), aStep()];
    // Act
    const problems = problemsOf(aConfig({ flows: [aFlow({ name: 'x', steps })] }));
    // Assess
    expect(problems).toEqual([
      {
        path: 'flows[0].steps[2].id',
        message:
          'step ids within a flow must be unique (duplicate "upsert_hubspot" in flow "x", first declared at flows[0].steps[0].id)',
      },
    ]);
    expect(problems[0]?.message).toContain('step ids within a flow must be unique');
  });

  it('allows the same step id in different flows', () => {
    expect(problemsOf(aConfig({ flows: [aFlow(), aFlow({ name: 'second' })] }))).toEqual([]);
  });

  it('requires unique source and target names', () => {
    const problems = problemsOf(
      aConfig({
        sources: [{ name: 'compass_inbound' }, { name: 'compass_inbound' }],
        targets: [
          { name: 'hubspot', kind: 'hubspot', secret: 's' },
          { name: 'hubspot', kind: 'http', base_url: 'https://x.test' },
        ],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(['sources[1].name', 'targets[1].name']);
    expect(problems[0]?.message).toMatch(/^source names must be unique/);
    expect(problems[1]?.message).toMatch(/^target names must be unique/);
  });

  it('requires flow.source to name a declared source', () => {
    expect(problemsOf(aConfig({ flows: [aFlow({ source: 'compas_inbound' })] }))).toEqual([
      {
        path: 'flows[0].source',
        message: 'source "compas_inbound" is not declared in sources[] (declared: compass_inbound)',
      },
    ]);
  });

  it('requires a step target to name a declared target', () => {
    expect(problemsOf(aConfig({ flows: [aFlow({ steps: [aStep({ target: 'hubspt' })] })] }))).toEqual([
      {
        path: 'flows[0].steps[0].target',
        message: 'target "hubspt" is not declared in targets[] (declared: hubspot, erp)',
      },
    ]);
  });

  it.each(['company', 'contact', 'deal', 'ticket', '2-12345', '0-1', 'p12345_cars'])(
    'accepts hubspot entity %s',
    (entity) => {
      expect(problemsOf(aConfig({ flows: [aFlow({ steps: [aStep({ entity })] })] }))).toEqual([]);
    },
  );

  it('rejects an entity the target kind does not support', () => {
    const problems = problemsOf(aConfig({ flows: [aFlow({ steps: [aStep({ entity: 'compnay' })] })] }));
    expect(problems).toEqual([
      {
        path: 'flows[0].steps[0].entity',
        message: expect.stringMatching(
          /^target "hubspot": a hubspot target does not support entity "compnay"/,
        ) as unknown,
      },
    ]);
  });

  it('checks http entity names', () => {
    const problems = problemsOf(
      aConfig({ flows: [aFlow({ steps: [aStep({ target: 'erp', entity: 'accounts/../admin' })] })] }),
    );
    expect(problems.map((p) => p.path)).toEqual(['flows[0].steps[0].entity']);
  });

  it('reports an unsafe JSONPath in data mappings with its path', () => {
    const steps = [aStep({ data: { domain: '$.payload.domain', name: '$..[?(@.x)]' } })];
    expect(problemsOf(aConfig({ flows: [aFlow({ steps })] }))).toEqual([
      {
        path: 'flows[0].steps[0].data.name',
        message:
          'expression "$..[?(@.x)]" is refused: filter expressions are not allowed; use a filter step (position 4)',
      },
    ]);
  });

  it.each([
    ['data', aStep({ data: '$[(@.length-1)]' }), 'flows[0].steps[0].data'],
    ['nested data', aStep({ data: { props: { a: '$.a[?@.b]' } } }), 'flows[0].steps[0].data.props.a'],
    [
      'record_id',
      aStep({ action: 'delete', data: undefined, id_property: undefined, record_id: '$[(1)]' }),
      'flows[0].steps[0].record_id',
    ],
    [
      'group_id',
      aStep({
        action: 'emit',
        target: undefined,
        entity: undefined,
        id_property: undefined,
        queue: 'outbound-sync',
        source: 'compass_inbound',
        event_type: 'x',
        group_id: '$.a[?(@)]',
      }),
      'flows[0].steps[0].group_id',
    ],
    [
      'nested condition',
      {
        id: 'f',
        action: 'filter',
        condition: {
          any: [
            { path: '$.a', exists: true },
            { path: '$.b[?(@)]', exists: true },
          ],
        },
      },
      'flows[0].steps[0].condition.any[1].path',
    ],
  ])('rejects an unsafe expression in %s', (_, step, path) => {
    const problems = problemsOf(aConfig({ flows: [aFlow({ steps: [step as never] })] }));
    expect(problems).toEqual([{ path, message: expect.stringContaining('not allowed') as unknown }]);
  });

  it('reports a JSONPath syntax error', () => {
    const problems = problemsOf(aConfig({ flows: [aFlow({ steps: [aStep({ data: '$.payload.' })] })] }));
    expect(problems).toEqual([
      {
        path: 'flows[0].steps[0].data',
        message: expect.stringMatching(/^expression "\$\.payload\." is invalid/) as unknown,
      },
    ]);
  });

  it('requires condition paths to be expressions', () => {
    const steps = [{ id: 'f', action: 'filter', condition: { path: 'payload.kind', equals: 'x' } }];
    expect(problemsOf(aConfig({ flows: [aFlow({ steps } as never)] }))).toEqual([
      {
        path: 'flows[0].steps[0].condition.path',
        message: expect.stringContaining('is not an expression') as unknown,
      },
    ]);
  });

  it('validates event_type_from as a JSONPath without evaluating it', () => {
    const problems = problemsOf(
      aConfig({
        flows: [
          aFlow({ event_type_from: '$..[?(@.event)]' }),
          aFlow({ name: 'b', event_type_from: 'event' }),
          aFlow({ name: 'c', event_type_from: '$$.envelope.event_type' }),
        ],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'flows[0].event_type_from',
      'flows[1].event_type_from',
      'flows[2].event_type_from',
    ]);
    expect(problems[2]?.message).toMatch(/use "\$…", not the run context/);
  });

  it('requires record data to be an expression or a mapping, not a literal string', () => {
    expect(problemsOf(aConfig({ flows: [aFlow({ steps: [aStep({ data: 'payload' })] })] }))).toEqual([
      {
        path: 'flows[0].steps[0].data',
        message: expect.stringMatching(/^data must be an expression/) as unknown,
      },
    ]);
  });

  it('requires $$.steps references to name an earlier step of the same flow', () => {
    // Prepare
    const steps = [
      { id: 'shape', action: 'transform', data: { domain: '$$.steps.later.id' } },
      aStep({ id: 'later', data: '$$.steps.shape' }),
    ];
    // Act
    const problems = problemsOf(aConfig({ flows: [aFlow({ steps } as never)] }));
    // Assess
    expect(problems).toEqual([
      {
        path: 'flows[0].steps[0].data.domain',
        message: expect.stringContaining(
          'refers to step "later", which does not run before this step',
        ) as unknown,
      },
    ]);
  });

  it('collects every problem, shape and cross-field, and throws once', () => {
    // Prepare
    const document = aConfig({
      flows: [
        aFlow({ source: 'nope', steps: [aStep(), aStep({ id: 'second', target: 'missing' }), aStep()] }),
        aFlow({ enabeld: true }),
      ],
    });
    // Act
    const act = () => validateConfig(document);
    // Assess
    expect(act).toThrow(ConfigValidationError);
    expect(act).toThrow(/connector config is invalid \(5 problems\)/);
    expect(problemsOf(document).map((p) => p.path)).toEqual([
      'flows[1].enabeld',
      'flows[1].name',
      'flows[0].source',
      'flows[0].steps[2].id',
      'flows[0].steps[1].target',
    ]);
  });

  it('puts the connector id into the error context', () => {
    try {
      validateConfig(aConfig({ flows: [aFlow({ source: 'nope' })] }));
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigValidationError).context).toEqual({ connector: 'acme' });
    }
  });
});
