import type { Command } from 'commander';
import { rollbackConfig } from '@flow-worker/runtime';
import { action, positiveInteger } from '../action.js';
import { EXIT } from '../errors.js';
import { printJson } from '../io.js';
import { openTables, tableError } from '../table.js';
import { publishedLines, warnPruneError } from './publish.js';

interface RollbackOptions {
  readonly table: string;
  readonly connector: string;
  readonly to: number;
  readonly manifestsTable?: string;
  readonly json?: boolean;
}

async function rollback(options: RollbackOptions): Promise<number> {
  const tables = openTables(options.table, options.manifestsTable);
  try {
    const result = await rollbackConfig(
      tables.config,
      options.connector,
      options.to,
      tables.manifests ? { manifests: tables.manifests } : {},
    );
    warnPruneError(result);
    if (options.json === true) {
      printJson({
        connector_id: result.connectorId,
        version: result.version,
        restored_from: result.restoredFrom,
      });
    } else {
      process.stdout.write(
        `published the content of version ${result.restoredFrom} as version ${result.version} of connector "${result.connectorId}" to table ${options.table} at ${result.publishedAt}\n` +
          publishedLines(result, options),
      );
    }
    return EXIT.ok;
  } catch (error) {
    throw tableError(error, [options.table, options.manifestsTable]);
  } finally {
    tables.close();
  }
}

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      "publish a stored version's content again as the connector's next version (the version guard of publish applies)",
    )
    .requiredOption('--table <name>', 'the DynamoDB config table (default AWS credentials and region)')
    .requiredOption('--connector <id>', 'the connector id')
    .requiredOption('--to <version>', 'the stored version whose content to publish', positiveInteger('--to'))
    .option(
      '--manifests-table <name>',
      "also write the connector's event_flow_manifests item to this table, in the same transaction",
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The new version is the current one + 1; a publish that lands first makes the rollback fail,
naming both versions (exit 1). flow-worker history lists the stored versions.`,
    )
    .action(action((options: RollbackOptions) => rollback(options)));
}
