import { Command, type CommanderError } from 'commander';
import { registerDiff } from './commands/diff.js';
import { registerDlq } from './commands/dlq.js';
import { registerGenerateEvent } from './commands/generate-event.js';
import { registerHistory } from './commands/history.js';
import { registerInvoke } from './commands/invoke.js';
import { registerManifest } from './commands/manifest.js';
import { registerPublish } from './commands/publish.js';
import { registerRollback } from './commands/rollback.js';
import { registerValidate } from './commands/validate.js';
import { EXIT } from './errors.js';

/** Commander's exit for help/version is 0; every usage error becomes {@link EXIT.usage}. */
function exitStatusOf(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

/** The `flow-worker` program with every subcommand registered. */
export function createProgram(version: string): Command {
  const program = new Command('flow-worker')
    .description(
      'Run and manage flow-worker connector configs: validate, invoke the real handlers on SQS events, publish, list and roll back published versions, diff; list and redrive dead-letter queues.',
    )
    .version(version)
    .option('--verbose', 'print stack traces and causes of errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((error) => {
      process.exit(exitStatusOf(error));
    });
  registerValidate(program);
  registerInvoke(program);
  registerGenerateEvent(program);
  registerPublish(program);
  registerHistory(program);
  registerRollback(program);
  registerDiff(program);
  registerManifest(program);
  registerDlq(program);
  return program;
}
