/**
 * @flow-worker/runtime — the shared matcher and step runner used by both flow-worker Lambdas,
 * the local CLI and the tests. This file is the package's public surface: re-exports only.
 */
export * from './errors.js';
export * from './envelope.js';
export * from './config.js';
export type * from './report.js';
export type * from './targets/target.js';
export * from './manifest.js';
export * from './diff.js';
