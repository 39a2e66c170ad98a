// Draws one test's evidence as an inline SVG timeline: lanes per node and for the faults, laid out under the header
// rows of the windows and measurements, a time axis, and the legend. The parts are drawn by the timeline-* modules.

import type { TestEvidence } from '../core/model.js';
import { formatDurationMs } from '../core/format.js';
import { escapeHtml, n } from './html-text.js';
import { COLORS, LANE_H, PLOT_W, PLOT_X0, PLOT_X1, WIDTH, timeAxis, truncate, type Group, type TimeAxis } from './timeline-draw.js';
import { faultGroup, harnessGroup, injectionLine } from './timeline-faults.js';
import { renderLegend } from './timeline-legend.js';
import { nodeGroups } from './timeline-nodes.js';
import { lanesTop, windowMarks } from './timeline-windows.js';

const LANE_GAP = 4;
const GROUP_HEAD = 15;
const GROUP_GAP = 6;
const FONT = 'system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, &quot;Helvetica Neue&quot;, Arial, sans-serif';

export interface TimelineSvgOptions {
  /** Prefix for ids inside the SVG (patterns), unique in the page. */
  idPrefix: string;
}

/** The evidence's timeline, or null when there is nothing to draw. */
export function renderTimelineSvg(evidence: TestEvidence, options: TimelineSvgOptions): string | null {
  if (evidence.timeline.length + evidence.faults.length + evidence.windows.length + evidence.measurements.length === 0) return null;
  const axis = timeAxis(evidence);
  const groups = [...nodeGroups(evidence, axis), faultGroup(evidence, axis), harnessGroup(evidence, axis)].filter(
    (g): g is Group => g !== null,
  );
  const top = lanesTop(evidence);
  const lanes = layoutGroups(groups, top, axis, options.idPrefix);
  const marks = windowMarks(evidence, axis, lanes.bottom);
  const legendTop = lanes.bottom + 26;
  const legend = renderLegend(legendTop, options.idPrefix);
  const height = legendTop + legend.height + 4;
  const title = `Timeline of ${evidence.scenario}`;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${n(height)}" width="100%" role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}">`,
    `<title>${escapeHtml(title)}</title>`,
    hatchPattern(options.idPrefix),
    `<rect width="${WIDTH}" height="${n(height)}" fill="#ffffff"/>`,
    renderAxis(axis, top, lanes.bottom, evidence.endNs !== null),
    lanes.svg,
    injectionLine(evidence.injection, axis, top, lanes.bottom),
    marks.overlay,
    lanes.labels,
    marks.header,
    legend.svg,
    '</svg>',
  ].join('');
}

function hatchPattern(idPrefix: string): string {
  return `<defs><pattern id="${idPrefix}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#37474f" stroke-width="2"/></pattern></defs>`;
}

/** Stacks the groups from `top`: a heading per group, its lanes, and its blind spots hatched over them. */
function layoutGroups(
  groups: readonly Group[],
  top: number,
  axis: TimeAxis,
  idPrefix: string,
): { svg: string; labels: string; bottom: number } {
  const svg: string[] = [];
  const blind: string[] = [];
  const labels: string[] = [];
  let y = top;
  for (const group of groups) {
    labels.push(`<text x="6" y="${n(y + 11)}" font-size="11" font-weight="600" fill="${COLORS.text}">${escapeHtml(group.title)}</text>`);
    svg.push(`<line x1="6" x2="${PLOT_X1}" y1="${n(y + 0.5)}" y2="${n(y + 0.5)}" stroke="#cfd8dc"/>`);
    y += GROUP_HEAD;
    const groupTop = y;
    for (const lane of group.lanes) {
      labels.push(`<text x="16" y="${n(y + 11.5)}" font-size="10" fill="${COLORS.muted}">${escapeHtml(truncate(lane.label, 27))}</text>`);
      svg.push(`<rect x="${PLOT_X0}" y="${n(y)}" width="${PLOT_W}" height="${LANE_H}" fill="#fafbfc"/>`, lane.draw(y));
      y += LANE_H + LANE_GAP;
    }
    blind.push(...group.blind.map((b) => blindRect(b, group.title, axis, groupTop, y, idPrefix)));
    y += GROUP_GAP;
  }
  return { svg: svg.join('') + blind.join(''), labels: labels.join(''), bottom: y };
}

function blindRect(
  b: { fromMs: number; toMs: number; detail: string },
  node: string,
  axis: TimeAxis,
  top: number,
  bottom: number,
  idPrefix: string,
): string {
  const x0 = axis.x(b.fromMs);
  const x1 = Math.max(axis.x(b.toMs), x0 + 2);
  const tip = `${node} unobservable ${formatDurationMs(b.fromMs)} → ${formatDurationMs(b.toMs)}: ${b.detail}`;
  return `<rect x="${n(x0)}" y="${n(top - 2)}" width="${n(x1 - x0)}" height="${n(bottom - top)}" fill="url(#${idPrefix}-hatch)" stroke="${COLORS.muted}" stroke-dasharray="2 2"><title>${escapeHtml(tip)}</title></rect>`;
}

/** Grid lines and ticks at a round step in seconds since the test started, and the test's end. */
function renderAxis(axis: TimeAxis, top: number, bottom: number, hasEnd: boolean): string {
  const step = niceStep(axis.domainMs / 1000);
  const parts: string[] = [];
  for (let i = 0; i * step * 1000 <= axis.domainMs + 1e-9; i += 1) {
    const gx = axis.x(i * step * 1000);
    parts.push(
      `<line x1="${n(gx)}" x2="${n(gx)}" y1="${n(top)}" y2="${n(bottom)}" stroke="${COLORS.grid}"/>`,
      `<line x1="${n(gx)}" x2="${n(gx)}" y1="${n(bottom)}" y2="${n(bottom + 4)}" stroke="${COLORS.muted}"/>`,
      `<text x="${n(gx)}" y="${n(bottom + 15)}" font-size="10" text-anchor="middle" fill="${COLORS.muted}">${escapeHtml(tickLabel(i * step, step))}</text>`,
    );
  }
  parts.push(`<line x1="${PLOT_X0}" x2="${PLOT_X1}" y1="${n(bottom)}" y2="${n(bottom)}" stroke="${COLORS.muted}"/>`);
  parts.push(`<text x="6" y="${n(bottom + 15)}" font-size="10" fill="${COLORS.muted}">seconds since test start</text>`);
  if (hasEnd) {
    const ex = axis.x(axis.endMs);
    parts.push(
      `<line x1="${n(ex)}" x2="${n(ex)}" y1="${n(top)}" y2="${n(bottom)}" stroke="${COLORS.muted}" stroke-dasharray="1 3"><title>test end ${escapeHtml(formatDurationMs(axis.endMs))}</title></line>`,
    );
  }
  return parts.join('');
}

function niceStep(spanSeconds: number): number {
  const candidates = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];
  for (const c of candidates) if (spanSeconds / c <= 14) return c;
  return Math.ceil(spanSeconds / 14 / 3600) * 3600;
}

/** An axis tick: a bare number (the axis names the unit), with as many decimals as the step needs. */
function tickLabel(seconds: number, step: number): string {
  return seconds.toFixed(step < 0.1 ? 2 : step < 1 ? 1 : 0);
}
