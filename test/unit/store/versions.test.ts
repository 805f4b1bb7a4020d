import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffConfigs, flowChanges, validateConfig } from '@flow-worker/runtime';
import { aConfig, aFlow, aStep } from '../fixtures.js';

/** A flow drawn from a few names, states and step lists, so two draws often share names. */
const flowArbitrary = fc
  .record({
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    enabled: fc.option(fc.boolean(), { nil: undefined }),
    steps: fc.subarray(['x', 'y', 'z'], { minLength: 1 }),
    event_type: fc.constantFrom('upsert_company', 'delete_company'),
  })
  .map(({ name, enabled, steps, event_type }) =>
    aFlow({
      name,
      event_type,
      ...(enabled === undefined ? {} : { enabled }),
      steps: steps.map((id) => aStep({ id })),
    }),
  );
const flowsArbitrary = fc.uniqueArray(flowArbitrary, { selector: (flow) => flow.name, maxLength: 5 });

describe('flowChanges (history) against diffConfigs (diff), the reference', () => {
  it('names the same flows added, removed and changed', () => {
    fc.assert(
      fc.property(flowsArbitrary, flowsArbitrary, (older, newer) => {
        const before = validateConfig(aConfig({ flows: older }));
        const after = validateConfig(aConfig({ flows: newer }));
        const byName = (config: typeof before) => new Map(config.flows.map((flow) => [flow.name, flow]));

        const changes = flowChanges(byName(before), byName(after));
        const reference = diffConfigs(before, after).flows;

        expect(changes.added).toEqual(reference.added);
        expect(changes.removed).toEqual(reference.removed);
        expect(changes.changed).toEqual(reference.changed.map((c) => c.name));
      }),
    );
  });
});
