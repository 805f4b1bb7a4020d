/**
 * Stands in for `node:stream/web` in the handler bundles (`lib/handler-bundle.ts`). Its one importer
 * there, `@middy/core`, reads `ReadableStream` for a single `instanceof` check in its
 * response-streaming mode, which flow-worker does not use; importing the real module cost about
 * 2 ms of CPU of a handler's cold start (6.5 ms in a bare `node`; docs/performance.md, cold start). This class answers that check
 * as the real one does, and reaches the real class (Node's global, loaded on first use) only then.
 */
export class ReadableStream {
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  }
}
