import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { streamWebImporters } from '../../lib/handler-bundle.js';
import { ReadableStream as StandIn } from '../../lib/shims/node-stream-web.js';

describe('the node:stream/web stand-in of the handler bundles', () => {
  it('answers instanceof as the real ReadableStream does', () => {
    expect(new globalThis.ReadableStream() instanceof StandIn).toBe(true);
    for (const other of [{}, null, 'text', new Uint8Array(1), new globalThis.WritableStream()]) {
      expect(other instanceof StandIn).toBe(false);
    }
  });

  it('finds every bundled file that imports node:stream/web, under either name', () => {
    const input = (imports: { path: string; original?: string }[]) => ({
      bytes: 1,
      imports: imports.map((entry) => ({ ...entry, kind: 'import-statement' as const })),
    });
    const metafile: Metafile = {
      inputs: {
        'node_modules/@middy/core/index.js': input([
          { path: 'lib/shims/node-stream-web.ts', original: 'node:stream/web' },
        ]),
        'node_modules/other/index.js': input([
          { path: 'lib/shims/node-stream-web.ts', original: 'stream/web' },
        ]),
        'lambdas/flow-runtime/src/index.ts': input([{ path: 'node:stream' }]),
      },
      outputs: {},
    };

    expect(streamWebImporters(metafile)).toEqual([
      'node_modules/@middy/core/index.js',
      'node_modules/other/index.js',
    ]);
  });
});
