import { describe, expect, it } from 'vitest';
import {
  compileConfig,
  ConfigValidationError,
  createRecordingTargets,
  PermanentError,
  runFlows,
  validateConfig,
  type ConfigProblem,
  type ConnectorConfigInput,
} from '@flow-worker/runtime';
import { aConfig, aFlow, anEnvelope, aStep, META } from '../fixtures.js';

const associate = (overrides: Record<string, unknown> = {}) =>
  ({
    id: 'link',
    action: 'associate',
    target: 'hubspot',
    from: { entity: 'company', record_id: '$$.steps.upsert_hubspot.id' },
    to: { entity: 'contact', record_id: '$.payload.contact_id' },
    ...overrides,
  }) as never;

function setUp(document: ConnectorConfigInput) {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(document), { targetFactory: recording.factory });
  return { recording, run: () => runFlows(compiled, envelope, META, { emitter: recording.emitter }) };
}

const envelope = anEnvelope({
  payload: { event: 'upsert_company', payload: { name: 'Acme', domain: 'acme.test', contact_id: 501 } },
});

describe('associate step', () => {
  it('links the two records it resolves and reports { from_id, to_id }', async () => {
    // Prepare
    const { recording, run } = setUp(aConfig({ flows: [aFlow({ steps: [aStep(), associate()] })] }));
    // Act
    const outcome = await run();
    // Assess
    expect(outcome.report.flows[0]?.steps[1]).toMatchObject({
      id: 'link',
      action: 'associate',
      status: 'ok',
      result: { from_id: 'hubspot-1', to_id: '501' },
    });
    expect(recording.calls.at(-1)).toEqual({
      target: 'hubspot',
      kind: 'hubspot',
      action: 'associate',
      entity: 'company',
      id: 'hubspot-1',
      to: { entity: 'contact', id: '501' },
    });
  });

  it('passes a bare label as a HUBSPOT_DEFINED type id, and the object form as written', async () => {
    // Prepare
    const steps = [
      aStep(),
      associate({ id: 'primary', label: 1 }),
      associate({ id: 'custom', label: { category: 'USER_DEFINED', type_id: 42 } }),
    ];
    const { recording, run } = setUp(aConfig({ flows: [aFlow({ steps })] }));
    // Act
    await run();
    // Assess
    expect(recording.calls.slice(1).map((call) => call.type)).toEqual([
      { category: 'HUBSPOT_DEFINED', typeId: 1 },
      { category: 'USER_DEFINED', typeId: 42 },
    ]);
  });

  it('fails permanently, before any call, when an end has no id', async () => {
    // Prepare
    const steps = [
      associate({
        from: { entity: 'company', record_id: 7 },
        to: { entity: 'contact', record_id: '$.payload.missing' },
      }),
    ];
    const { recording, run } = setUp(aConfig({ flows: [aFlow({ steps })] }));
    // Act
    const outcome = await run();
    // Assess
    expect(outcome.error).toBeInstanceOf(PermanentError);
    expect(outcome.error?.message).toBe(
      'flow "compass_company_upsert" step "link": to.record_id selected nothing; a non-empty string or number is required',
    );
    expect(recording.attempts).toHaveLength(0);
  });
});

describe('associate step validation', () => {
  const problems = (step: unknown): readonly ConfigProblem[] => {
    try {
      validateConfig(aConfig({ flows: [aFlow({ steps: [aStep(), step as never] })] }));
      return [];
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      return error.problems;
    }
  };

  it('accepts a default and a labelled association', () => {
    expect(problems(associate())).toEqual([]);
    expect(problems(associate({ label: 279 }))).toEqual([]);
    expect(problems(associate({ label: { category: 'INTEGRATOR_DEFINED', type_id: 7 } }))).toEqual([]);
  });

  it('reports each end whose entity HubSpot does not know, at its path', () => {
    const step = associate({
      from: { entity: 'compnay', record_id: '1' },
      to: { entity: 'contacts', record_id: '2' },
    });
    expect(problems(step).map((p) => p.path)).toEqual(['flows[0].steps[1].from.entity']);
  });

  it('refuses associations on an http target', () => {
    expect(problems(associate({ target: 'erp' }))).toEqual([
      {
        path: 'flows[0].steps[1].action',
        message:
          'target "erp": a http target does not support action "associate" (supported: upsert, create, update, delete)',
      },
    ]);
  });

  it('checks the ends’ record_id expressions and labels', () => {
    const step = associate({
      from: { entity: 'company', record_id: '$$.steps.later.id' },
      label: { category: 'SOMEONE', type_id: 0 },
    });
    expect(
      problems(step)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['flows[0].steps[1].from.record_id', 'flows[0].steps[1].label']);
  });
});
