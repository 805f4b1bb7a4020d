import { describe, expect, it } from 'vitest';
import {
  compileConfig,
  createRecordingTargets,
  validateConfig,
  type TargetDefinition,
  type TargetFactory,
} from '@flow-worker/runtime';
import { aConfig, aFlow, aStep } from '../fixtures.js';

describe('compileConfig', () => {
  it('builds one target per definition, once for the whole config version', () => {
    // Prepare
    const built: string[] = [];
    const recording = createRecordingTargets();
    const factory: TargetFactory = (definition: TargetDefinition) => {
      built.push(definition.name);
      return recording.factory(definition);
    };
    const config = validateConfig(aConfig({ flows: [aFlow({ name: 'a' }), aFlow({ name: 'b' })] }));

    // Act
    const compiled = compileConfig(config, { targetFactory: factory });

    // Assess
    expect(built).toEqual(['hubspot', 'erp']);
    expect([...compiled.targets.keys()]).toEqual(['hubspot', 'erp']);
    expect(compiled).toMatchObject({ connectorId: 'acme', version: 3 });
  });

  it('matches enabled flows of the exact (source, event_type) in declared order', () => {
    const config = validateConfig(
      aConfig({
        flows: [
          aFlow({ name: 'first' }),
          aFlow({ name: 'paused', enabled: false }),
          aFlow({ name: 'other_type', event_type: 'upsert_contact' }),
          aFlow({ name: 'second' }),
        ],
      }),
    );

    const compiled = compileConfig(config, { targetFactory: createRecordingTargets().factory });

    expect(compiled.matchFlows('compass_inbound', 'upsert_company').map((f) => f.name)).toEqual([
      'first',
      'second',
    ]);
    expect(compiled.matchFlows('compass_inbound', 'UPSERT_COMPANY')).toEqual([]);
  });

  it('compiles every step of a flow with its id, action and on_error mode', () => {
    const config = validateConfig(
      aConfig({
        flows: [
          aFlow({
            steps: [
              { id: 'shape', action: 'transform', data: { domain: '$.payload.domain' } },
              aStep({ id: 'write', on_error: 'continue', data: '$$.steps.shape' }),
            ],
          }),
        ],
      }),
    );

    const [flow] = compileConfig(config, { targetFactory: createRecordingTargets().factory }).matchFlows(
      'compass_inbound',
      'upsert_company',
    );

    expect(flow?.steps.map((s) => [s.id, s.action, s.onError])).toEqual([
      ['shape', 'transform', 'fail'],
      ['write', 'upsert', 'continue'],
    ]);
  });
});

describe('compileConfig, deferred step compilation', () => {
  it("compiles a flow's steps once: every match of the flow gets the same compiled steps", () => {
    // Prepare
    const config = validateConfig(aConfig({ flows: [aFlow({ name: 'only' })] }));
    const compiled = compileConfig(config, { targetFactory: createRecordingTargets().factory });

    // Act
    const [first] = compiled.matchFlows('compass_inbound', 'upsert_company');
    const [again] = compiled.matchFlows('compass_inbound', 'upsert_company');

    // Assess
    expect(again).toBe(first);
    expect(again?.steps).toBe(first?.steps);
    expect(first?.steps.map((s) => s.id)).toEqual(config.flows[0]?.steps.map((s) => s.id));
  });
});
