import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions, type BuildResult } from 'esbuild';

/** Paths are resolved from this file, not the working directory: `cdk synth` and vitest run from anywhere. */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * How both handlers are bundled (esbuild, locally, no Docker): ES modules for nodejs24.x, the AWS SDK
 * bundled, tree-shaken and minified with the rest (not taken from the runtime's copy: importing it
 * that way takes about two thirds of the time, and the deployed SDK is then exactly the version the
 * tests ran with), and code splitting: what the handler loads only when it needs it (the config
 * validation, with zod, loaded when a container compiles its first config) is a chunk of its own
 * that a cold start does not even read. Measured in docs/performance.md (bench case 6).
 *
 * The banner gives CommonJS dependencies bundled into an ES module a working `require`;
 * `sourcesContent: false` keeps the maps small (stack traces need the mappings, not a second copy of
 * the code). The entry is always `index.mjs`, so the Lambda handler is `index.handler`.
 */
export const HANDLER_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  logLevel: 'error',
} as const satisfies BuildOptions;

/** The entry file every bundle starts from. */
export const HANDLER_ENTRY_FILE = 'index.mjs';

/**
 * Bundles one handler (`entry`, relative to the repository or absolute) into `outdir`: `index.mjs`,
 * its chunks under `chunks/`, and their source maps. Synchronous, as CDK's local bundling is.
 * `overrides` is for the bench's reference bundles only.
 */
export function bundleHandler(
  entry: string,
  outdir: string,
  overrides: Pick<BuildOptions, 'splitting'> = {},
): BuildResult<{ metafile: true }> {
  return buildSync({
    ...HANDLER_BUILD_OPTIONS,
    ...overrides,
    entryPoints: [entry],
    outdir,
    absWorkingDir: repoRoot,
    metafile: true,
  });
}
