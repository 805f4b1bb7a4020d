import type { Command } from 'commander';
import { STORAGE, configHistory, type HistoryEntry } from '@flow-worker/runtime';
import { action } from '../action.js';
import { paletteFor } from '../colors.js';
import { EXIT } from '../errors.js';
import { printJson } from '../io.js';
import { openTables, tableError } from '../table.js';

interface HistoryOptions {
  readonly table: string;
  readonly connector: string;
  readonly json?: boolean;
}

/** Names shown per line; the JSON output has them all. */
const NAMES_SHOWN = 10;

function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMES_SHOWN).join(', ');
  const more = list.length - NAMES_SHOWN;
  return more > 0 ? `${shown} … and ${more.toLocaleString('en-US')} more` : shown;
}

/** The history as text: one line per version, newest first, then its flow changes by name. */
export function formatHistory(connectorId: string, table: string, history: readonly HistoryEntry[]): string {
  const c = paletteFor(process.stdout);
  const count = history.length === 1 ? '1 version' : `${history.length} versions`;
  const lines = [
    `connector "${connectorId}" in table ${table}: ${count} stored (the last ${STORAGE.retainedVersions} are kept)`,
  ];
  for (const [index, entry] of history.entries()) {
    const flows = entry.flows === 1 ? '1 flow' : `${entry.flows.toLocaleString('en-US')} flows`;
    lines.push(
      `${c.bold(`version ${entry.version}`)}  ${entry.published_at}  ${flows}${index === 0 ? '  (current)' : ''}`,
    );
    if (entry.added.length > 0) lines.push(c.green(`  + ${names(entry.added)}`));
    if (entry.removed.length > 0) lines.push(c.red(`  - ${names(entry.removed)}`));
    if (entry.changed.length > 0) lines.push(c.yellow(`  ~ ${names(entry.changed)}`));
  }
  return `${lines.join('\n')}\n`;
}

async function history(options: HistoryOptions): Promise<number> {
  const tables = openTables(options.table);
  try {
    const versions = await configHistory(tables.config, options.connector);
    if (options.json === true) printJson({ versions });
    else process.stdout.write(formatHistory(options.connector, options.table, versions));
    return EXIT.ok;
  } catch (error) {
    throw tableError(error, [options.table]);
  } finally {
    tables.close();
  }
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description(
      "list a connector's published versions, newest first, with the flows each added (+), removed (-) and changed (~)",
    )
    .requiredOption('--table <name>', 'the DynamoDB config table (default AWS credentials and region)')
    .requiredOption('--connector <id>', 'the connector id')
    .option('--json', 'print the versions as JSON')
    .addHelpText(
      'after',
      `
Each version is compared with the one before it; the oldest one stored lists all its flows as
added. The last ${STORAGE.retainedVersions} versions are kept (flow-worker diff and rollback read them).`,
    )
    .action(action((options: HistoryOptions) => history(options)));
}
