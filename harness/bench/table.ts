// The bench's result as text for the terminal: one row per figure (n, min, median, p95, max with its unit), then each
// target met, missed or not measured, with its breakdown.

import type { BenchResult, Figure, Target } from './figures.js';

/** A number as a table shows it: three significant digits, never in exponent form. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export function figureTable(figures: readonly Figure[]): string {
  const header = ['figure', 'unit', 'n', 'min', 'median', 'p95', 'max'];
  const rows = figures.map((f) => [
    f.id,
    f.unit,
    String(f.n),
    formatValue(f.min),
    formatValue(f.median),
    formatValue(f.p95),
    formatValue(f.max),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [
    pad(header, widths),
    pad(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...rows.map((r) => pad(r, widths)),
  ].join('\n');
}

export function verdictWord(target: Target): string {
  return target.met === null ? 'NOT MEASURED' : target.met ? 'MET' : 'MISSED';
}

export function targetLines(targets: readonly Target[]): string {
  return targets
    .map((t) => {
      const value =
        t.value === null ? '' : `: ${formatValue(t.value)} ${t.unit} (${t.direction === 'at-most' ? '≤' : '≥'} ${formatValue(t.limit)})`;
      const lines = [`${verdictWord(t).padEnd(12)} ${t.text}${value}`, `             ${t.detail}`];
      if (t.met === false) lines.push(...t.breakdown.map((b) => `             · ${b}`));
      return lines.join('\n');
    })
    .join('\n');
}

export function renderTable(result: BenchResult): string {
  return [
    `${result.command}: ${result.figures.length} figures in ${formatValue(result.wallMs / 1000)} s`,
    '',
    figureTable(result.figures),
    '',
    'Targets',
    targetLines(result.targets),
    ...(result.notes.length > 0 ? ['', 'Notes', ...result.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}
