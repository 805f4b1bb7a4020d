/**
 * The bench's result model and its two renderings: a table for people (stdout) and JSON (`--json`).
 * A row's verdict is informational: benchmarks never fail on timing.
 */

/** Whether a row met its goal; `info` for rows without one. */
export type Verdict = 'met' | 'NOT met' | 'info';

export interface ResultRow {
  /** What was measured, e.g. `10,000 flows: p50 / p99`. */
  readonly metric: string;
  /** The measurement as displayed. */
  readonly value: string;
  /** The goal as displayed, `—` when none. */
  readonly goal: string;
  readonly verdict: Verdict;
}

export interface CaseResult {
  readonly id: number;
  readonly title: string;
  /** Sizes and iteration counts actually used (they shrink with `--quick`). */
  readonly parameters: Readonly<Record<string, string | number>>;
  /** Raw numbers, for the JSON file. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly rows: readonly ResultRow[];
  /** Caveats a reader needs to interpret the rows. */
  readonly notes?: readonly string[];
  readonly durationMs: number;
}

export function verdict(met: boolean): Verdict {
  return met ? 'met' : 'NOT met';
}

/** A ratio as `12.3×` (three significant digits, at most one decimal below 100). */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** Microseconds with a sensible precision. */
export function micros(ms: number): string {
  const us = ms * 1000;
  return `${us >= 100 ? us.toFixed(0) : us.toFixed(1)} µs`;
}

export function millis(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

export function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Renders every case as one Markdown table (readable in a terminal and pasteable into docs/performance.md). */
export function renderTable(cases: readonly CaseResult[]): string {
  const header = ['#', 'case', 'metric', 'result', 'goal', 'goal met?'];
  const lines: string[][] = [];
  for (const result of cases) {
    result.rows.forEach((row, index) => {
      lines.push([
        index === 0 ? String(result.id) : '',
        index === 0 ? result.title : '',
        row.metric,
        row.value,
        row.goal,
        row.verdict === 'info' ? '—' : row.verdict,
      ]);
    });
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    render(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...lines.map(render),
  ].join('\n');
}

/** The notes and parameters of every case, one bullet each, for below the table. */
export function renderNotes(cases: readonly CaseResult[]): string {
  const bullets: string[] = [];
  for (const result of cases) {
    const parameters = Object.entries(result.parameters)
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
    bullets.push(
      `- ${result.id}. ${result.title} (${parameters}; ${(result.durationMs / 1000).toFixed(1)} s)`,
    );
    for (const note of result.notes ?? []) bullets.push(`  - ${note}`);
  }
  return bullets.join('\n');
}
