import type { Command } from 'commander';
import { diffConfigs, diffVersions, type ConfigDiff } from '@flow-worker/runtime';
import { action, positiveInteger } from '../action.js';
import { loadConfigFile } from '../config-file.js';
import { CliError, EXIT } from '../errors.js';
import { formatDiff } from '../format-diff.js';
import { printJson } from '../io.js';
import { openTables, readStoredConfig, tableError } from '../table.js';
import { EVERY_TARGET_ADDRESS_RANGE } from '../target-addresses.js';

/** Comparing configs does not judge where their targets point: that is the deployment's business. */
const EVERY_RANGE = { allowTargetAddresses: EVERY_TARGET_ADDRESS_RANGE };

interface DiffOptions {
  readonly table?: string;
  readonly connector?: string;
  readonly from?: number;
  readonly to?: number;
  readonly json?: boolean;
}

const usage = (message: string) => new CliError(message, { exitCode: EXIT.usage });

/** Two published versions of a connector (`--to` defaults to the current one). */
async function storedPair(options: DiffOptions & { table: string; connector: string; from: number }) {
  const tables = openTables(options.table);
  try {
    return (await diffVersions(tables.config, options.connector, options.from, options.to)).diff;
  } catch (error) {
    throw tableError(error, [options.table]);
  } finally {
    tables.close();
  }
}

/** The configs to compare: two files, the stored config and one file, or two stored versions. */
async function compare(
  first: string | undefined,
  second: string | undefined,
  options: DiffOptions,
): Promise<ConfigDiff> {
  const { table, connector, from } = options;
  if (from !== undefined || connector !== undefined || options.to !== undefined) {
    if (table === undefined || connector === undefined || from === undefined) {
      throw usage(
        'to compare published versions, give --table, --connector and --from (and --to, default the current version)',
      );
    }
    if (first !== undefined)
      throw usage('with --from, give no config file (two published versions are compared)');
    return storedPair({ ...options, table, connector, from });
  }
  if (first === undefined)
    throw usage('give two config files, one with --table <name>, or --table, --connector and --from');
  if (table !== undefined) {
    if (second !== undefined)
      throw usage('with --table, give one config file (it is compared with the stored one)');
    const offered = await loadConfigFile(first, EVERY_RANGE);
    return diffConfigs(await readStoredConfig(table, offered.connector_id), offered);
  }
  if (second === undefined) throw usage('give two config files, or one with --table <name>');
  const [before, after] = await Promise.all([
    loadConfigFile(first, EVERY_RANGE),
    loadConfigFile(second, EVERY_RANGE),
  ]);
  return diffConfigs(before, after);
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'compare two configs: flows added, removed and changed by name, with changed fields and steps by id\n' +
        'exit status: 0 equal, 1 different, 2 error',
    )
    .argument('[old]', 'the old config file (with --table: the new config file)')
    .argument('[new]', 'the new config file')
    .option('--table <name>', 'compare with the config stored in this DynamoDB table')
    .option('--connector <id>', 'with --from: the connector whose published versions to compare')
    .option(
      '--from <version>',
      'a published version to compare (with --table and --connector)',
      positiveInteger('--from'),
    )
    .option(
      '--to <version>',
      'the published version to compare it with (default: the current one)',
      positiveInteger('--to'),
    )
    .option('--json', 'print the diff as JSON')
    .addHelpText(
      'after',
      `
Forms: diff <old.json> <new.json>; diff <new.json> --table <name> (the stored config of its
connector, then the file); diff --table <name> --connector <id> --from <version> [--to <version>].`,
    )
    .action(
      action(async (oldFile: string | undefined, newFile: string | undefined, options: DiffOptions) => {
        try {
          const result = await compare(oldFile, newFile, options);
          if (options.json === true) printJson(result);
          else process.stdout.write(formatDiff(result));
          return result.equal ? EXIT.ok : EXIT.failure;
        } catch (error) {
          // Like diff(1): 1 means "different", so any failure to compare is 2.
          const message = error instanceof Error ? error.message : String(error);
          throw new CliError(message, { exitCode: EXIT.usage, cause: error });
        }
      }),
    );
}
