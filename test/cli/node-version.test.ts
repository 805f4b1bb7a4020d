import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../cli/node-version.js';
import { HANDLER_BUILD_OPTIONS } from '../../lib/handler-bundle.js';

const { engines, devDependencies } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { engines: { node: string }; devDependencies: { node: string } };

describe('the Node.js the project runs on', () => {
  it('is the Node.js 24 that npm installs with the project: npm scripts and this test run on it', () => {
    expect(process.versions.node).toBe(devDependencies.node);
    expect(nodeVersionProblem(process.version, engines.node)).toBeUndefined();
  });

  it('meets engines, and Lambda runs the same major', () => {
    const source = readFileSync(new URL('../../lib/sync-function.ts', import.meta.url), 'utf8');
    const major = devDependencies.node.split('.')[0];
    expect(engines.node).toMatch(new RegExp(`^>=${major}\\.`));
    expect(source).toContain(`Runtime.NODEJS_${major}_X`);
    expect(HANDLER_BUILD_OPTIONS.target).toBe(`node${major}`);
  });
});

describe('nodeVersionProblem', () => {
  it('accepts the required version and newer ones', () => {
    expect(nodeVersionProblem('v24.11.0', '>=24.11')).toBeUndefined();
    expect(nodeVersionProblem('v24.21.0', '>=24.11')).toBeUndefined();
    expect(nodeVersionProblem('v26.0.0', '>=24.11')).toBeUndefined();
  });

  it("refuses an older Node.js and says how to run the project's own", () => {
    expect(nodeVersionProblem('v20.20.2', '>=24.11')).toMatch(
      /needs Node\.js 24\.11 or newer, and this is Node\.js v20\.20\.2.*npm run flow-worker/,
    );
    expect(nodeVersionProblem('v24.10.0', '>=24.11')).toBeDefined();
  });
});

describe('the flow-worker bin', () => {
  it("runs on the project's Node.js", () => {
    const result = spawnSync(process.execPath, ['cli/bin.js', '--version'], { encoding: 'utf8' });

    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
