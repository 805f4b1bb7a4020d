import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { median } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';

const GOAL_KB = 250;
const GOAL_IMPORT_RATIO = 2;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Under the repo (gitignored), so the external `@aws-sdk/*` resolve from node_modules as in Lambda's runtime. */
const outRoot = fileURLToPath(new URL('../../.bench/bundles/', import.meta.url));

const BUNDLES = {
  'inbound-sync': 'lambdas/inbound-sync/handler.ts',
  'outbound-sync': 'lambdas/outbound-sync/handler.ts',
  'bare middy': 'bench/fixtures/bare-middy-handler.ts',
  'AWS SDK clients only': 'bench/fixtures/sdk-clients-handler.ts',
} as const;
type BundleName = keyof typeof BUNDLES;

/**
 * The esbuild options `NodejsFunction` derives from the construct's `BundlingOptions` (aws-cdk-lib's
 * `Bundling.buildEsbuildArgs`), as a JS API call, plus a metafile.
 */
export function esbuildOptionsOf(bundling: BundlingOptions, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: bundling.target ?? 'node24',
    ...(bundling.format === undefined ? {} : { format: bundling.format }),
    outfile,
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    ...(bundling.loader === undefined ? {} : { loader: bundling.loader as BuildOptions['loader'] }),
    ...(bundling.define === undefined ? {} : { define: bundling.define }),
    keepNames: bundling.keepNames ?? false,
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.footer === undefined ? {} : { footer: { js: bundling.footer } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
    metafile: true,
    logLevel: 'error',
    absWorkingDir: repoRoot,
  };
}

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
  /** Largest contributors to the output, by package (or `flow-worker` for our sources). */
  readonly topPackages: readonly { name: string; bytes: number }[];
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? 'flow-worker';
}

function summarize(metafile: Metafile, file: string): Bundle {
  let bytes = 0;
  let mapBytes = 0;
  const byPackage = new Map<string, number>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (path.endsWith('.map')) {
      mapBytes += output.bytes;
      continue;
    }
    bytes += output.bytes;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const topPackages = [...byPackage]
    .map(([name, size]) => ({ name, bytes: size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
  return { file, bytes, mapBytes, topPackages };
}

/** Milliseconds a fresh `node` process spends in `await import(bundle)` (module load + top-level code). */
function importMs(file: string): { importMs: number; processMs: number } {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t0));`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      CONFIG_TABLE_NAME: 'flow-worker-config',
      DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound-sync-dlq.fifo',
    },
  });
  const processMs = performance.now() - started;
  const value = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(value)) {
    throw new Error(`importing ${file} failed (${child.status}): ${child.stderr}`);
  }
  return { importMs: value, processMs };
}

const kb = (bytes: number) => bytes / 1024;

/**
 * Case 6: cold-start proxies. Bundles both handlers with the construct's own bundling options and
 * times a fresh `node` importing each bundle, against a bare middy handler bundled the same way.
 */
export async function coldStart(mode: BenchMode): Promise<CaseResult> {
  const started = performance.now();
  // The construct's options themselves, so the bench cannot drift from what is deployed.
  const { ESM_BUNDLING } = await import('../../lib/sync-function.js');
  rmSync(outRoot, { recursive: true, force: true });

  const bundles = {} as Record<BundleName, Bundle>;
  for (const [name, entry] of Object.entries(BUNDLES) as [BundleName, string][]) {
    const extension = String(ESM_BUNDLING.format) === 'esm' ? 'mjs' : 'js';
    const outfile = `${outRoot}${name.replaceAll(' ', '-')}/index.${extension}`;
    const result = await build(esbuildOptionsOf(ESM_BUNDLING, entry, outfile));
    bundles[name] = summarize(result.metafile as Metafile, outfile);
  }

  const names = Object.keys(BUNDLES) as BundleName[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    BundleName,
    number[]
  >;
  const processSamples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    BundleName,
    number[]
  >;
  for (const name of names) importMs(bundles[name].file); // warm the file cache once
  for (let run = 0; run < mode.importRuns; run += 1) {
    for (const name of names) {
      const measured = importMs(bundles[name].file);
      samples[name].push(measured.importMs);
      processSamples[name].push(measured.processMs);
    }
  }
  const medians = Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<
    BundleName,
    number
  >;
  const baseline = medians['bare middy'];

  const rows: ResultRow[] = [];
  for (const name of ['inbound-sync', 'outbound-sync'] as const) {
    const size = kb(bundles[name].bytes);
    const importRatio = medians[name] / baseline;
    rows.push({
      metric: `${name}: bundle size`,
      value: `${size.toFixed(1)} KB`,
      goal: `≤ ${GOAL_KB} KB`,
      verdict: verdict(size <= GOAL_KB),
    });
    rows.push({
      metric: `${name}: import ${medians[name].toFixed(0)} ms vs bare middy ${baseline.toFixed(1)} ms`,
      value: ratio(importRatio),
      goal: `≤ ${GOAL_IMPORT_RATIO}×`,
      verdict: verdict(importRatio <= GOAL_IMPORT_RATIO),
    });
  }
  const sdkOnly = medians['AWS SDK clients only'];
  rows.push({
    metric: `AWS SDK clients alone: import ${sdkOnly.toFixed(0)} ms`,
    value: `${ratio(sdkOnly / baseline)} (${((sdkOnly / medians['inbound-sync']) * 100).toFixed(0)}% of inbound)`,
    goal: '—',
    verdict: 'info',
  });
  rows.push({
    metric: 'inbound-sync import vs SDK-clients-only bundle (our own code)',
    value: ratio(medians['inbound-sync'] / sdkOnly),
    goal: '—',
    verdict: 'info',
  });

  return {
    id: 6,
    title: 'Cold-start proxies',
    parameters: { importRuns: mode.importRuns, bundling: 'ESM_BUNDLING (lib/sync-function.ts)' },
    data: {
      bundles: Object.fromEntries(
        names.map((name) => [
          name,
          {
            kb: kb(bundles[name].bytes),
            mapKb: kb(bundles[name].mapBytes),
            topPackages: bundles[name].topPackages,
            importMsMedian: medians[name],
            importMsSamples: samples[name],
            processMsMedian: median(processSamples[name]),
          },
        ]),
      ),
    },
    rows,
    notes: [
      `esbuild ${ESM_BUNDLING.format ?? 'cjs'}, target ${ESM_BUNDLING.target ?? '(runtime)'}, minify ${String(ESM_BUNDLING.minify)}, external ${(ESM_BUNDLING.externalModules ?? []).join(' ')}; KB = 1024 bytes, .mjs only (source map not counted)`,
      `inbound-sync largest inputs: ${bundles['inbound-sync'].topPackages.map((p) => `${p.name} ${kb(p.bytes).toFixed(0)} KB`).join(', ')}`,
      `import = \`await import(bundle)\` in a fresh node (median of ${mode.importRuns}); @aws-sdk/* is loaded from node_modules, as Lambda loads it from the runtime; bare middy bundle ${kb(bundles['bare middy'].bytes).toFixed(1)} KB`,
    ],
    durationMs: performance.now() - started,
  };
}
