// The forest plot of a comparison: every timing's shift with its interval against its equivalence margin, one row
// each, regressions first, so the reader sees at once which timings moved, which are proved the same, and which the
// repeats could not decide.

import { formatDurationMs } from '../core/format.js';
import type { Comparison, TimingShift } from '../core/model.js';
import { coord, html, signedDuration, type SafeHtml } from './html-text.js';

const ORDER: Record<string, number> = { regression: 0, inconclusive: 1, improvement: 2, equivalent: 3 };
const COLOR: Record<string, string> = { regression: '#c62828', inconclusive: '#ef6c00', improvement: '#1565c0', equivalent: '#2e7d32' };
const ROW = 18;
const LABEL_W = 520;
const PLOT_W = 300;
const WORDS_W = 270;
/** Characters of a label that fit LABEL_W at 11 px (about 5.9 px a character in a proportional face). */
const LABEL_CHARS = 86;

interface Row {
  scenario: string;
  timing: TimingShift;
}

/** An SVG forest plot of the judged timings (those with an interval), or nothing when there are none. */
export function renderForest(comparison: Comparison): SafeHtml | '' {
  const rows: Row[] = comparison.scenarios
    .flatMap((s) => s.timings.map((timing) => ({ scenario: s.fullTitle, timing })))
    .filter((r) => r.timing.interval !== undefined && r.timing.marginMs !== undefined)
    .sort((a, b) => (ORDER[a.timing.verdict ?? 'inconclusive'] ?? 1) - (ORDER[b.timing.verdict ?? 'inconclusive'] ?? 1));
  if (rows.length === 0) return '';
  // The scale: every margin and every finite interval end, with room on both sides.
  const ends = rows.flatMap((r) => [r.timing.interval!.lowMs, r.timing.interval!.highMs, r.timing.marginMs!, -r.timing.marginMs!]);
  const reach = Math.max(...ends.filter(Number.isFinite).map(Math.abs), 1) * 1.1;
  const x = (ms: number): number => LABEL_W + PLOT_W / 2 + (Math.max(-reach, Math.min(reach, ms)) / reach) * (PLOT_W / 2);
  const height = (rows.length + 2) * ROW;
  const body = rows.map((r, i) => forestRow(r, (i + 1) * ROW + 4, x));
  const zero = x(0);
  return html`<figure class="forest"><figcaption>Each timing's shift (candidate − baseline, ●) and its ${Math.round(100 * rows[0]!.timing.interval!.confidence)}% interval against its equivalence margin (the shaded band); regressions first. An arrow marks an interval with no end at this many repeats.</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${LABEL_W + PLOT_W + WORDS_W} ${height}" width="100%" role="img" aria-label="forest plot of the timing shifts" font-family="system-ui, sans-serif" font-size="11"><line x1="${coord(zero)}" y1="2" x2="${coord(zero)}" y2="${height - ROW}" stroke="#90a4ae" stroke-dasharray="2 2"/>${body}<text x="${coord(zero)}" y="${height - 4}" text-anchor="middle" fill="#546e7a">0 · ±${formatDurationMs(reach / 1.1)} at the edges</text></svg></figure>`;
}

function forestRow(r: Row, y: number, x: (ms: number) => number): SafeHtml {
  const t = r.timing;
  const verdict = t.verdict ?? 'inconclusive';
  const color = COLOR[verdict] ?? COLOR['inconclusive']!;
  const low = t.interval!.lowMs;
  const high = t.interval!.highMs;
  // The timing's name in full; the scenario's title cut to what is left of the label's width (the tooltip has it all).
  const room = Math.max(20, LABEL_CHARS - t.name.length - 2);
  const label = `${r.scenario.length > room ? `${r.scenario.slice(0, room - 1)}…` : r.scenario}: ${t.name}`;
  const words = `${verdict} ${signedDuration(t.shiftMs)} [${bound(low)}, ${bound(high)}] ±${formatDurationMs(t.marginMs!)}`;
  const arrow = (end: number, side: 1 | -1): SafeHtml | '' =>
    Number.isFinite(end) ? '' : html`<path d="M${coord(x(side * Infinity))} ${y}l${-side * 5} -3v6z" fill="${color}"/>`;
  return html`<g><title>${`${r.scenario}: ${t.name} — ${t.why ?? verdict}`}</title><text x="${LABEL_W - 6}" y="${y + 4}" text-anchor="end" fill="#263238">${label}</text><rect x="${coord(x(-t.marginMs!))}" y="${y - 6}" width="${coord(x(t.marginMs!) - x(-t.marginMs!))}" height="12" fill="#e8f5e9"/><line x1="${coord(x(low))}" y1="${y}" x2="${coord(x(high))}" y2="${y}" stroke="${color}" stroke-width="2"/>${arrow(low, -1)}${arrow(high, 1)}<circle cx="${coord(x(t.shiftMs))}" cy="${y}" r="3.5" fill="${color}"/><text x="${LABEL_W + PLOT_W + 8}" y="${y + 4}" fill="${color}">${words}</text></g>`;
}

function bound(ms: number): string {
  return ms === Infinity ? '+∞' : ms === -Infinity ? '−∞' : signedDuration(ms);
}
