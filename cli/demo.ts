/**
 * `npm start`: runs the real flow-worker handlers end to end on local services (no AWS account,
 * no Docker) and prints a report. `--json` prints the report as one JSON document instead.
 */
import { Command } from 'commander';
import { reportError } from './action.js';
import { paletteFor } from './colors.js';
import { runDemo } from './demo/run-demo.js';
import { printJson } from './io.js';
import { formatReport } from './report.js';

const DEFAULT_EVENTS = [
  'events/inbound-multi-group.json',
  'events/contact-signups.json',
  'events/poison.json',
  'events/demo-failures.json',
];

const program = new Command('npm start')
  .description('run the real handlers on local DynamoDB, SQS, Secrets Manager, HubSpot and REST servers')
  .option('--json', 'print the report as one JSON document')
  .option('--config <file>', 'the connector config to publish', 'examples/acme.config.json')
  .option('--events <files...>', 'inbound SQS event files, run in order', DEFAULT_EVENTS)
  .option('--verbose', 'print stack traces of errors')
  .parse(process.argv);

const options = program.opts<{ json?: boolean; config: string; events: string[]; verbose?: boolean }>();
const dim = paletteFor(process.stderr).dim;

try {
  const report = await runDemo({
    configFile: options.config,
    inboundEvents: options.events,
    progress: (line) => process.stderr.write(dim(`▸ ${line}\n`)),
  });
  if (options.json === true) printJson(report);
  else process.stdout.write(formatReport(report));
  process.exitCode = 0;
} catch (error) {
  process.exitCode = reportError(error, options.verbose === true);
}
// An SDK client's keep-alive socket must not hold the demo open.
process.exit(process.exitCode);
