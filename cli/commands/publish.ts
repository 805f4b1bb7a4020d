import type { Command } from 'commander';
import {
  ConfigValidationError,
  formatBytes,
  publishConfig,
  type PublishResult,
  type TargetAddressRange,
} from '@flow-worker/runtime';
import { action } from '../action.js';
import { InvalidConfigFileError } from '../config-file.js';
import { EXIT } from '../errors.js';
import { printJson, readJsonFile } from '../io.js';
import { openTables, tableError } from '../table.js';
import { allowTargetAddressesOption } from '../target-addresses.js';

interface PublishOptions {
  readonly table: string;
  readonly manifestsTable?: string;
  readonly json?: boolean;
  readonly allowTargetAddresses: readonly TargetAddressRange[];
}

/** How a publish went, for people: what was stored where, and what was pruned. */
export function publishedLines(
  result: PublishResult,
  options: { table: string; manifestsTable?: string },
): string {
  const { stored } = result;
  const chunks = stored.chunks === 1 ? '1 chunk' : `${stored.chunks} chunks`;
  const lines = [
    `  stored: ${formatBytes(stored.jsonBytes)} of JSON as ${formatBytes(stored.compressedBytes)} gzip in ${chunks}${stored.inline ? ', also inline in the head item' : ''}`,
  ];
  if (options.manifestsTable !== undefined)
    lines.push(`  manifest: written to table ${options.manifestsTable}`);
  if (result.pruned.length > 0)
    lines.push(`  pruned: version ${result.pruned.join(', ')} (beyond the retained versions)`);
  return `${lines.join('\n')}\n`;
}

/** The JSON fields every publishing command prints. */
export function publishedJson(result: PublishResult, options: { table: string; manifestsTable?: string }) {
  return {
    table: options.table,
    ...(options.manifestsTable === undefined ? {} : { manifests_table: options.manifestsTable }),
    connector_id: result.connectorId,
    version: result.version,
    published_at: result.publishedAt,
    stored: {
      json_bytes: result.stored.jsonBytes,
      compressed_bytes: result.stored.compressedBytes,
      chunks: result.stored.chunks,
      inline: result.stored.inline,
    },
    pruned: result.pruned,
  };
}

/** Items of pruned versions left behind are harmless, but the user should know. */
export function warnPruneError(result: PublishResult): void {
  if (result.pruneError !== undefined) {
    process.stderr.write(`flow-worker: warning: older versions were not all deleted: ${result.pruneError}\n`);
  }
}

async function publish(file: string, options: PublishOptions): Promise<number> {
  const document = await readJsonFile(file);
  const tables = openTables(options.table, options.manifestsTable);
  try {
    // publishConfig validates again and stores the document as written (x-* annotations kept).
    const result = await publishConfig(tables.config, document, {
      ...(tables.manifests ? { manifests: tables.manifests } : {}),
      allowTargetAddresses: options.allowTargetAddresses,
    });
    warnPruneError(result);
    if (options.json === true) {
      printJson(publishedJson(result, options));
    } else {
      process.stdout.write(
        `published connector "${result.connectorId}" version ${result.version} to table ${options.table} at ${result.publishedAt}\n` +
          publishedLines(result, options),
      );
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new InvalidConfigFileError(file, error.problems, error);
    throw tableError(error, [options.table, options.manifestsTable]);
  } finally {
    tables.close();
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
    .option(
      '--manifests-table <name>',
      "also write the connector's event_flow_manifests item to this table, in the same transaction",
    )
    .addOption(allowTargetAddressesOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The table is reached with the default AWS credential chain and region; set
AWS_ENDPOINT_URL_DYNAMODB to use a local DynamoDB. A version that is not greater than the
stored one is refused, naming both versions (exit 1). A config over a size limit is refused,
naming the size and the limit (flow-worker validate warns before that).`,
    )
    .action(action((file: string, options: PublishOptions) => publish(file, options)));
}
