// Small inline SVG charts of a scenario across runs, oldest left: a timing's p50 and p95 against its window band,
// and the share of executions that passed, one bar per run coloured by the run's outcome for the scenario.

import { formatDurationMs, formatInRangeMs, formatRangeMs } from '../core/format.js';
import type { Outcome, TimingStats } from '../core/model.js';
import { coord, html, type SafeHtml } from './html-text.js';

const W = 300;
const H = 92;
const X0 = 52;
const X1 = W - 8;
const Y0 = 8;
const Y1 = H - 18;

const OUTCOME_COLOR: Record<Outcome, string> = {
  passed: '#2e7d32',
  failed: '#c62828',
  flaky: '#e69500',
  pending: '#90a4ae',
  inconclusive: '#6a5acd',
};

/** One run's value of a timing, or null when the scenario did not measure it in that run. */
export interface TimingPoint {
  runId: string;
  stats: TimingStats | null;
}

/** One run's result for a scenario, or null outcome when the scenario did not run. */
export interface OutcomePoint {
  runId: string;
  outcome: Outcome | null;
  executions: number;
  failed: number;
  /** Executions left out as inconclusive (harness). */
  inconclusive?: number;
}

const xAt = (i: number, count: number): number => (count <= 1 ? (X0 + X1) / 2 : X0 + (i / (count - 1)) * (X1 - X0));

/** p50 (solid) and p95 (dashed) of a timing per run, over its window band; a run without the timing leaves a gap. */
export function renderTimingTrendSvg(
  name: string,
  points: readonly TimingPoint[],
  window: { fromMs: number; toMs: number } | null,
): SafeHtml | '' {
  const values = points.flatMap((p) => (p.stats ? [p.stats.p50, p.stats.p95] : []));
  if (values.length === 0) return '';
  const lo = Math.min(...values, ...(window ? [window.fromMs] : []));
  const hi = Math.max(...values, ...(window ? [window.toMs] : []));
  const pad = Math.max((hi - lo) * 0.1, 1);
  const [yLo, yHi] = [Math.max(0, lo - pad), hi + pad];
  const y = (ms: number): number => Y1 - ((ms - yLo) / (yHi - yLo)) * (Y1 - Y0);
  const band = window
    ? html`<rect x="${X0}" y="${coord(y(window.toMs))}" width="${X1 - X0}" height="${coord(Math.max(1, y(window.fromMs) - y(window.toMs)))}" fill="#2e7d32" fill-opacity="0.12" stroke="#2e7d32" stroke-opacity="0.4"/>`
    : '';
  const format = (ms: number): string => (window ? formatInRangeMs(ms, window.fromMs, window.toMs) : formatDurationMs(ms));
  const line = (pick: (s: TimingStats) => number, dash: string): SafeHtml =>
    polyline(
      points.map((p, i) => (p.stats ? { x: xAt(i, points.length), y: y(pick(p.stats)) } : null)),
      dash,
    );
  const dots = points.map((p, i) =>
    p.stats
      ? trendDot(
          xAt(i, points.length),
          y(p.stats.p50),
          `${p.runId}: p50 ${format(p.stats.p50)}, p95 ${format(p.stats.p95)}, max ${format(p.stats.max)} (n=${p.stats.n})`,
          outsideWindow(p.stats, window),
        )
      : '',
  );
  const axis = html`<text x="${X0 - 4}" y="${coord(y(yHi) + 8)}" font-size="9" text-anchor="end" fill="#607d8b">${formatDurationMs(yHi)}</text><text x="${X0 - 4}" y="${coord(y(yLo))}" font-size="9" text-anchor="end" fill="#607d8b">${formatDurationMs(yLo)}</text>`;
  const caption = html`<text x="${X0}" y="${H - 4}" font-size="9" fill="#607d8b">${`${points.length} runs, oldest → newest · — p50 · - - p95`}</text>`;
  const title = `${name}: p50 and p95 over the last ${points.length} runs${window ? `, window ${formatRangeMs(window.fromMs, window.toMs)}` : ''}`;
  return svg(title, html`${band}${line((s) => s.p95, '4 3')}${line((s) => s.p50, '')}${dots}${axis}${caption}`);
}

function outsideWindow(stats: TimingStats, window: { fromMs: number; toMs: number } | null): boolean {
  return window !== null && (stats.min < window.fromMs || stats.max > window.toMs);
}

function trendDot(x: number, y: number, tip: string, outside: boolean): SafeHtml {
  return html`<circle cx="${coord(x)}" cy="${coord(y)}" r="2.8" fill="${outside ? '#c62828' : '#1565c0'}"><title>${tip}</title></circle>`;
}

/** A line through the points, broken where a point is missing. */
function polyline(points: ReadonlyArray<{ x: number; y: number } | null>, dash: string): SafeHtml {
  const runs: string[][] = [[]];
  for (const p of points) {
    if (p === null) runs.push([]);
    else runs[runs.length - 1]!.push(`${coord(p.x)},${coord(p.y)}`);
  }
  const dashed = dash ? html` stroke-dasharray="${dash}"` : '';
  return html`${runs
    .filter((r) => r.length > 1)
    .map((r) => html`<polyline points="${r.join(' ')}" fill="none" stroke="#1565c0" stroke-width="1.5"${dashed}/>`)}`;
}

/** The share of a scenario's executions that passed, per run, coloured by the scenario's outcome in that run. */
export function renderPassRateSvg(points: readonly OutcomePoint[]): SafeHtml {
  const slot = (X1 - X0) / Math.max(points.length, 1);
  const barW = Math.max(2, Math.min(18, slot - 2));
  const bars = points.map((p, i) => passBar(p, X0 + slot * i + (slot - barW) / 2, barW));
  const axis = html`<text x="${X0 - 4}" y="${Y0 + 8}" font-size="9" text-anchor="end" fill="#607d8b">100 %</text><text x="${X0 - 4}" y="${Y1}" font-size="9" text-anchor="end" fill="#607d8b">0 %</text><line x1="${X0}" x2="${X1}" y1="${Y1}" y2="${Y1}" stroke="#cfd8dc"/>`;
  const caption = html`<text x="${X0}" y="${H - 4}" font-size="9" fill="#607d8b">${`pass rate, ${points.length} runs, oldest → newest`}</text>`;
  return svg(`pass rate over the last ${points.length} runs`, html`${bars}${axis}${caption}`);
}

function passBar(p: OutcomePoint, x: number, width: number): SafeHtml {
  if (p.outcome === null || p.executions === 0) {
    return html`<rect x="${coord(x)}" y="${Y1 - 2}" width="${coord(width)}" height="2" fill="#cfd8dc"><title>${`${p.runId}: not run`}</title></rect>`;
  }
  // `executions` leaves out the inconclusive ones: the harness's failures are not the site's pass rate.
  const rate = p.outcome === 'pending' ? 0 : (p.executions - p.failed) / p.executions;
  const height = Math.max(2, rate * (Y1 - Y0));
  const left = p.inconclusive ? ` (${p.inconclusive} inconclusive left out)` : '';
  const tip = `${p.runId}: ${p.outcome}, ${p.executions - p.failed} of ${p.executions} executions passed${left}`;
  return html`<rect x="${coord(x)}" y="${coord(Y1 - height)}" width="${coord(width)}" height="${coord(height)}" fill="${OUTCOME_COLOR[p.outcome]}"><title>${tip}</title></rect>`;
}

function svg(title: string, body: SafeHtml): SafeHtml {
  return html`<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}"><title>${title}</title><rect width="${W}" height="${H}" fill="#ffffff"/>${body}</svg>`;
}
