// Draws one test's evidence as an inline SVG timeline: lanes per node and for the faults, laid out under the header
// rows of the windows and measurements, a time axis, and the legend. The parts are drawn by the timeline-* modules.

import type { TestEvidence } from '../core/model.js';
import { formatDurationMs } from '../core/format.js';
import { coord, html, type SafeHtml } from './html-text.js';
import { COLORS, LANE_H, PLOT_W, PLOT_X0, PLOT_X1, WIDTH, timeAxis, truncate, type Group, type TimeAxis } from './timeline-draw.js';
import { faultGroup, harnessGroup, injectionLine } from './timeline-faults.js';
import { renderLegend } from './timeline-legend.js';
import { nodeGroups } from './timeline-nodes.js';
import { lanesTop, windowMarks } from './timeline-windows.js';

const LANE_GAP = 4;
const GROUP_HEAD = 15;
const GROUP_GAP = 6;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export interface TimelineSvgOptions {
  /** Prefix for ids inside the SVG (patterns), unique in the page. */
  idPrefix: string;
}

/** The evidence's timeline, or null when there is nothing to draw. */
export function renderTimelineSvg(evidence: TestEvidence, options: TimelineSvgOptions): string | null {
  return timelineSvg(evidence, options)?.toString() ?? null;
}

/** The evidence's timeline as markup for the page, or null when there is nothing to draw. */
export function timelineSvg(evidence: TestEvidence, options: TimelineSvgOptions): SafeHtml | null {
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
  return html`${[
    html`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${coord(height)}" width="100%" role="img" aria-label="${title}" font-family="${FONT}">`,
    html`<title>${title}</title>`,
    hatchPattern(options.idPrefix),
    html`<rect width="${WIDTH}" height="${coord(height)}" fill="#ffffff"/>`,
    renderAxis(axis, top, lanes.bottom, evidence.endNs !== null),
    lanes.svg,
    injectionLine(evidence.injection, axis, top, lanes.bottom),
    marks.overlay,
    lanes.labels,
    marks.header,
    legend.svg,
    html`</svg>`,
  ]}`;
}

function hatchPattern(idPrefix: string): SafeHtml {
  return html`<defs><pattern id="${idPrefix}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#37474f" stroke-width="2"/></pattern></defs>`;
}

/** Stacks the groups from `top`: a heading per group, its lanes, and its blind spots hatched over them. */
function layoutGroups(
  groups: readonly Group[],
  top: number,
  axis: TimeAxis,
  idPrefix: string,
): { svg: SafeHtml; labels: SafeHtml; bottom: number } {
  const svg: SafeHtml[] = [];
  const blind: SafeHtml[] = [];
  const labels: SafeHtml[] = [];
  let y = top;
  for (const group of groups) {
    labels.push(html`<text x="6" y="${coord(y + 11)}" font-size="11" font-weight="600" fill="${COLORS.text}">${group.title}</text>`);
    svg.push(html`<line x1="6" x2="${PLOT_X1}" y1="${coord(y + 0.5)}" y2="${coord(y + 0.5)}" stroke="#cfd8dc"/>`);
    y += GROUP_HEAD;
    const groupTop = y;
    for (const lane of group.lanes) {
      labels.push(html`<text x="16" y="${coord(y + 11.5)}" font-size="10" fill="${COLORS.muted}">${truncate(lane.label, 27)}</text>`);
      svg.push(html`<rect x="${PLOT_X0}" y="${coord(y)}" width="${PLOT_W}" height="${LANE_H}" fill="#fafbfc"/>`, lane.draw(y));
      y += LANE_H + LANE_GAP;
    }
    blind.push(...group.blind.map((b) => blindRect(b, group.title, axis, groupTop, y, idPrefix)));
    y += GROUP_GAP;
  }
  return { svg: html`${svg}${blind}`, labels: html`${labels}`, bottom: y };
}

function blindRect(
  b: { fromMs: number; toMs: number; detail: string },
  node: string,
  axis: TimeAxis,
  top: number,
  bottom: number,
  idPrefix: string,
): SafeHtml {
  const x0 = axis.x(b.fromMs);
  const x1 = Math.max(axis.x(b.toMs), x0 + 2);
  const tip = `${node} unobservable ${formatDurationMs(b.fromMs)} → ${formatDurationMs(b.toMs)}: ${b.detail}`;
  return html`<rect x="${coord(x0)}" y="${coord(top - 2)}" width="${coord(x1 - x0)}" height="${coord(bottom - top)}" fill="url(#${idPrefix}-hatch)" stroke="${COLORS.muted}" stroke-dasharray="2 2"><title>${tip}</title></rect>`;
}

/** Grid lines and ticks at a round step in seconds since the test started, and the test's end. */
function renderAxis(axis: TimeAxis, top: number, bottom: number, hasEnd: boolean): SafeHtml {
  const step = niceStep(axis.domainMs / 1000);
  const parts: SafeHtml[] = [];
  for (let i = 0; i * step * 1000 <= axis.domainMs + 1e-9; i += 1) {
    const gx = axis.x(i * step * 1000);
    parts.push(
      html`<line x1="${coord(gx)}" x2="${coord(gx)}" y1="${coord(top)}" y2="${coord(bottom)}" stroke="${COLORS.grid}"/>`,
      html`<line x1="${coord(gx)}" x2="${coord(gx)}" y1="${coord(bottom)}" y2="${coord(bottom + 4)}" stroke="${COLORS.muted}"/>`,
      html`<text x="${coord(gx)}" y="${coord(bottom + 15)}" font-size="10" text-anchor="middle" fill="${COLORS.muted}">${tickLabel(i * step, step)}</text>`,
    );
  }
  parts.push(html`<line x1="${PLOT_X0}" x2="${PLOT_X1}" y1="${coord(bottom)}" y2="${coord(bottom)}" stroke="${COLORS.muted}"/>`);
  parts.push(html`<text x="6" y="${coord(bottom + 15)}" font-size="10" fill="${COLORS.muted}">seconds since test start</text>`);
  if (hasEnd) {
    const ex = axis.x(axis.endMs);
    parts.push(
      html`<line x1="${coord(ex)}" x2="${coord(ex)}" y1="${coord(top)}" y2="${coord(bottom)}" stroke="${COLORS.muted}" stroke-dasharray="1 3"><title>test end ${formatDurationMs(axis.endMs)}</title></line>`,
    );
  }
  return html`${parts}`;
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
