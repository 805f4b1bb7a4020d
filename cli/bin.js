#!/usr/bin/env node
// The package's `flow-worker` bin: runs the TypeScript CLI through tsx, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./flow-worker.ts');
