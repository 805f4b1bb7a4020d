#!/usr/bin/env node
// The package's `flow-worker` bin: runs the TypeScript CLI through tsx, with no build step.
import { readFileSync } from 'node:fs';
import { nodeVersionProblem } from './node-version.js';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const problem = nodeVersionProblem(process.version, engines.node);
if (problem !== undefined) {
  process.stderr.write(`flow-worker: error: ${problem}\n`);
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
// A computed specifier: the TypeScript entry is for tsx to load, not for the type checker to follow.
const entry = './flow-worker.ts';
await import(entry);
