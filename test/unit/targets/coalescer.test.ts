import { describe, expect, it } from 'vitest';
import { Coalescer, type CoalescedEntry } from '@flow-worker/runtime';

interface Entry extends CoalescedEntry {
  readonly name: string;
  readonly key?: string;
}

/** A coalescer whose batches are recorded and answered when the test says so. */
function harness(options: { maxBatchSize?: number } = {}) {
  const batches: { lane: string; names: string[]; finish: () => void }[] = [];
  const failures: { name: string; error: unknown }[] = [];
  const coalescer = new Coalescer<Entry>({
    maxBatchSize: options.maxBatchSize ?? 100,
    conflictKey: (entry) => entry.key,
    acquire: (signal) =>
      signal?.aborted === true ? Promise.reject(new Error('aborted')) : Promise.resolve(),
    send: (lane, entries) =>
      new Promise<void>((resolve) =>
        batches.push({ lane, names: entries.map((e) => e.name), finish: resolve }),
      ),
  });
  const entry = (name: string, extra: Partial<Entry> = {}): Entry => ({
    name,
    fail: (error) => failures.push({ name, error }),
    ...extra,
  });
  return { coalescer, batches, failures, entry };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('sends what was submitted in one turn of the event loop as one batch per lane', async () => {
    // Prepare
    const { coalescer, batches, entry } = harness();
    // Act
    coalescer.submit('upsert companies', entry('a'));
    await Promise.resolve();
    coalescer.submit('upsert companies', entry('b'));
    coalescer.submit('create notes', entry('c'));
    await turn();
    await turn();
    // Assess
    expect(batches.map(({ lane, names }) => [lane, names])).toEqual([
      ['upsert companies', ['a', 'b']],
      ['create notes', ['c']],
    ]);
  });

  it('cuts batches at maxBatchSize, keeping submission order', async () => {
    // Prepare
    const { coalescer, batches, entry } = harness({ maxBatchSize: 2 });
    // Act
    for (const name of ['a', 'b', 'c', 'd', 'e']) coalescer.submit('lane', entry(name));
    for (let i = 0; i < 4; i += 1) await turn();
    // Assess
    expect(batches.map((b) => b.names)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('holds a request for a record until the call carrying the same record has answered', async () => {
    // Prepare
    const { coalescer, batches, entry } = harness();
    coalescer.submit('lane', entry('first', { key: 'acme.test' }));
    coalescer.submit('lane', entry('other', { key: 'globex.test' }));
    coalescer.submit('lane', entry('second', { key: 'acme.test' }));
    await turn();
    await turn();
    const before = batches.map((b) => b.names);
    // Act
    batches[0]?.finish();
    await turn();
    await turn();
    // Assess
    expect(before).toEqual([['first', 'other']]);
    expect(batches.map((b) => b.names)).toEqual([['first', 'other'], ['second']]);
  });

  it('fails the requests whose invocation is ending instead of waiting for a slot', async () => {
    // Prepare
    const { coalescer, batches, failures, entry } = harness();
    const ending = new AbortController();
    ending.abort();
    // Act
    coalescer.submit('lane', entry('late', { signal: ending.signal }));
    coalescer.submit('lane', entry('fine'));
    for (let i = 0; i < 3; i += 1) await turn();
    // Assess
    expect(failures.map((f) => f.name)).toEqual(['late']);
    expect(batches.map((b) => b.names)).toEqual([['fine']]);
  });
});
