import type { ConfigDiff, FieldChange, ItemChange, ListDiff } from '@flow-worker/runtime';
import { paletteFor } from './colors.js';

const MAX_VALUE = 60;

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function fieldLine(change: FieldChange): string {
  return `${change.field}: ${show(change.old)} → ${show(change.new)}`;
}

function listLines(title: string, diff: ListDiff, itemLines: (change: ItemChange) => string[]): string[] {
  const c = paletteFor(process.stdout);
  const lines: string[] = [];
  for (const key of diff.added) lines.push(c.green(`  + ${key}`));
  for (const key of diff.removed) lines.push(c.red(`  - ${key}`));
  for (const change of diff.changed) lines.push(c.yellow(`  ~ ${change.key}`), ...itemLines(change));
  if (diff.reordered) lines.push(`  order changed`);
  return lines.length === 0 ? [] : [`${title}:`, ...lines];
}

/** A config diff as text: `+` added, `-` removed, `~` changed, with the changed fields under each. */
export function formatDiff(diff: ConfigDiff): string {
  if (diff.equal) return 'no differences\n';
  const fieldsOf = (change: ItemChange) => change.fields.map((f) => `      ${fieldLine(f)}`);
  const lines: string[] = diff.fields.map(fieldLine);
  lines.push(...listLines('sources', diff.sources, fieldsOf));
  lines.push(...listLines('targets', diff.targets, fieldsOf));
  const flows: ListDiff = {
    added: diff.flows.added,
    removed: diff.flows.removed,
    reordered: diff.flows.reordered,
    changed: diff.flows.changed.map((f) => ({ key: f.name, fields: f.fields })),
  };
  lines.push(
    ...listLines('flows', flows, (change) => {
      const flow = diff.flows.changed.find((f) => f.name === change.key);
      const stepLines = flow === undefined ? [] : listLines('steps', flow.steps, fieldsOf);
      return [...fieldsOf(change), ...stepLines.map((line) => `      ${line}`)];
    }),
  );
  return `${lines.join('\n')}\n`;
}
