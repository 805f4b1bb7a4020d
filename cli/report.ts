import { paletteFor, type Palette } from './colors.js';
import type {
  BatchRun,
  LocalRunReport,
  QueuedMessage,
  RecordRun,
  RedriveRun,
  StepRun,
  TargetTraffic,
} from './run-report.js';
import { summarize } from './run-report.js';

/**
 * Prints a {@link LocalRunReport} for people: per batch, per record the matched flows and each
 * step (action, status, duration, then its result or error); then what reached the targets, what
 * was emitted and what was dead-lettered. Colours only on a terminal without `NO_COLOR`.
 */
export function formatReport(report: LocalRunReport, stream: { isTTY?: boolean } = process.stdout): string {
  const c = paletteFor(stream);
  const out: string[] = [c.bold(report.title), ''];
  if (report.notes.length > 0) out.push(...report.notes.map((note) => `  ${note}`), '');
  for (const batch of report.batches) out.push(...batchLines(batch, c), '');
  out.push(...targetLines(report.targets, c), '');
  out.push(...queueLines('Emitted to the sync queues', report.emitted, c, false), '');
  out.push(...queueLines('Dead-lettered', report.dead_lettered, c, true));
  return `${out.join('\n')}\n`;
}

const OUTCOME_MARK: Record<RecordRun['outcome'], string> = {
  succeeded: '✓',
  no_match: '·',
  'dead-lettered': '✗',
  failed: '✗',
  skipped: '⏸',
};

function outcomeText(record: RecordRun, c: Palette): string {
  switch (record.outcome) {
    case 'succeeded':
      return c.green('succeeded');
    case 'no_match':
      return c.dim('no matching flow (acknowledged)');
    case 'dead-lettered':
      return c.red(`dead-lettered (${record.error?.class ?? '?'})`);
    case 'failed':
      return c.red('failed: SQS will redeliver it');
    case 'skipped':
      return c.yellow('not run (why is below): SQS will redeliver it');
  }
}

/** Results are shown as one line of JSON, cut to keep a step on one terminal line. */
const RESULT_LENGTH = 72;

/** Right-aligned so results line up; a step that did not run shows none. */
function durationText(step: StepRun, c: Palette): string {
  return step.status === 'skipped' ? '' : c.dim(`${String(step.duration_ms).padStart(4)} ms`);
}

function stepLine(step: StepRun, width: number, c: Palette): string {
  const mark = step.status === 'ok' ? c.green('✓') : step.status === 'failed' ? c.red('✗') : c.yellow('·');
  const detail =
    step.error !== undefined
      ? c.red(`${step.error.class} ${step.error.name}: ${step.error.message}`)
      : step.result !== undefined
        ? `→ ${summarize(step.result, RESULT_LENGTH)}`
        : '';
  const head = `${mark} ${step.id.padEnd(width)} ${step.action.padEnd(9)} ${step.status.padEnd(9)}`;
  return `        ${head} ${durationText(step, c)}  ${detail}`.trimEnd();
}

/** Emitted envelopes carry a 64-hex derived event id: shown shortened. */
function shortId(id: string): string {
  return id.length > 24 ? `${id.slice(0, 12)}…` : id;
}

function recordLines(record: RecordRun, c: Palette): string[] {
  const what = [record.connector, record.source, record.event_type].filter(Boolean).join(' / ');
  const head =
    `  ${OUTCOME_MARK[record.outcome]} ${record.message_id}  group ${record.message_group_id ?? '-'}` +
    `${what === '' ? '' : `  ${what}`}${record.event_id === undefined ? '' : `  ${c.dim(shortId(record.event_id))}`}`;
  const lines = [head, `      ${outcomeText(record, c)}  ${c.dim(`${record.duration_ms} ms`)}`];
  if (record.flows_matched.length > 0) lines.push(`      matched: ${record.flows_matched.join(', ')}`);
  const width = Math.max(0, ...record.flows.flatMap((f) => f.steps.map((s) => s.id.length)));
  for (const flow of record.flows) {
    const duration = `  ${c.dim(`${flow.duration_ms} ms`)}`;
    lines.push(`      flow ${c.bold(flow.name)}: ${flow.status}${duration}`);
    lines.push(...flow.steps.map((step) => stepLine(step, width, c)));
  }
  const stepError = record.flows.some((f) => f.steps.some((s) => s.error !== undefined));
  if (record.error !== undefined && !stepError) {
    lines.push(`      ${c.red(`${record.error.class} ${record.error.name}: ${record.error.message}`)}`);
  }
  return lines;
}

/** A redrive, as the operator would have run and seen it. */
function redriveLines(redrive: RedriveRun, c: Palette): string[] {
  return [
    c.bold('Redrive'),
    `  ${redrive.note}`,
    `  $ ${redrive.command}`,
    ...redrive.moves.map(
      (move) => `    redriven  ${move.message_id}  ${move.reason}  ${move.connector ?? '-'} → ${move.to}`,
    ),
    `    redriven ${redrive.redriven}, skipped ${redrive.skipped}, failed ${redrive.failed}`,
    '',
  ];
}

function batchLines(batch: BatchRun, c: Palette): string[] {
  const count = batch.records.length === 1 ? '1 record' : `${batch.records.length} records`;
  const lines = [
    ...(batch.redrive === undefined ? [] : redriveLines(batch.redrive, c)),
    c.bold(`${batch.title}`),
    c.dim(`  ${batch.handler} · ${count} · ${batch.duration_ms} ms`),
    ...batch.records.flatMap((record) => recordLines(record, c)),
  ];
  const failures = batch.batch_item_failures;
  lines.push(
    `  batchItemFailures: ${failures.length === 0 ? '[] (every record acknowledged)' : `[${failures.join(', ')}]`}`,
  );
  return lines;
}

function targetLines(targets: readonly TargetTraffic[], c: Palette): string[] {
  const lines = [c.bold('What reached the targets')];
  if (targets.length === 0)
    lines.push(c.dim('  (not recorded: real targets were called; use --dry-run to record them)'));
  for (const target of targets) {
    lines.push(`  ${target.target} (${target.kind}${target.url === undefined ? '' : `, ${target.url}`})`);
    if (target.calls.length === 0) lines.push(c.dim('    (nothing)'));
    for (const call of target.calls) {
      const status =
        call.status === undefined
          ? ''
          : ` → ${call.status >= 400 ? c.red(String(call.status)) : call.status}`;
      lines.push(
        `    ${call.request}${status}${call.response === undefined ? '' : ` ${c.dim(call.response)}`}`,
      );
      if (call.body !== undefined) lines.push(c.dim(`      ${call.body}`));
    }
  }
  return lines;
}

function queueLines(
  title: string,
  messages: readonly QueuedMessage[],
  c: Palette,
  reasons: boolean,
): string[] {
  const lines = [c.bold(title)];
  if (messages.length === 0) lines.push(c.dim('  (none)'));
  for (const message of messages) {
    const group = message.message_group_id === undefined ? '' : `  group ${message.message_group_id}`;
    const original =
      reasons && message.message_deduplication_id !== undefined
        ? `  original message ${message.message_deduplication_id}`
        : '';
    lines.push(`  ${message.queue}  ${message.message_id}${group}${original}`);
    if (reasons) {
      const { error_class: errorClass, error_message: errorMessage, ...rest } = message.attributes;
      const where = Object.entries(rest)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push(`    ${c.red(errorClass ?? '?')} ${where}`, `    ${errorMessage ?? ''}`);
    }
    lines.push(c.dim(`    body: ${summarize(message.body)}`));
  }
  return lines;
}
