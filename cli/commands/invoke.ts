import { Option, type Command } from 'commander';
import { QUEUE_NAMES } from '@flow-worker/runtime';
import { action } from '../action.js';
import { EXIT } from '../errors.js';
import { printJson } from '../io.js';
import { runInvoke, type InvokeOptions } from '../invoke/run-invoke.js';
import { formatReport } from '../report.js';
import { allowTargetAddressesOption } from '../target-addresses.js';

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('run the real handler of a queue on an SQS event file, like `sam local invoke`')
    .addOption(new Option('--queue <queue>', 'whose handler runs').choices(QUEUE_NAMES).makeOptionMandatory())
    .requiredOption('--event <file>', 'SQS event JSON (see generate-event), or - for stdin')
    .addOption(
      new Option('--config <file>', 'config file, published to an embedded DynamoDB').conflicts('table'),
    )
    .option('--table <name>', 'read the config from this DynamoDB table (default AWS credentials and region)')
    .option(
      '--dry-run',
      'replace every target, the emitter and the DLQ with recorders; print what would be sent',
    )
    .option('--secret <name=value...>', 'serve these secrets from a local Secrets Manager instead of AWS')
    .addOption(allowTargetAddressesOption())
    .option('--json', 'print the run report as JSON')
    .addHelpText(
      'after',
      `
Queues are always local: emitted and dead-lettered messages are printed, not sent.
Exit status: 0 when every record succeeded (or matched no flow), 1 when any failed or was dead-lettered.

Example:
  flow-worker invoke --queue inbound-sync --event events/inbound-multi-group.json \\
    --config examples/acme.config.json --dry-run`,
    )
    .action(
      action(async (options: InvokeOptions & { json?: boolean }) => {
        const report = await runInvoke(options);
        if (options.json === true) printJson(report);
        else process.stdout.write(formatReport(report));
        const ok = report.batches.every((b) =>
          b.records.every((r) => r.outcome === 'succeeded' || r.outcome === 'no_match'),
        );
        return ok ? EXIT.ok : EXIT.failure;
      }),
    );
}
