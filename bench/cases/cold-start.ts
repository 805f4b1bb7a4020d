import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleHandler, HANDLER_BUILD_OPTIONS, HANDLER_ENTRY_FILE } from '../../lib/handler-bundle.js';
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
  'floor, one file': 'bench/fixtures/sdk-clients-handler.ts',
  'config validation': 'lambdas/flow-runtime/src/document/validate.ts',
} as const;
type BundleName = keyof typeof BUNDLES;

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
  /** Chunks loaded only with `import()`, when first needed. */
  readonly lazyBytes: number;
  /** Largest contributors to the output, by package (or `flow-worker` for our sources). */
  readonly topPackages: readonly { name: string; bytes: number }[];
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? 'flow-worker';
}

/**
 * What a cold start reads: the entry and the chunks it imports statically (not the ones it loads
 * with `import()` when it needs them), with their sizes by package.
 */
function summarize(metafile: Metafile, outdir: string): Bundle {
  const entry = Object.keys(metafile.outputs).find((path) => path.endsWith(`/${HANDLER_ENTRY_FILE}`));
  if (entry === undefined) throw new Error(`no ${HANDLER_ENTRY_FILE} in ${outdir}`);
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const { path: imported, kind } of metafile.outputs[path]?.imports ?? []) {
      if (kind === 'import-statement' && imported in metafile.outputs) visit(imported);
    }
  };
  visit(entry);
  let bytes = 0;
  let mapBytes = 0;
  let lazyBytes = 0;
  const byPackage = new Map<string, number>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (path.endsWith('.map')) {
      if (loaded.has(path.slice(0, -'.map'.length))) mapBytes += output.bytes;
      continue;
    }
    if (!loaded.has(path)) {
      lazyBytes += output.bytes;
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
  return { file: join(outdir, HANDLER_ENTRY_FILE), bytes, mapBytes, lazyBytes, topPackages };
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
export function coldStart(mode: BenchMode): Promise<CaseResult> {
  return Promise.resolve(measureColdStart(mode));
}

function measureColdStart(mode: BenchMode): CaseResult {
  const started = performance.now();
  // The construct's options themselves, so the bench cannot drift from what is deployed.
  rmSync(outRoot, { recursive: true, force: true });

  const bundles = {} as Record<BundleName, Bundle>;
  for (const [name, entry] of Object.entries(BUNDLES) as [BundleName, string][]) {
    const outdir = join(outRoot, name.replaceAll(/[ ,]+/g, '-'));
    // The one-file floor: the same clients without code splitting, the reference as first measured.
    const options = name === 'floor, one file' ? { splitting: false } : {};
    bundles[name] = summarize(bundleHandler(entry, outdir, options).metafile, outdir);
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
      metric: `${name}: import ${cpu[name].toFixed(0)} ms CPU, ${wall[name].toFixed(0)} ms wall (${kb(bundles[name].bytes).toFixed(0)} KB read at import, ${kb(bundles[name].lazyBytes).toFixed(0)} KB loaded later) vs floor`,
      value: `${ratio(importRatio)} CPU, ${ratio(wall[name] / wall.floor)} wall`,
      goal: `≤ ${GOAL_IMPORT_RATIO}×`,
      verdict: verdict(importRatio <= GOAL_IMPORT_RATIO),
    });
  }
  rows.push({
    metric: `floor in one file (no code splitting, as first measured): import ${cpu['floor, one file'].toFixed(0)} ms CPU`,
    value: `${ratio(cpu['inbound-sync'] / cpu['floor, one file'])} CPU (inbound vs it)`,
    goal: '—',
    verdict: 'info',
  });
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
    parameters: { importRuns: mode.importRuns, bundling: 'HANDLER_BUILD_OPTIONS (lib/handler-bundle.ts)' },
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
      `esbuild ${HANDLER_BUILD_OPTIONS.format}, target ${HANDLER_BUILD_OPTIONS.target}, minify ${String(HANDLER_BUILD_OPTIONS.minify)}, code splitting ${String(HANDLER_BUILD_OPTIONS.splitting)}, nothing external; source maps on (NODE_OPTIONS=--enable-source-maps, as deployed); KB = 1024 bytes, .mjs only (source maps not counted)`,
      `inbound-sync largest inputs: ${bundles['inbound-sync'].topPackages.map((p) => `${p.name} ${kb(p.bytes).toFixed(0)} KB`).join(', ')}`,
      `import = \`await import(bundle)\` in a fresh node (median of ${mode.importRuns}, runs interleaved); the AWS SDK is bundled, as deployed`,
      'the goal is judged on CPU time (user + system): on a shared machine wall time also counts the time the process waited for a core; on an idle machine the two ratios agree',
    ],
    durationMs: performance.now() - started,
  };
}
