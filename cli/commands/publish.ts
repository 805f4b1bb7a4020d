import type { Command } from 'commander';
import {
  ConfigValidationError,
  ConfigVersionConflictError,
  publishConfig,
  type TargetAddressRange,
} from '@flow-worker/runtime';
import { action } from '../action.js';
import { InvalidConfigFileError } from '../config-file.js';
import { CliError, EXIT } from '../errors.js';
import { printJson, readJsonFile } from '../io.js';
import { openConfigTable } from '../table.js';
import { allowTargetAddressesOption } from '../target-addresses.js';

interface PublishOptions {
  readonly table: string;
  readonly json?: boolean;
  readonly allowTargetAddresses: readonly TargetAddressRange[];
}

async function publish(file: string, options: PublishOptions): Promise<number> {
  const document = await readJsonFile(file);
  const table = openConfigTable(options.table);
  try {
    // publishConfig validates again and stores the document as written (x-* annotations kept).
    const result = await publishConfig(table, document, {
      allowTargetAddresses: options.allowTargetAddresses,
    });
    if (options.json === true) {
      printJson({
        table: options.table,
        connector_id: result.connectorId,
        version: result.version,
        published_at: result.publishedAt,
      });
    }
    if (options.json !== true) {
      process.stdout.write(
        `published connector "${result.connectorId}" version ${result.version} to table ${options.table} at ${result.publishedAt}\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new InvalidConfigFileError(file, error.problems, error);
    if (error instanceof ConfigVersionConflictError) throw new CliError(error.message, { cause: error });
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw new CliError(`table ${options.table} does not exist (${error.message})`, { cause: error });
    }
    throw error;
  } finally {
    table.dynamodb.destroy();
  }
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description(
      'validate a config and write it to the config table, only if its version is newer than the stored one',
    )
    .argument('<config>', 'connector config JSON file, or - for stdin')
    .requiredOption('--table <name>', 'the DynamoDB config table (default AWS credentials and region)')
    .addOption(allowTargetAddressesOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The table is reached with the default AWS credential chain and region; set
AWS_ENDPOINT_URL_DYNAMODB to use a local DynamoDB. A version that is not greater than the
stored one is refused, naming both versions (exit 1).`,
    )
    .action(action((file: string, options: PublishOptions) => publish(file, options)));
}
