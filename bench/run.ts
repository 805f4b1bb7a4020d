/**
 * `npm run bench [-- --quick] [-- --json [file]] [-- --only 1,3]`: measures the runtime against its
 * goals and against the usual alternative, side by side in one run, and prints one table.
 *
 * Benchmarks are not tests: a goal that is not met is reported, never an error, and the process
 * exits 0 once the table is printed. Absolute times on a shared machine are noise; the ratios,
 * measured in the same run, are what to compare.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { coldStart } from './cases/cold-start.js';
import { configStorage } from './cases/config-storage.js';
import { expressionEvaluation } from './cases/expressions.js';
import { fifoConcurrency } from './cases/fifo.js';
import { handlerCases } from './cases/handler.js';
import { hubspotAtScale } from './cases/hubspot.js';
import { perMessageOverhead } from './cases/overhead.js';
import { machineInfo } from './lib/machine.js';
import { FULL, QUICK, type BenchMode } from './lib/mode.js';
import { renderNotes, renderTable, type CaseResult } from './lib/report.js';

const DEFAULT_JSON = 'bench/results/latest.local.json';

interface Suite {
  readonly ids: readonly number[];
  readonly run: (mode: BenchMode) => Promise<CaseResult | CaseResult[]>;
}

const SUITES: readonly Suite[] = [
  { ids: [1], run: perMessageOverhead },
  { ids: [2], run: expressionEvaluation },
  { ids: [3], run: fifoConcurrency },
  { ids: [4, 5, 7], run: handlerCases },
  { ids: [6], run: coldStart },
  { ids: [8], run: hubspotAtScale },
  { ids: [9], run: configStorage },
];

function options() {
  // `--json` takes an optional file: a following argument that is not a flag.
  const argv = process.argv.slice(2);
  const jsonAt = argv.indexOf('--json');
  let jsonFile: string | undefined;
  if (jsonAt !== -1) {
    const next = argv[jsonAt + 1];
    jsonFile = next !== undefined && !next.startsWith('--') ? next : DEFAULT_JSON;
    argv.splice(jsonAt, next === jsonFile ? 2 : 1);
  }
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only?.split(',').map(Number);
  return { mode: values.quick ? QUICK : FULL, jsonFile, only };
}

async function main(): Promise<void> {
  const { mode, jsonFile, only } = options();
  const machine = machineInfo();
  const started = performance.now();
  console.log(
    `flow-worker bench (${mode.name}${mode.name === 'quick' ? `: ${mode.micro.timeMs} ms per micro task, ${mode.fifoRepeats} FIFO repeats, ${mode.throughputRecords} throughput records, ${mode.importRuns} import runs, ${mode.hubspotMessages} HubSpot messages` : ''})`,
  );
  console.log(
    `${machine.date} · ${machine.cpuModel} · nproc ${machine.nproc} · node ${machine.node} · load ${machine.loadAverage}\n`,
  );

  const cases: CaseResult[] = [];
  const errors: string[] = [];
  for (const suite of SUITES) {
    if (only !== undefined && !suite.ids.some((id) => only.includes(id))) continue;
    process.stderr.write(`running case ${suite.ids.join(' + ')}…\n`);
    try {
      const result = await suite.run(mode);
      cases.push(...(Array.isArray(result) ? result : [result]));
    } catch (error) {
      // A broken case is reported, and the others still run: the bench itself never gates anything.
      errors.push(
        `case ${suite.ids.join(' + ')}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;

  console.log(renderTable(cases));
  console.log(`\n${renderNotes(cases)}`);
  console.log(
    `\nTotal ${totalSeconds.toFixed(1)} s. Goals are informational; compare ratios, not absolute times.`,
  );
  for (const error of errors) console.log(`\nERROR ${error}`);

  if (jsonFile !== undefined) {
    const path = resolve(jsonFile);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      `${JSON.stringify({ mode: mode.name, machine, totalSeconds, cases, errors }, null, 2)}\n`,
    );
    console.log(`\nJSON written to ${path}`);
  }
}

await main();
// Servers and timers are closed by each case; exit explicitly so a stray handle cannot hold the run.
process.exit(0);
