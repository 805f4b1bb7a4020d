import { describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, checkConfigLimits, nestingDepth, storageProblems } from '@flow-worker/runtime';
import { aConfig, aFlow, aStep } from '../fixtures.js';

type Json = string | { deeper: Json };

/** `levels` objects nested in one another. */
function nested(levels: number): Json {
  let data: Json = 'leaf';
  for (let i = 0; i < levels; i += 1) data = { deeper: data };
  return data;
}

describe('checkConfigLimits', () => {
  it('finds nothing in a config well inside every limit', () => {
    expect(checkConfigLimits(aConfig())).toEqual([]);
  });

  it('warns from 80 % of a limit and fails above it, naming the limit, the value and where', () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => aStep({ id: `s${i}` }));
    const config = aConfig({
      flows: [aFlow({ name: 'close', steps: steps(80) }), aFlow({ name: 'over', steps: steps(101) })],
    });

    const findings = checkConfigLimits(config);

    expect(findings).toEqual([
      {
        level: 'error',
        limit: 'stepsPerFlow',
        path: 'flows[1].steps',
        value: 101,
        max: 100,
        message: 'the flow has 101 steps, over the limit of 100 steps (stepsPerFlow)',
      },
      expect.objectContaining({
        level: 'warning',
        path: 'flows[0].steps',
        message: 'the flow has 80 steps, close to the limit of 100 steps (stepsPerFlow)',
      }),
    ]);
  });

  it('measures the size as JSON text in bytes, and the number of flows', () => {
    const findings = checkConfigLimits(aConfig(), CONFIG_LIMITS.documentBytes * 0.9);
    const flows = checkConfigLimits({ flows: new Array(CONFIG_LIMITS.flows + 1).fill({}) });

    expect(findings[0]?.message).toBe(
      'the config as JSON is 57.6 MB, close to the limit of 64.0 MB (documentBytes)',
    );
    expect(flows[0]?.message).toBe('the config has 100,001 flows, over the limit of 100,000 flows (flows)');
  });

  it('measures nesting the way DynamoDB counts map levels, the document being level 1', () => {
    // config → flows → flow → steps → step → data: data's own object is level 6
    const deep = aConfig({
      flows: [aFlow({ steps: [{ id: 't', action: 'transform', data: { deeper: nested(26) } }] })],
    });

    expect(nestingDepth({})).toBe(1);
    expect(nestingDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(nestingDepth(deep)).toBe(32);
    expect(checkConfigLimits(deep)).toEqual([
      expect.objectContaining({ level: 'warning', limit: 'nestingDepth', value: 32 }),
    ]);
  });

  it('measures any depth without running out of stack', () => {
    expect(nestingDepth(nested(100_000))).toBe(100_000);
  });
});

describe('storageProblems', () => {
  it('refuses a connector id holding the key separator', () => {
    expect(storageProblems(aConfig({ connector_id: 'acme#eu' }))).toEqual([
      {
        path: 'connector_id',
        message: 'a connector id cannot contain "#": it separates the parts of the config table\'s keys',
      },
    ]);
    expect(storageProblems(aConfig())).toEqual([]);
  });
});
