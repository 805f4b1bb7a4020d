import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ratio, verdict, type CaseResult, type ResultRow } from '../lib/report.js';
import { median } from '../lib/stats.js';
import type { BenchMode } from '../lib/mode.js';

/** The deployed bundle imports in at most this many times the floor (the SDK clients alone). */
const GOAL_IMPORT_RATIO = 1.2;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Under the repo (gitignored), so any external module would resolve from node_modules. */
const outRoot = fileURLToPath(new URL('../../.bench/bundles/', import.meta.url));

const BUNDLES = {
  'inbound-sync': 'lambdas/inbound-sync/handler.ts',
  'outbound-sync': 'lambdas/outbound-sync/handler.ts',
  'bare middy': 'bench/fixtures/bare-middy-handler.ts',
  floor: 'bench/fixtures/sdk-clients-handler.ts',
  'config validation': 'lambdas/flow-runtime/src/document/validate.ts',
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

interface ImportSample {
  /** Wall-clock milliseconds of `await import(bundle)` in a fresh process (module load + top-level code). */
  readonly wallMs: number;
  /**
   * CPU milliseconds (user + system) the process spent in that import: the work the import is,
   * without the time a busy machine kept the process waiting. The goal is judged on this.
   */
  readonly cpuMs: number;
  /** The whole child process, start to exit. */
  readonly processMs: number;
}

function importSample(file: string): ImportSample {
  const script = `const c0 = process.cpuUsage(); const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify([performance.now() - t0, (c.user + c.system) / 1000]));`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      CONFIG_TABLE_NAME: 'flow-worker-config',
      DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound-sync-dlq.fifo',
      RUN_STATE_TABLE_NAME: 'flow-worker-run-state',
      MAX_RECEIVE_COUNT: '197',
      // As the construct sets it (lib/sync-function.ts): both bundles carry their source maps.
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${file} failed (${child.status}): ${child.stderr}`);
  const [wallMs, cpuMs] = JSON.parse(child.stdout) as [number, number];
  return { wallMs, cpuMs, processMs };
}

const kb = (bytes: number) => bytes / 1024;

/**
 * Case 6: cold start. Bundles both handlers with the construct's own bundling options and times a
 * fresh `node` importing each bundle, against the floor: a bundle of only the three AWS SDK clients
 * the handlers need, bundled the same way. A bare middy handler is shown for scale.
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
  const samples = Object.fromEntries(names.map((name) => [name, [] as ImportSample[]])) as Record<
    BundleName,
    ImportSample[]
  >;
  for (const name of names) importSample(bundles[name].file); // warm the file cache once
  for (let run = 0; run < mode.importRuns; run += 1) {
    for (const name of names) samples[name].push(importSample(bundles[name].file));
  }
  const medianOf = (name: BundleName, field: keyof ImportSample) =>
    median(samples[name].map((sample) => sample[field]));
  const cpu = Object.fromEntries(names.map((name) => [name, medianOf(name, 'cpuMs')])) as Record<
    BundleName,
    number
  >;
  const wall = Object.fromEntries(names.map((name) => [name, medianOf(name, 'wallMs')])) as Record<
    BundleName,
    number
  >;
  const floor = cpu.floor;

  const rows: ResultRow[] = [
    {
      metric: `floor: the three SDK clients alone, bundled the same way: import ${floor.toFixed(0)} ms CPU, ${wall.floor.toFixed(0)} ms wall`,
      value: `${kb(bundles.floor.bytes).toFixed(0)} KB`,
      goal: '—',
      verdict: 'info',
    },
  ];
  for (const name of ['inbound-sync', 'outbound-sync'] as const) {
    const importRatio = cpu[name] / floor;
    rows.push({
      metric: `${name}: import ${cpu[name].toFixed(0)} ms CPU, ${wall[name].toFixed(0)} ms wall (bundle ${kb(bundles[name].bytes).toFixed(0)} KB) vs floor`,
      value: `${ratio(importRatio)} CPU, ${ratio(wall[name] / wall.floor)} wall`,
      goal: `≤ ${GOAL_IMPORT_RATIO}×`,
      verdict: verdict(importRatio <= GOAL_IMPORT_RATIO),
    });
  }
  rows.push({
    metric: 'config validation (zod + schema), loaded when a container compiles its first config',
    value: `${cpu['config validation'].toFixed(0)} ms CPU once`,
    goal: '—',
    verdict: 'info',
  });
  rows.push({
    metric: `bare middy handler: import ${cpu['bare middy'].toFixed(1)} ms CPU`,
    value: `${ratio(cpu['inbound-sync'] / cpu['bare middy'])} (inbound vs bare)`,
    goal: '—',
    verdict: 'info',
  });

  return {
    id: 6,
    title: 'Cold start',
    parameters: { importRuns: mode.importRuns, bundling: 'ESM_BUNDLING (lib/sync-function.ts)' },
    data: {
      bundles: Object.fromEntries(
        names.map((name) => [
          name,
          {
            kb: kb(bundles[name].bytes),
            mapKb: kb(bundles[name].mapBytes),
            topPackages: bundles[name].topPackages,
            importCpuMsMedian: cpu[name],
            importWallMsMedian: wall[name],
            samples: samples[name],
            processMsMedian: medianOf(name, 'processMs'),
          },
        ]),
      ),
    },
    rows,
    notes: [
      `esbuild ${ESM_BUNDLING.format ?? 'cjs'}, target ${ESM_BUNDLING.target ?? '(runtime)'}, minify ${String(ESM_BUNDLING.minify)}, external ${(ESM_BUNDLING.externalModules ?? []).join(' ') || 'none'}; source maps on (NODE_OPTIONS=--enable-source-maps, as deployed); KB = 1024 bytes, .mjs only (source map not counted)`,
      `inbound-sync largest inputs: ${bundles['inbound-sync'].topPackages.map((p) => `${p.name} ${kb(p.bytes).toFixed(0)} KB`).join(', ')}`,
      `import = \`await import(bundle)\` in a fresh node (median of ${mode.importRuns}, runs interleaved); the AWS SDK is bundled (ESM_BUNDLING externalModules: none), as deployed`,
      'the goal is judged on CPU time (user + system): on a shared machine wall time also counts the time the process waited for a core; on an idle machine the two ratios agree',
    ],
    durationMs: performance.now() - started,
  };
}
