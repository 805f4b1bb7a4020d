import type { Command } from 'commander';
import { buildManifest, type ConfigManifest } from '@flow-worker/runtime';
import { action } from '../action.js';
import { paletteFor } from '../colors.js';
import { loadConfigFile } from '../config-file.js';
import { EVERY_TARGET_ADDRESS_RANGE } from '../target-addresses.js';
import { EXIT } from '../errors.js';
import { printJson } from '../io.js';

/** The manifest as a short human-readable listing. */
export function formatManifest(manifest: ConfigManifest): string {
  const c = paletteFor(process.stdout);
  const lines = [c.bold(`connector ${manifest.connector_id}, version ${manifest.version}`)];
  for (const entry of manifest.event_flow_manifests) {
    const hints =
      entry.event_type_from.length > 0
        ? c.dim(`  (event_type_from: ${entry.event_type_from.join(', ')})`)
        : '';
    lines.push(`${entry.source} / ${entry.event_type}${hints}`);
    if (entry.enabled_flows.length > 0) lines.push(`  enabled:  ${entry.enabled_flows.join(', ')}`);
    if (entry.disabled_flows.length > 0)
      lines.push(c.yellow(`  disabled: ${entry.disabled_flows.join(', ')}`));
  }
  return `${lines.join('\n')}\n`;
}

export function registerManifest(program: Command): void {
  program
    .command('manifest')
    .description('print the event_flow_manifests projection of a config: flows per (source, event_type)')
    .argument('<config>', 'connector config JSON file, or - for stdin')
    .option('--json', 'print the manifest document as JSON')
    .action(
      action(async (file: string, options: { json?: boolean }) => {
        const manifest = buildManifest(
          await loadConfigFile(file, { allowTargetAddresses: EVERY_TARGET_ADDRESS_RANGE }),
        );
        if (options.json === true) printJson(manifest);
        else process.stdout.write(formatManifest(manifest));
        return EXIT.ok;
      }),
    );
}
