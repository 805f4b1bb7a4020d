import type { Command } from 'commander';
import {
  ConfigValidationError,
  checkConfigLimits,
  storageProblems,
  validateConfig,
  type ConfigProblem,
  type ConnectorConfig,
  type TargetAddressRange,
} from '@flow-worker/runtime';
import { action } from '../action.js';
import { paletteFor } from '../colors.js';
import { CliError, EXIT, JsonSyntaxError } from '../errors.js';
import { printJson, readJsonFile } from '../io.js';
import { allowTargetAddressesOption } from '../target-addresses.js';

/** The verdict on one file; `problems` use config paths, or `line:column` for JSON syntax. */
export interface FileVerdict {
  readonly file: string;
  readonly valid: boolean;
  readonly problems: readonly ConfigProblem[];
  /** Limits the config is close to (publish refuses a config over one: it is then a problem). */
  readonly warnings: readonly ConfigProblem[];
  readonly summary?: string;
}

function summarize(config: ConnectorConfig): string {
  const enabled = config.flows.filter((f) => f.enabled).length;
  const flows = config.flows.length === 1 ? '1 flow' : `${config.flows.length} flows`;
  return `connector "${config.connector_id}" version ${config.version}: ${flows} (${enabled} enabled), ${config.targets.length} targets`;
}

/**
 * Everything publish would refuse, and the limits the config is close to: the schema and
 * cross-field rules, the storage rules and the size limits, each problem with its path.
 */
function check(
  document: unknown,
  allowed: readonly TargetAddressRange[],
): {
  config?: ConnectorConfig;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
} {
  const findings = checkConfigLimits(document);
  const asProblem = (f: (typeof findings)[number]) => ({ path: f.path, message: f.message });
  const overLimits = findings.filter((f) => f.level === 'error').map(asProblem);
  const warnings = findings.filter((f) => f.level === 'warning').map(asProblem);
  const problems = [...overLimits, ...storageProblems(document)];
  try {
    const config = validateConfig(document, { allowTargetAddresses: allowed });
    return { config, problems, warnings };
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return { problems: [...problems, ...error.problems], warnings };
  }
}

async function judge(file: string, allowed: readonly TargetAddressRange[]): Promise<FileVerdict> {
  try {
    const { config, problems, warnings } = check(await readJsonFile(file), allowed);
    if (config === undefined || problems.length > 0) return { file, valid: false, problems, warnings };
    return { file, valid: true, problems: [], warnings, summary: summarize(config) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      const path = `line ${error.line}, column ${error.column}`;
      return {
        file,
        valid: false,
        problems: [{ path, message: `not valid JSON: ${error.detail}` }],
        warnings: [],
      };
    }
    if (error instanceof CliError)
      return { file, valid: false, problems: [{ path: '', message: error.message }], warnings: [] };
    throw error;
  }
}

function formatVerdict(verdict: FileVerdict): string {
  const c = paletteFor(process.stdout);
  const where = (p: ConfigProblem) => (p.path === '' ? '(file)' : c.bold(p.path));
  const warnings = verdict.warnings
    .map((w) => `  ${c.yellow('warning')} ${where(w)}: ${w.message}\n`)
    .join('');
  if (verdict.valid) return `${c.green('✓')} ${verdict.file}: ${verdict.summary ?? 'valid'}\n${warnings}`;
  const noun = verdict.problems.length === 1 ? 'problem' : 'problems';
  const lines = verdict.problems.map((p) => `  ${where(p)}: ${p.message}`);
  return `${c.red('✗')} ${verdict.file}: ${verdict.problems.length} ${noun}\n${lines.join('\n')}\n${warnings}`;
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
