// What every part of a test's SVG timeline shares: the page geometry, the colours, the time axis of one test
// (ms since its start → x), and the shapes lanes are made of (state bands, labels that fit or are left out).

import type { AcdLinkState, EssState } from '../../images/protocol/index.js';
import { msBetween } from '../core/clock.js';
import type { TestEvidence, WindowKind } from '../core/model.js';
import { coord, html, type SafeHtml } from './html-text.js';

export const WIDTH = 1120;
export const PLOT_X0 = 172;
export const PLOT_X1 = WIDTH - 16;
export const PLOT_W = PLOT_X1 - PLOT_X0;
export const LANE_H = 16;
export const HEADER_ROW = 13;

export const COLORS = {
  active: '#2e7d32',
  standby: '#90a4ae',
  acd: {
    IDLE: '#cfd8dc',
    CONNECTING: '#ffb74d',
    WAITING_ACCEPTANCE: '#ffd54f',
    TRANSLATION_PUMPUP: '#4fc3f7',
    DATA_TRANSFER: '#1565c0',
  } satisfies Record<AcdLinkState, string>,
  acdOnEss: '#6a1b9a',
  ess: {
    STANDBY: '#90a4ae',
    NO_SERVICE_TIMING: '#ffb74d',
    ACTIVE: '#6a1b9a',
    RESETTING: '#f06292',
  } satisfies Record<EssState, string>,
  alarm: '#d32f2f',
  fault: '#b71c1c',
  healed: '#2e7d32',
  injection: '#00838f',
  within: '#2e7d32',
  outside: '#c62828',
  unknown: '#546e7a',
  hbSent: '#78909c',
  hbAnswered: '#2e7d32',
  hbMissed: '#c62828',
  hbReceived: '#1565c0',
  linkDown: '#ffcdd2',
  text: '#263238',
  muted: '#607d8b',
  grid: '#eceff1',
} as const;

/**
 * Each kind of window has its own colour and stroke, so a protocol-anchored window and the fault-anchored window of
 * the same event stay visible and distinct where they overlap.
 */
export const WINDOW_STYLE: Record<WindowKind, { color: string; fillOpacity: number; dash: string | null; label: string }> = {
  protocol: { color: '#1565c0', fillOpacity: 0.14, dash: null, label: 'window from the protocol event' },
  fault: { color: '#ef6c00', fillOpacity: 0.07, dash: '6 3', label: 'window from the fault' },
  budget: { color: '#6a1b9a', fillOpacity: 0, dash: '2 3', label: 'outage budget' },
};

/** Fills that need white text on top. */
const DARK = new Set<string>([COLORS.active, COLORS.acd.DATA_TRANSFER, COLORS.acdOnEss, COLORS.ess.ACTIVE, COLORS.fault, COLORS.alarm]);

/** One test's time axis: instants as ms since the test started, and ms as x. */
export interface TimeAxis {
  /** ms from the test's start to an instant. */
  rel(ns: string): number;
  x(ms: number): number;
  domainMs: number;
  /** The test's end, or the last thing known of when it has none. */
  endMs: number;
}

/** The time axis spanning everything the evidence holds, from the test's start to the latest instant plus 2 %. */
export function timeAxis(evidence: TestEvidence): TimeAxis {
  const rel = (ns: string): number => msBetween(evidence.startNs, ns);
  const instants = knownInstants(evidence, rel).filter(Number.isFinite);
  const domainMs = Math.max(1, ...instants) * 1.02;
  const end = evidence.endNs === null ? Number.NaN : rel(evidence.endNs);
  const endMs = Number.isFinite(end) ? end : Math.max(0, ...instants);
  const x = (ms: number): number => PLOT_X0 + (Math.min(Math.max(Number.isFinite(ms) ? ms : 0, 0), domainMs) / domainMs) * PLOT_W;
  return { rel, x, domainMs, endMs };
}

function knownInstants(evidence: TestEvidence, rel: (ns: string) => number): number[] {
  const instants: number[] = [0];
  if (evidence.endNs !== null) instants.push(rel(evidence.endNs));
  for (const e of evidence.timeline) instants.push(rel(e.atNs));
  for (const f of evidence.faults)
    instants.push(...[f.appliedNs, f.confirmedNs, f.removedNs, f.healedNs].filter((s): s is string => s !== null).map(rel));
  for (const w of evidence.windows) instants.push(rel(w.anchorNs) + w.toMs);
  for (const m of evidence.measurements) instants.push(rel(m.atNs));
  if (evidence.injection) instants.push(rel(evidence.injection.tickNs) + evidence.injection.periodMs);
  return instants;
}

/** A state band with its label inside when it fits, and the full story in a tooltip. */
export function band(x0: number, x1: number, y: number, fill: string, label: string, tip: string, opacity = 1): SafeHtml {
  const width = Math.max(x1 - x0, 1);
  const textColor = DARK.has(fill) && opacity > 0.6 ? '#ffffff' : COLORS.text;
  const edge =
    x0 > PLOT_X0 + 0.5
      ? html`<line x1="${coord(x0)}" x2="${coord(x0)}" y1="${coord(y)}" y2="${coord(y + LANE_H)}" stroke="#ffffff" stroke-width="1"/>`
      : '';
  return html`<g><title>${tip}</title><rect x="${coord(x0)}" y="${coord(y)}" width="${coord(width)}" height="${LANE_H}" fill="${fill}" fill-opacity="${opacity}"/>${edge}${fitText(x0, x0 + width, y, label, textColor)}</g>`;
}

/** A label inside a band, only when some of it fits (a clipped label would lie about the state). */
export function fitText(x0: number, x1: number, y: number, label: string, color: string): SafeHtml | '' {
  const room = x1 - x0 - 6;
  if (room < 14) return '';
  const text = estimateWidth(label, 10) <= room ? label : truncate(label, Math.floor(room / 6.2));
  if (!text) return '';
  return html`<text x="${coord(x0 + 3)}" y="${coord(y + 11.5)}" font-size="10" fill="${color}">${text}</text>`;
}

/** Rough width of a label in a sans-serif face; good enough to decide whether a label fits. */
export function estimateWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.62;
}

export function truncate(text: string, max: number): string {
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** State spans: each event holds until the next one, the last until the end of the test. */
export function toSpans<E extends { atNs: string }>(
  events: readonly E[],
  axis: TimeAxis,
): Array<{ fromMs: number; toMs: number; event: E }> {
  const sorted = [...events].sort((a, b) => axis.rel(a.atNs) - axis.rel(b.atNs));
  return sorted.map((event, i) => {
    const next = sorted[i + 1];
    const fromMs = axis.rel(event.atNs);
    return { fromMs, toMs: next ? axis.rel(next.atNs) : Math.max(axis.endMs, fromMs), event };
  });
}

/** One row of the timeline: a label and what is drawn in it, given the row's top. */
export interface Lane {
  label: string;
  draw: (y: number) => SafeHtml;
}

/** Rows under one heading (a node, the faults, the harness), with the spans where the node could not be observed. */
export interface Group {
  title: string;
  lanes: Lane[];
  blind: Span[];
}

export interface Span {
  fromMs: number;
  toMs: number;
  detail: string;
}
