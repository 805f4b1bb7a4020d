import type { Command } from 'commander';
import { diffConfigs } from '@flow-worker/runtime';
import { action } from '../action.js';
import { loadConfigFile } from '../config-file.js';
import { EVERY_TARGET_ADDRESS_RANGE } from '../target-addresses.js';

/** A diff compares documents; where their targets point is the deployment's business. */
const EVERY_RANGE = { allowTargetAddresses: EVERY_TARGET_ADDRESS_RANGE };
import { CliError, EXIT } from '../errors.js';
import { formatDiff } from '../format-diff.js';
import { printJson } from '../io.js';
import { readStoredConfig } from '../table.js';

interface DiffOptions {
  readonly table?: string;
  readonly json?: boolean;
}

/** The two configs to compare: two files, or the stored config and one file. */
async function loadPair(first: string, second: string | undefined, table: string | undefined) {
  if (table !== undefined) {
    if (second !== undefined) {
      throw new CliError('with --table, give one config file (it is compared with the stored one)', {
        exitCode: EXIT.usage,
      });
    }
    const offered = await loadConfigFile(first, EVERY_RANGE);
    return [await readStoredConfig(table, offered.connector_id), offered] as const;
  }
  if (second === undefined) {
    throw new CliError('give two config files, or one with --table <name>', { exitCode: EXIT.usage });
  }
  return Promise.all([loadConfigFile(first, EVERY_RANGE), loadConfigFile(second, EVERY_RANGE)]);
}

async function diff(first: string, second: string | undefined, options: DiffOptions): Promise<number> {
  const [before, after] = await loadPair(first, second, options.table);
  const result = diffConfigs(before, after);
  if (options.json === true) printJson(result);
  else process.stdout.write(formatDiff(result));
  return result.equal ? EXIT.ok : EXIT.failure;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'compare two configs: flows added, removed and changed by name, with changed fields and steps by id\n' +
        'exit status: 0 equal, 1 different, 2 error',
    )
    .argument('<old>', 'the old config file (with --table: the new config file)')
    .argument('[new]', 'the new config file')
    .option('--table <name>', 'compare the config file with the one stored in this DynamoDB table')
    .option('--json', 'print the diff as JSON')
    .action(
      action(async (oldFile: string, newFile: string | undefined, options: DiffOptions) => {
        try {
          return await diff(oldFile, newFile, options);
        } catch (error) {
          // Like diff(1): 1 means "different", so any failure to compare is 2.
          const message = error instanceof Error ? error.message : String(error);
          throw new CliError(message, { exitCode: EXIT.usage, cause: error });
        }
      }),
    );
}
