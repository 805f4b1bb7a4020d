import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions, type BuildResult, type Metafile } from 'esbuild';

/** Paths are resolved from this file, not the working directory: `cdk synth` and vitest run from anywhere. */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const STREAM_WEB_SHIM = fileURLToPath(new URL('./shims/node-stream-web.ts', import.meta.url));

/**
 * How both handlers are bundled (esbuild, locally, no Docker): ES modules for nodejs24.x, the AWS SDK
 * bundled, tree-shaken and minified with the rest (not taken from the runtime's copy: importing it
 * that way takes about two thirds of the time, and the deployed SDK is then exactly the version the
 * tests ran with), and code splitting: what the handler loads only when it needs it (the config
 * validation, with zod, loaded when a container compiles its first config) is a chunk of its own
 * that a cold start does not even read. Measured in docs/performance.md (bench case 6).
 *
 * `node:stream/web` is replaced by a stand-in (`lib/shims/node-stream-web.ts`): only middy's core
 * imports it, for a check flow-worker never reaches, and loading the real module cost about 2 ms of
 * a handler's import (6.5 ms in a bare `node`). {@link bundleHandler} refuses a bundle in which anything else imports it.
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
  alias: { 'node:stream/web': STREAM_WEB_SHIM, 'stream/web': STREAM_WEB_SHIM },
} as const satisfies BuildOptions;

/** The only package the `node:stream/web` stand-in is written for. */
const STREAM_WEB_IMPORTER = /(^|\/)node_modules\/@middy\/core\//;

/** The entry file every bundle starts from. */
export const HANDLER_ENTRY_FILE = 'index.mjs';

/**
 * Bundles one handler (`entry`, relative to the repository or absolute) into `outdir`: `index.mjs`,
 * its chunks under `chunks/`, and their source maps. Synchronous, as CDK's local bundling is.
 * `overrides`: `sourcemap: false` for a deployment without source maps (the construct's
 * `sourceMaps`), `splitting` for the bench's reference bundles only.
 */
export function bundleHandler(
  entry: string,
  outdir: string,
  overrides: Pick<BuildOptions, 'splitting' | 'sourcemap'> = {},
): BuildResult<{ metafile: true }> {
  const result = buildSync({
    ...HANDLER_BUILD_OPTIONS,
    ...overrides,
    entryPoints: [entry],
    outdir,
    absWorkingDir: repoRoot,
    metafile: true,
  });
  const others = streamWebImporters(result.metafile).filter(
    (importer) => !STREAM_WEB_IMPORTER.test(importer),
  );
  if (others.length > 0) {
    throw new Error(
      `${entry}: ${others.join(', ')} import node:stream/web, which the handler bundles replace with a stand-in made for @middy/core only (lib/shims/node-stream-web.ts)`,
    );
  }
  return result;
}

/** The bundled files that import `node:stream/web` (the stand-in, once aliased). */
export function streamWebImporters(metafile: Metafile): string[] {
  return Object.entries(metafile.inputs)
    .filter(([, input]) =>
      input.imports.some(({ original }) => original === 'node:stream/web' || original === 'stream/web'),
    )
    .map(([file]) => file);
}
