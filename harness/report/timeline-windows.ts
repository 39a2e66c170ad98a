// Expected windows and measured instants on a test's timeline: each in a header row of its own (labels never
// overlap), drawn over the lanes in the style of its kind, so overlapping windows of different anchors stay apart.

import { formatDurationMs, formatInRangeMs, formatRangeMs } from '../core/format.js';
import type { Measurement, TestEvidence, Window } from '../core/model.js';
import { KIND_WORDS, coord, html, trusted, type SafeHtml } from './html-text.js';
import { COLORS, HEADER_ROW, PLOT_X0, PLOT_X1, WINDOW_STYLE, estimateWidth, truncate, type TimeAxis } from './timeline-draw.js';

/** Where the header rows end and the lanes begin. */
export function lanesTop(evidence: TestEvidence): number {
  return 6 + (evidence.windows.length + evidence.measurements.length) * HEADER_ROW + 4;
}

/** The drawing of every window and measurement: `overlay` goes over the lanes, `header` above them. */
export function windowMarks(evidence: TestEvidence, axis: TimeAxis, plotBottom: number): { overlay: SafeHtml; header: SafeHtml } {
  const windows = evidence.windows.map((w, row) => windowMark(w, row, axis, plotBottom));
  const measurements = evidence.measurements.map((m, i) =>
    measurementMark(m, windowOf(evidence, m), evidence.windows.length + i, axis, plotBottom),
  );
  const all = [...windows, ...measurements];
  return { overlay: html`${all.map((d) => d.overlay)}`, header: html`${all.map((d) => d.header)}` };
}

/** The window a measurement was checked against: same name, same anchor. */
export function windowOf(evidence: TestEvidence, m: Measurement): Window | null {
  if (m.window === null) return null;
  return (
    evidence.windows.find((w) => w.name === m.window && w.anchorNs === m.anchorNs) ??
    evidence.windows.find((w) => w.name === m.window) ??
    null
  );
}

const rowTop = (row: number): number => 6 + row * HEADER_ROW;

function windowMark(w: Window, row: number, axis: TimeAxis, plotBottom: number): { overlay: SafeHtml; header: SafeHtml } {
  const style = WINDOW_STYLE[w.kind] ?? WINDOW_STYLE.protocol;
  const anchorMs = axis.rel(w.anchorNs);
  const ax = axis.x(anchorMs);
  const x0 = axis.x(anchorMs + w.fromMs);
  const x1 = Math.max(axis.x(anchorMs + w.toMs), x0 + 2);
  const y = rowTop(row);
  const dash = style.dash === null ? '' : html` stroke-dasharray="${style.dash}"`;
  const tip = `expected window ${w.name} (${KIND_WORDS[w.kind] ?? w.kind}): ${w.description}; ${formatRangeMs(w.fromMs, w.toMs)} after ${w.anchorLabel} (${w.derivation})`;
  const area = html`<rect x="${coord(x0)}" y="${coord(y + HEADER_ROW - 2)}" width="${coord(x1 - x0)}" height="${coord(plotBottom - y - HEADER_ROW + 2)}" fill="${style.color}" fill-opacity="${style.fillOpacity}" stroke="${style.color}" stroke-width="1.4"${dash}><title>${tip}</title></rect>`;
  const anchor = html`<line x1="${coord(ax)}" x2="${coord(ax)}" y1="${coord(y + 2)}" y2="${coord(plotBottom)}" stroke="${style.color}" stroke-width="1.2" stroke-dasharray="5 3"><title>${`anchor of ${w.name}: ${w.anchorLabel} at ${formatDurationMs(anchorMs)}`}</title></line>`;
  const bar = html`<rect x="${coord(x0)}" y="${coord(y + 3)}" width="${coord(x1 - x0)}" height="7" fill="${style.color}" fill-opacity="0.35" stroke="${style.color}"${dash}/>`;
  const triangle = html`<path d="M${coord(ax - 4)} ${coord(y + 2)}h8l-4 6z" fill="${style.color}"/>`;
  return { overlay: html`${area}${anchor}`, header: html`${bar}${triangle}${windowLabels(w, ax, x0, x1, y, style.color)}` };
}

/** A white outline under header labels keeps them readable where window edges and other rows' lines cross. */
const HALO = trusted('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"');

/** The anchor's label left of its triangle when it fits there; the window's label right of its bar, else inside it. */
function windowLabels(w: Window, ax: number, x0: number, x1: number, y: number, color: string): SafeHtml {
  const anchorText = truncate(w.anchorLabel, 40);
  const anchorW = estimateWidth(anchorText, 10);
  const anchorLeft = ax - anchorW - 8 >= PLOT_X0;
  const anchor = anchorLeft
    ? html`<text x="${coord(ax - 7)}" y="${coord(y + 9)}" font-size="10" text-anchor="end" fill="${color}" ${HALO}>${anchorText}</text>`
    : html`<text x="${coord(ax + 7)}" y="${coord(y + 9)}" font-size="10" fill="${color}" ${HALO}>${anchorText}</text>`;
  const text = `${w.name} · ${KIND_WORDS[w.kind] ?? w.kind}: ${formatRangeMs(w.fromMs, w.toMs)}`;
  const textW = estimateWidth(text, 10);
  const clearOfAnchor = anchorLeft ? ax + 7 : ax + 7 + anchorW + 10;
  const outside = Math.max(x1 + 6, clearOfAnchor);
  const inside = Math.abs(x0 - ax) < 8 || x0 < clearOfAnchor ? Math.max(x0 + 3, clearOfAnchor) : x0 + 3;
  const wx = outside + textW <= PLOT_X1 ? outside : Math.min(inside, PLOT_X1 - textW - 2);
  return html`${anchor}<text x="${coord(wx)}" y="${coord(y + 9)}" font-size="10" font-weight="600" fill="${color}" ${HALO}>${text}</text>`;
}

/** A measured value in its window's unit, so it reads as in the failure message; plain when it has no window. */
export function measuredText(m: Measurement, window: Window | null): string {
  return window ? formatInRangeMs(m.valueMs, window.fromMs, window.toMs) : formatDurationMs(m.valueMs);
}

function measurementMark(
  m: Measurement,
  window: Window | null,
  row: number,
  axis: TimeAxis,
  plotBottom: number,
): { overlay: SafeHtml; header: SafeHtml } {
  const mx = axis.x(axis.rel(m.atNs));
  const color = m.withinWindow === true ? COLORS.within : m.withinWindow === false ? COLORS.outside : COLORS.unknown;
  const y = rowTop(row);
  const verdict = m.withinWindow === true ? ' ✓' : m.withinWindow === false ? ' ✗ outside window' : '';
  const label = `${m.name}: ${measuredText(m, window)}${verdict}`;
  const tx = mx + 5 + estimateWidth(label, 10) <= PLOT_X1 ? mx + 5 : mx - 5;
  const tip = `${m.description}: ${measuredText(m, window)}${window ? ` after ${window.anchorLabel}, expected ${formatRangeMs(window.fromMs, window.toMs)}` : ''}`;
  const overlay = html`<line x1="${coord(mx)}" x2="${coord(mx)}" y1="${coord(y + 1)}" y2="${coord(plotBottom)}" stroke="${color}" stroke-width="2"><title>${tip}</title></line><circle cx="${coord(mx)}" cy="${coord(y + 5)}" r="3" fill="${color}"/>`;
  const header = html`<text x="${coord(tx)}" y="${coord(y + 9)}" font-size="10" font-weight="600" text-anchor="${tx < mx ? 'end' : 'start'}" fill="${color}" ${HALO}>${label}</text>`;
  return { overlay, header };
}
