import type { Command } from 'commander';
import type { ConfigProblem, ConnectorConfig, TargetAddressRange } from '@flow-worker/runtime';
import { action } from '../action.js';
import { paletteFor } from '../colors.js';
import { InvalidConfigFileError, loadConfigFile } from '../config-file.js';
import { CliError, EXIT, JsonSyntaxError } from '../errors.js';
import { printJson } from '../io.js';
import { allowTargetAddressesOption } from '../target-addresses.js';

/** The verdict on one file; `problems` use config paths, or `line:column` for JSON syntax. */
export interface FileVerdict {
  readonly file: string;
  readonly valid: boolean;
  readonly problems: readonly ConfigProblem[];
  readonly summary?: string;
}

function summarize(config: ConnectorConfig): string {
  const enabled = config.flows.filter((f) => f.enabled).length;
  const flows = config.flows.length === 1 ? '1 flow' : `${config.flows.length} flows`;
  return `connector "${config.connector_id}" version ${config.version}: ${flows} (${enabled} enabled), ${config.targets.length} targets`;
}

async function judge(file: string, allowed: readonly TargetAddressRange[]): Promise<FileVerdict> {
  try {
    const config = await loadConfigFile(file, { allowTargetAddresses: allowed });
    return { file, valid: true, problems: [], summary: summarize(config) };
  } catch (error) {
    if (error instanceof InvalidConfigFileError) return { file, valid: false, problems: error.problems };
    if (error instanceof JsonSyntaxError) {
      const path = `line ${error.line}, column ${error.column}`;
      return { file, valid: false, problems: [{ path, message: `not valid JSON: ${error.detail}` }] };
    }
    if (error instanceof CliError)
      return { file, valid: false, problems: [{ path: '', message: error.message }] };
    throw error;
  }
}

function formatVerdict(verdict: FileVerdict): string {
  const c = paletteFor(process.stdout);
  if (verdict.valid) return `${c.green('✓')} ${verdict.file}: ${verdict.summary ?? 'valid'}\n`;
  const noun = verdict.problems.length === 1 ? 'problem' : 'problems';
  const lines = verdict.problems.map((p) => `  ${p.path === '' ? '(file)' : c.bold(p.path)}: ${p.message}`);
  return `${c.red('✗')} ${verdict.file}: ${verdict.problems.length} ${noun}\n${lines.join('\n')}\n`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check connector config files: JSON syntax, schema and cross-field rules; every problem with its path',
    )
    .argument('<config...>', 'connector config JSON files')
    .addOption(allowTargetAddressesOption())
    .option('--json', 'print the verdicts as JSON')
    .action(
      action(
        async (files: string[], options: { json?: boolean; allowTargetAddresses: TargetAddressRange[] }) => {
          const verdicts = await Promise.all(files.map((file) => judge(file, options.allowTargetAddresses)));
          if (options.json === true) printJson(verdicts);
          else for (const verdict of verdicts) process.stdout.write(formatVerdict(verdict));
          return verdicts.every((v) => v.valid) ? EXIT.ok : EXIT.failure;
        },
      ),
    );
}
