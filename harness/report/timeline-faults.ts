// The fault lanes of a test's timeline: when in the heartbeat cycle the faults were injected and healed (planned vs
// made), each fault from its request to its heal, and the harness's own actions and notes.

import { msBetween } from '../core/clock.js';
import { formatDurationMs } from '../core/format.js';
import type { FaultRecord, HarnessEvent, Injection, TestEvidence } from '../core/model.js';
import { coord, html, signedDuration, type SafeHtml } from './html-text.js';
import { COLORS, LANE_H, PLOT_X1, band, estimateWidth, truncate, type Group, type Lane, type TimeAxis } from './timeline-draw.js';

/** The faults group: the injection and heal lanes when they were placed in a cycle, then one lane per faulted target. */
export function faultGroup(evidence: TestEvidence, axis: TimeAxis): Group | null {
  const lanes: Lane[] = [];
  if (evidence.injection) {
    const injection = { plan: evidence.injection, what: 'faults injected', made: 'first fault applied' };
    lanes.push(phaseLane('injection (heartbeat cycle)', [{ ...injection, instants: evidence.faults.map((f) => f.appliedNs) }], axis));
  }
  const steps = (evidence.steps ?? []).map((plan) => ({ plan, instants: [plan.madeNs], what: plan.step, made: 'made' }));
  if (steps.length > 0) lanes.push(phaseLane('steps (heartbeat cycle)', steps, axis));
  for (const target of [...new Set(evidence.faults.map((f) => f.target))]) {
    const faults = evidence.faults.filter((f) => f.target === target);
    lanes.push({ label: target, draw: (y) => html`${faults.map((f) => faultBand(f, axis, y))}` });
  }
  return lanes.length === 0 ? null : { title: 'faults', lanes, blind: [] };
}

/**
 * How long after its planned instant a plan was made: the earliest of `instants` not before the plan (less 1 ms of
 * rounding; earlier ones, a precondition or an earlier heal, are not its own); null when none was.
 */
export function madeAfterPlanMs(plan: Injection, instants: ReadonlyArray<string | null>): number | null {
  const after = instants
    .filter((i): i is string => i !== null)
    .map((i) => msBetween(plan.plannedNs, i))
    .filter((ms) => Number.isFinite(ms) && ms >= -1);
  return after.length === 0 ? null : Math.min(...after);
}

interface PhaseMark {
  plan: Injection;
  /** The requests that may have made it (see madeAfterPlanMs). */
  instants: ReadonlyArray<string | null>;
  what: string;
  /** "first fault applied": what the actual instant is. */
  made: string;
}

/** Heartbeat cycles in which faults (or heals) were placed: each tick, planned instant (the phase) and actual one. */
function phaseLane(label: string, marks: readonly PhaseMark[], axis: TimeAxis): Lane {
  return { label, draw: (y) => html`${marks.map((mark) => phaseMark(mark, axis, y))}` };
}

function phaseMark({ plan, instants, what, made }: PhaseMark, axis: TimeAxis, y: number): SafeHtml {
  const tickMs = axis.rel(plan.tickNs);
  const plannedMs = axis.rel(plan.plannedNs);
  const afterMs = madeAfterPlanMs(plan, instants);
  const actualMs = afterMs === null ? null : plannedMs + afterMs;
  const lateness =
    actualMs === null
      ? 'nothing made after the plan'
      : `${made} at ${formatDurationMs(actualMs)} (${signedDuration(actualMs - plannedMs)} after the plan)`;
  const tip = `${what} at phase ${plan.phase.toFixed(2)} of the ${plan.cycle} cycle (period ${formatDurationMs(plan.periodMs)}): tick at ${formatDurationMs(tickMs)}, planned at ${formatDurationMs(plannedMs)}, ${lateness}`;
  const x0 = axis.x(tickMs);
  const x1 = Math.max(axis.x(tickMs + plan.periodMs), x0 + 2);
  const px = axis.x(plannedMs);
  const mid = y + LANE_H / 2;
  const cycle = html`<rect x="${coord(x0)}" y="${coord(mid - 2)}" width="${coord(x1 - x0)}" height="4" fill="${COLORS.injection}" fill-opacity="0.25"/><line x1="${coord(x0)}" x2="${coord(x0)}" y1="${coord(y + 2)}" y2="${coord(y + LANE_H - 2)}" stroke="${COLORS.injection}" stroke-width="1.5"/>`;
  const planned = html`<path d="M${coord(px)} ${coord(y + 1)}l6 7l-6 7l-6 -7z" fill="${COLORS.injection}"/>`;
  const actual =
    actualMs === null
      ? ''
      : html`<line x1="${coord(axis.x(actualMs))}" x2="${coord(axis.x(actualMs))}" y1="${coord(y)}" y2="${coord(y + LANE_H)}" stroke="${COLORS.fault}" stroke-width="2"/>`;
  const text = `phase ${plan.phase.toFixed(2)}`;
  const lx = px + 9 + estimateWidth(text, 10) <= PLOT_X1 ? px + 9 : px - 9 - estimateWidth(text, 10);
  return html`<g><title>${tip}</title>${cycle}${planned}${actual}<text x="${coord(lx)}" y="${coord(y + 12)}" font-size="10" font-weight="600" fill="${COLORS.injection}">${text}</text></g>`;
}

/** A vertical line at the planned injection instant, across every lane, so the phase reads against the heartbeats. */
export function injectionLine(injection: Injection | null, axis: TimeAxis, top: number, bottom: number): SafeHtml | '' {
  if (!injection) return '';
  const px = axis.x(axis.rel(injection.plannedNs));
  return html`<line x1="${coord(px)}" x2="${coord(px)}" y1="${coord(top)}" y2="${coord(bottom)}" stroke="${COLORS.injection}" stroke-width="1" stroke-dasharray="1 3"/>`;
}

/**
 * One fault from its request to its heal: faint while being applied (request sent, not yet confirmed), solid while in
 * force, faint again while being healed, and a green mark where the heal was in effect.
 */
function faultBand(f: FaultRecord, axis: TimeAxis, y: number): SafeHtml {
  const appliedMs = axis.rel(f.appliedNs);
  const confirmedMs = axis.rel(f.confirmedNs);
  const removedMs = f.removedNs === null ? axis.endMs : axis.rel(f.removedNs);
  const healedMs = f.healedNs === null ? null : axis.rel(f.healedNs);
  const label = faultLabel(f);
  const tip = faultTip(f, label, { appliedMs, confirmedMs, removedMs, healedMs });
  const applying = segment(axis.x(appliedMs), axis.x(confirmedMs), y, 0.45);
  const inForce = band(axis.x(confirmedMs), axis.x(removedMs), y, COLORS.fault, label, tip, 0.85);
  const healing = healedMs === null ? '' : segment(axis.x(removedMs), axis.x(healedMs), y, 0.3);
  const healMark = healedMs === null ? '' : healedMark(axis.x(healedMs), y);
  return html`<g><title>${tip}</title>${applying}${inForce}${healing}${healMark}</g>`;
}

function segment(x0: number, x1: number, y: number, opacity: number): SafeHtml | '' {
  if (!(x1 > x0)) return '';
  return html`<rect x="${coord(x0)}" y="${coord(y)}" width="${coord(x1 - x0)}" height="${LANE_H}" fill="${COLORS.fault}" fill-opacity="${opacity}"/>`;
}

function healedMark(hx: number, y: number): SafeHtml {
  return html`<line x1="${coord(hx)}" x2="${coord(hx)}" y1="${coord(y - 2)}" y2="${coord(y + LANE_H + 2)}" stroke="${COLORS.healed}" stroke-width="2.5"/><path d="M${coord(hx)} ${coord(y - 2)}l5 0l-5 5z" fill="${COLORS.healed}"/>`;
}

function faultLabel(f: FaultRecord): string {
  const attributes = Object.entries(f.attributes).map(([k, v]) => `${k}=${String(v)}`);
  const direction = f.direction && f.direction !== 'both' ? [f.direction] : [];
  return [f.kind, ...direction, ...attributes].join(' ');
}

function faultTip(
  f: FaultRecord,
  label: string,
  t: { appliedMs: number; confirmedMs: number; removedMs: number; healedMs: number | null },
): string {
  const heal =
    f.removedNs === null
      ? 'in force to the end of the test'
      : `heal requested at ${formatDurationMs(t.removedMs)}, ${t.healedMs === null ? 'never confirmed' : `healed at ${formatDurationMs(t.healedMs)}`}`;
  return `fault ${f.id}: ${label} on ${f.target}, applied at ${formatDurationMs(t.appliedMs)} (confirmed ${formatDurationMs(t.confirmedMs)}), ${heal}`;
}

/** The harness's actions (an operator's procedure) and notes, each labelled as far as the next one leaves room. */
export function harnessGroup(evidence: TestEvidence, axis: TimeAxis): Group | null {
  const actions = evidence.timeline.filter((e): e is HarnessEvent => e.node === 'harness' && (e.type === 'action' || e.type === 'note'));
  if (actions.length === 0) return null;
  const draw = (y: number): SafeHtml => html`${actions.map((a, i) => actionMark(a, actions[i + 1], axis, y))}`;
  return { title: 'harness', lanes: [{ label: 'actions', draw }], blind: [] };
}

function actionMark(a: HarnessEvent, next: HarnessEvent | undefined, axis: TimeAxis, y: number): SafeHtml {
  const ax = axis.x(axis.rel(a.atNs));
  const tip = `${a.type} ${a.subject ?? ''} at ${formatDurationMs(axis.rel(a.atNs))}: ${a.detail}`;
  const room = (next ? axis.x(axis.rel(next.atNs)) : PLOT_X1) - ax - 8;
  const text = truncate(`${a.subject ? `${a.subject}: ` : ''}${a.detail}`, Math.floor(room / 6.2));
  const label = text ? html`<text x="${coord(ax + 7)}" y="${coord(y + 12)}" font-size="10" fill="${COLORS.text}">${text}</text>` : '';
  return html`<g><title>${tip}</title><path d="M${coord(ax)} ${coord(y + 2)}l5 6l-5 6l-5 -6z" fill="${a.type === 'action' ? COLORS.text : COLORS.muted}"/>${label}</g>`;
}
