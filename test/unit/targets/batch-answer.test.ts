import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchBatchAnswer, type BatchInputRef } from '@flow-worker/runtime';

/**
 * Reference model: HubSpot answers a batch with one result per written input and one error per
 * failed input, in any order, naming results by their properties (and maybe the trace id) and
 * errors by trace id or record id. Every input must get back exactly its own answer.
 */

const lower = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : undefined);
const byDomain = {
  ofResult: (result: Readonly<Record<string, unknown>>) => {
    const key = lower((result.properties as Record<string, unknown> | undefined)?.domain);
    return key === undefined ? [] : [key];
  },
  ofError: (error: Readonly<Record<string, unknown>>) =>
    (((error.context as Record<string, unknown> | undefined)?.ids ?? []) as string[]).map((id) =>
      id.toLowerCase(),
    ),
};
const noKeys = { ofResult: () => [], ofError: () => [] };

const permutationOf = <T>(items: readonly T[]) =>
  fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }).map((weights) =>
    items
      .map((item, i) => ({ item, weight: weights[i] ?? 0 }))
      .sort((a, b) => a.weight - b.weight)
      .map((x) => x.item),
  );

const fates = fc.array(fc.record({ ok: fc.boolean(), shout: fc.boolean(), errorByTrace: fc.boolean() }), {
  minLength: 1,
  maxLength: 30,
});

describe('matchBatchAnswer', () => {
  it('gives every upsert input its own result or error, whatever the order and naming', () => {
    fc.assert(
      fc.property(
        fates.chain((inputs) => fc.tuple(fc.constant(inputs), fc.boolean(), fc.nat())),
        ([inputs, echo, seed]) => {
          const refs: BatchInputRef[] = inputs.map((_, i) => ({ traceId: String(i), key: `c${i}.test` }));
          const results = inputs.flatMap((input, i) =>
            input.ok
              ? [
                  {
                    id: `90${i}`,
                    properties: { domain: input.shout ? `C${i}.TEST` : `c${i}.test` },
                    ...(echo ? { objectWriteTraceId: String(i) } : {}),
                  },
                ]
              : [],
          );
          const errors = inputs.flatMap((input, i) =>
            input.ok
              ? []
              : [
                  {
                    status: 'error',
                    message: `bad ${i}`,
                    context: input.errorByTrace
                      ? { objectWriteTraceId: [String(i)] }
                      : { ids: [`c${i}.test`] },
                  },
                ],
          );
          const shuffled = fc.sample(fc.tuple(permutationOf(results), permutationOf(errors)), {
            numRuns: 1,
            seed,
          })[0];

          const outcomes = matchBatchAnswer(
            refs,
            { status: 'COMPLETE', results: shuffled?.[0], errors: shuffled?.[1] },
            byDomain,
          );

          outcomes.forEach((outcome, i) => {
            if (inputs[i]?.ok === true)
              expect(outcome).toMatchObject({ kind: 'result', result: { id: `90${i}` } });
            else expect(outcome).toMatchObject({ kind: 'error', error: { message: `bad ${i}` } });
          });
        },
      ),
    );
  });

  it('maps created records back by the properties they echo when trace ids are not echoed', () => {
    fc.assert(
      fc.property(
        fates.chain((inputs) => fc.tuple(fc.constant(inputs), permutationOf(inputs.map((_, i) => i)))),
        ([inputs, order]) => {
          const refs: BatchInputRef[] = inputs.map((_, i) => ({
            traceId: String(i),
            properties: { email: `p${i}@acme.test`, firstname: 'Same' },
          }));
          const results = order
            .filter((i) => inputs[i]?.ok)
            .map((i) => ({
              id: `70${i}`,
              properties: { email: `P${i}@Acme.test`, firstname: 'Same', hs_object_id: `70${i}` },
            }));
          const errors = order
            .filter((i) => inputs[i]?.ok === false)
            .map((i) => ({ message: `conflict ${i}`, context: { objectWriteTraceId: [String(i)] } }));

          const outcomes = matchBatchAnswer(refs, { results, errors }, noKeys);

          outcomes.forEach((outcome, i) => {
            if (inputs[i]?.ok === true)
              expect(outcome).toMatchObject({ kind: 'result', result: { id: `70${i}` } });
            else expect(outcome).toMatchObject({ kind: 'error', error: { message: `conflict ${i}` } });
          });
        },
      ),
    );
  });

  it('pairs the one input left without an answer with the one error that names nothing', () => {
    // Prepare: HubSpot was seen answering `ids: [""]` for an update of a missing record.
    const refs = [
      { traceId: '0', key: '1' },
      { traceId: '1', key: '2' },
    ];
    const body = { results: [{ id: '2' }], errors: [{ message: 'not found', context: { ids: [''] } }] };
    const keys = { ofResult: (r: Readonly<Record<string, unknown>>) => [String(r.id)], ofError: () => [] };
    // Act
    const outcomes = matchBatchAnswer(refs, body, keys);
    // Assess
    expect(outcomes).toEqual([
      { kind: 'error', error: body.errors[0] },
      { kind: 'result', result: body.results[0] },
    ]);
  });

  it('says "unknown" for inputs the answer does not account for', () => {
    expect(
      matchBatchAnswer(
        [
          { traceId: '0', key: 'a' },
          { traceId: '1', key: 'b' },
        ],
        { results: [] },
        byDomain,
      ),
    ).toEqual([{ kind: 'unknown' }, { kind: 'unknown' }]);
  });
});
