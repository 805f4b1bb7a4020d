/**
 * JSON.parse source text access and JSON.rawJSON (ES2025 "JSON.parse source text access", shipped
 * in Node.js 22+), which TypeScript 5.9's ES2024 lib does not declare yet.
 */
declare global {
  /** A frozen, null-prototype object whose JSON text `JSON.stringify` writes as is. */
  interface RawJSON {
    readonly rawJSON: string;
  }

  /** The third argument of a `JSON.parse` reviver: the source text of a primitive value. */
  interface JSONReviverContext {
    readonly source?: string;
  }

  interface JSON {
    parse(
      text: string,
      reviver: (this: unknown, key: string, value: unknown, context: JSONReviverContext) => unknown,
    ): unknown;
    rawJSON(text: string): RawJSON;
    isRawJSON(value: unknown): value is RawJSON;
  }
}

export {};
