import { paletteFor } from '../colors.js';
import type { DlqEntry } from './messages.js';
import type { Move, RedriveResult } from './redrive.js';

/** How the `dlq` commands print for people (`--json` prints the data as it is). */

/** An age for people: `42 s`, `7 min`, `5 h`, `3 d`. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

const cell = (value: string | null) => value ?? '-';

/** Columns padded to their widest value; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((value, column) => (column === row.length - 1 ? value : value.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The `dlq list` report: one row per message, its error message on the next line. */
export function formatList(queueName: string, entries: readonly DlqEntry[], stream = process.stdout): string {
  const c = paletteFor(stream);
  const noun = entries.length === 1 ? 'message' : 'messages';
  const lines = [c.bold(`${queueName}: ${entries.length} ${noun} (listed, not removed)`)];
  if (entries.length === 0) return `${lines.join('\n')}\n`;
  const rows = [
    ['MESSAGE ID', 'REASON', 'CONNECTOR', 'FLOW', 'STEP', 'SOURCE QUEUE', 'AGE'],
    ...entries.map((e) => [
      e.message_id,
      e.reason,
      cell(e.connector),
      cell(e.flow),
      cell(e.step),
      cell(e.source_queue),
      formatAge(e.age_seconds),
    ]),
  ];
  const [header, ...body] = table(rows);
  lines.push('', c.dim(header ?? ''));
  body.forEach((row, index) => {
    lines.push(row);
    const message = entries[index]?.error_message;
    if (message !== null && message !== undefined) lines.push(c.dim(`    ${message}`));
  });
  return `${lines.join('\n')}\n`;
}

const MOVE_WORDS: Record<Move['status'], string> = {
  redriven: 'redriven',
  'would-redrive': 'would redrive',
  failed: 'failed',
};

/** The `dlq redrive` report: one line per chosen message, then the counts. */
export function formatRedrive(
  queueName: string,
  result: RedriveResult,
  dryRun: boolean,
  stream = process.stdout,
): string {
  const c = paletteFor(stream);
  const title = `redrive from ${queueName}${dryRun ? ' (dry run: nothing was moved)' : ''}`;
  const lines = [c.bold(title)];
  for (const move of result.moves) {
    const where = [move.entry.connector, move.entry.flow, move.entry.step].map(cell).join(' / ');
    const to = move.destination === undefined ? '' : ` → ${move.destination.split('/').at(-1) ?? ''}`;
    const word = MOVE_WORDS[move.status];
    const status = move.status === 'failed' ? c.red(word) : word;
    lines.push(`  ${status}  ${move.entry.message_id}  ${move.entry.reason}  ${where}${to}`);
    if (move.error !== undefined) lines.push(c.red(`    ${move.error}`));
  }
  const verb = dryRun ? 'would redrive' : 'redriven';
  lines.push(`${verb} ${result.redriven}, skipped ${result.skipped}, failed ${result.failed}`);
  return `${lines.join('\n')}\n`;
}
