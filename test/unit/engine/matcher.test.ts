import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFlowIndex } from '@flow-worker/runtime';

interface TestFlow {
  readonly name: string;
  readonly source: string;
  readonly event_type: string;
  readonly enabled: boolean;
}

/** The seed's rule, written the obvious way: the model the index must agree with. */
const naive = (flows: readonly TestFlow[], source: string, eventType: string) =>
  flows.filter((f) => f.enabled && f.source === source && f.event_type === eventType);

// Few distinct names (so pairs repeat), including separator-like characters.
const nameArb = fc.constantFrom('a', 'b', 'a|b', 'b|c', 'c', '"', '["a"', '', 'a","b');
const flowsArb = fc
  .array(fc.record({ source: nameArb, event_type: nameArb, enabled: fc.boolean() }), { maxLength: 30 })
  .map((flows) => flows.map((f, i): TestFlow => ({ ...f, name: `flow-${i}` })));

describe('buildFlowIndex', () => {
  it('agrees with the naive filter for any flows and query, including disabled flows and duplicate pairs', () => {
    fc.assert(
      fc.property(flowsArb, nameArb, nameArb, (flows, source, eventType) => {
        // Act
        const matched = buildFlowIndex(flows).match(source, eventType);
        // Assess
        expect(matched.map((f) => f.name)).toEqual(naive(flows, source, eventType).map((f) => f.name));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the naive filter for every pair present in the config', () => {
    fc.assert(
      fc.property(flowsArb, (flows) => {
        const index = buildFlowIndex(flows);
        for (const flow of flows) {
          expect(index.match(flow.source, flow.event_type)).toEqual(
            naive(flows, flow.source, flow.event_type),
          );
        }
      }),
    );
  });

  it('keeps pairs apart whatever characters the names contain', () => {
    // Prepare
    const flows: TestFlow[] = [
      { name: 'one', source: 'a|b', event_type: 'c', enabled: true },
      { name: 'two', source: 'a', event_type: 'b|c', enabled: true },
    ];
    // Act
    const index = buildFlowIndex(flows);
    // Assess
    expect(index.match('a|b', 'c').map((f) => f.name)).toEqual(['one']);
    expect(index.match('a', 'b|c').map((f) => f.name)).toEqual(['two']);
  });

  it('returns flows in declared order and skips disabled ones', () => {
    const flows: TestFlow[] = [
      { name: 'first', source: 's', event_type: 'e', enabled: true },
      { name: 'paused', source: 's', event_type: 'e', enabled: false },
      { name: 'other', source: 's', event_type: 'x', enabled: true },
      { name: 'second', source: 's', event_type: 'e', enabled: true },
    ];
    expect(
      buildFlowIndex(flows)
        .match('s', 'e')
        .map((f) => f.name),
    ).toEqual(['first', 'second']);
  });

  it('returns an empty list when nothing matches', () => {
    expect(buildFlowIndex([]).match('s', 'e')).toEqual([]);
  });
});
