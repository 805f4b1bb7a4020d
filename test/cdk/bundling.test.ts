import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './support/synth.js';

// The one CDK test that really runs esbuild (the others skip bundling): it proves the handlers bundle
// as ES modules for nodejs24.x without Docker, with the options the construct sets.
describe('handler bundles', () => {
  let outdir: string;
  let bundles: { dir: string; code: string }[];

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'flow-worker-cdk-'));
    const app = new App({ outdir });
    buildStack({}, app);
    // A plain App (no cdk.json context) is enough here: the flags do not change how assets bundle.
    app.synth();
    bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory())
      .map((name) => ({
        dir: join(outdir, name),
        code: readFileSync(join(outdir, name, 'index.mjs'), 'utf8'),
      }));
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('produces one ESM bundle per handler', () => {
    expect(bundles).toHaveLength(2);
  });

  it('starts each bundle with the createRequire banner, so bundled CommonJS can require', () => {
    for (const { code } of bundles) {
      expect(
        code.startsWith(
          "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
    }
  });

  it('exports handler as an ES module and leaves the AWS SDK to the runtime', () => {
    for (const { code } of bundles) {
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\s*\}/);
      expect(code).toMatch(/from\s*"@aws-sdk\/client-(sqs|dynamodb|secrets-manager)"/);
      expect(code).not.toContain('module.exports');
    }
  });

  it('ships a source map next to each bundle', () => {
    for (const { dir, code } of bundles) {
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).toContain('sourceMappingURL=index.mjs.map');
    }
  });
});
