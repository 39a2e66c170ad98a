// The node lanes of a test's timeline: per node its HA role, ACD link, ESS state, heartbeats, alarms, Admin-Sync and
// client logins, with the spans the harness could not observe it. Event types it does not know are shown as dots.

import { NODE_NAMES, type StandinEvent } from '../../images/protocol/index.js';
import { formatDurationMs } from '../core/format.js';
import type { EventOfType, HarnessEvent, TestEvidence } from '../core/model.js';
import { coord, html, type SafeHtml } from './html-text.js';
import {
  COLORS,
  LANE_H,
  PLOT_X0,
  PLOT_X1,
  band,
  fitText,
  toSpans,
  type Group,
  type Lane,
  type Span,
  type TimeAxis,
} from './timeline-draw.js';

type Draw = (events: readonly StandinEvent[], node: string, axis: TimeAxis) => Lane[];

/** Every event type a lane draws; the others (and any type this version does not know) go to the "events" lane. */
const DRAWN = new Set<string>(['role', 'acd-link', 'acd-gap', 'ess', 'heartbeat', 'alarm', 'admin', 'admin-link', 'client']);
/** Types that say nothing worth a lane of their own when the node has others. */
const QUIET = new Set<string>(['started', 'begun', 'log']);

/** One group per node seen in the timeline, in the site's node order. */
export function nodeGroups(evidence: TestEvidence, axis: TimeAxis): Group[] {
  const standin = evidence.timeline.filter((e): e is StandinEvent => e.node !== 'harness');
  const harness = evidence.timeline.filter((e): e is HarnessEvent => e.node === 'harness');
  return nodesOf(standin, harness).map((node) => {
    const events = standin.filter((e) => e.node === node).sort((a, b) => axis.rel(a.atNs) - axis.rel(b.atNs));
    return { title: node, lanes: nodeLanes(events, node, axis), blind: blindSpans(harness, node, axis) };
  });
}

function nodesOf(standin: readonly StandinEvent[], harness: readonly HarnessEvent[]): string[] {
  const known: readonly string[] = NODE_NAMES;
  const seen = new Set<string>(standin.map((e) => e.node));
  for (const e of harness) if (e.subject !== null && known.includes(e.subject)) seen.add(e.subject);
  return [...NODE_NAMES.filter((name) => seen.has(name)), ...[...seen].filter((name) => !known.includes(name))];
}

function nodeLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const draws: Draw[] = [roleLanes, acdLanes, essLanes, heartbeatLanes, alarmLanes, adminLanes, clientLanes];
  const lanes = draws.flatMap((draw) => draw(events, node, axis));
  const others = events.filter((e) => !DRAWN.has(e.type));
  // A node known only by its start or its logs still gets a lane, so its blind spots have somewhere to go.
  if (lanes.length === 0 || others.some((e) => !QUIET.has(e.type))) lanes.push(otherLane(others, node, axis));
  return lanes;
}

function ofType<K extends StandinEvent['type']>(events: readonly StandinEvent[], type: K): Array<Extract<StandinEvent, { type: K }>> {
  return events.filter((e): e is Extract<StandinEvent, { type: K }> => e.type === type);
}

const at = (axis: TimeAxis, ns: string): string => formatDurationMs(axis.rel(ns));

function roleLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const spans = toSpans(ofType(events, 'role'), axis);
  if (spans.length === 0) return [];
  const draw = (y: number): SafeHtml =>
    html`${spans.map((s) =>
      band(
        axis.x(s.fromMs),
        axis.x(s.toMs),
        y,
        s.event.role === 'ACTIVE' ? COLORS.active : COLORS.standby,
        s.event.role,
        `${node} ${s.event.role} from ${formatDurationMs(s.fromMs)} (${s.event.reason})`,
      ),
    )}`;
  return [{ label: 'HA role', draw }];
}

function acdLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const spans = toSpans(ofType(events, 'acd-link'), axis);
  const gaps = ofType(events, 'acd-gap');
  if (spans.length === 0 && gaps.length === 0) return [];
  const draw = (y: number): SafeHtml => html`${spans.map((s) => acdBand(s, node, axis, y))}${gaps.map((g) => gapMark(g, node, axis, y))}`;
  return [{ label: 'ACD link', draw }];
}

function acdBand(s: { fromMs: number; toMs: number; event: EventOfType<'acd-link'> }, node: string, axis: TimeAxis, y: number): SafeHtml {
  const { state, target, attempt, cycle, reason } = s.event;
  const color = state === 'DATA_TRANSFER' && target === 'ess' ? COLORS.acdOnEss : (COLORS.acd[state] ?? COLORS.unknown);
  const short =
    state === 'DATA_TRANSFER'
      ? `DATA → ${target}`
      : state === 'CONNECTING'
        ? `CONN ${target} #${attempt}`
        : `${SHORT_ACD[state] ?? state} ${target}`;
  const tip = `${node} ACD ${state} → ${target} (cycle ${cycle}, attempt ${attempt}) from ${formatDurationMs(s.fromMs)}${reason ? `: ${reason}` : ''}`;
  return band(axis.x(s.fromMs), axis.x(s.toMs), y, color, short, tip);
}

const SHORT_ACD: Partial<Record<string, string>> = { WAITING_ACCEPTANCE: 'WAIT', TRANSLATION_PUMPUP: 'PUMPUP' };

function gapMark(g: EventOfType<'acd-gap'>, node: string, axis: TimeAxis, y: number): SafeHtml {
  const gx = axis.x(axis.rel(g.atNs));
  const silent = typeof g.silentMs === 'number' ? `, ${formatDurationMs(g.silentMs)} silent` : '';
  const tip = `${node} ACD data gap (${g.cause ?? 'sequence'}) from ${g.source}: ${g.missing} missing (seq ${g.fromSeq}–${g.toSeq})${silent}, at ${at(axis, g.atNs)}`;
  return html`<path d="M${coord(gx - 4)} ${coord(y - 1)}h8l-4 6z" fill="${COLORS.outside}"><title>${tip}</title></path>`;
}

function essLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const spans = toSpans(ofType(events, 'ess'), axis);
  if (spans.length === 0) return [];
  const draw = (y: number): SafeHtml =>
    html`${spans.map((s) =>
      band(
        axis.x(s.fromMs),
        axis.x(s.toMs),
        y,
        COLORS.ess[s.event.state] ?? COLORS.unknown,
        s.event.state,
        `${node} ${s.event.state} from ${formatDurationMs(s.fromMs)} (${s.event.reason})`,
      ),
    )}`;
  return [{ label: 'ESS state', draw }];
}

function heartbeatLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const beats = ofType(events, 'heartbeat');
  if (beats.length === 0) return [];
  const draw = (y: number): SafeHtml =>
    html`<line x1="${PLOT_X0}" x2="${PLOT_X1}" y1="${coord(y + LANE_H / 2)}" y2="${coord(y + LANE_H / 2)}" stroke="${COLORS.grid}"/>${beats.map((b) => heartbeatMark(b, node, axis, y))}`;
  return [{ label: 'heartbeat', draw }];
}

function heartbeatMark(beat: EventOfType<'heartbeat'>, node: string, axis: TimeAxis, y: number): SafeHtml {
  const hx = axis.x(axis.rel(beat.atNs));
  const mid = y + LANE_H / 2;
  const tip = html`<title>${heartbeatTip(beat, node, at(axis, beat.atNs))}</title>`;
  switch (beat.outcome) {
    case 'sent':
      return html`<line x1="${coord(hx)}" x2="${coord(hx)}" y1="${coord(y + 2)}" y2="${coord(y + LANE_H - 2)}" stroke="${COLORS.hbSent}" stroke-width="1.2">${tip}</line>`;
    case 'answered':
      return html`<circle cx="${coord(hx)}" cy="${coord(mid)}" r="3.2" fill="${COLORS.hbAnswered}">${tip}</circle>`;
    case 'missed':
      return html`<path d="M${coord(hx - 4)} ${coord(mid - 4)}l8 8M${coord(hx + 4)} ${coord(mid - 4)}l-8 8" stroke="${COLORS.hbMissed}" stroke-width="2.2">${tip}</path>`;
    case 'received':
      return html`<circle cx="${coord(hx)}" cy="${coord(mid)}" r="3" fill="${beat.takenOver ? COLORS.hbReceived : '#ffffff'}" stroke="${COLORS.hbReceived}" stroke-width="1.4">${tip}</circle>`;
    default:
      return html`<circle cx="${coord(hx)}" cy="${coord(mid)}" r="2.5" fill="${COLORS.muted}">${tip}</circle>`;
  }
}

function heartbeatTip(beat: EventOfType<'heartbeat'>, node: string, when: string): string {
  const misses = beat.outcome === 'missed' ? ` (${beat.consecutiveMisses} in a row)` : '';
  const peer = beat.peerRole ? `, peer ${beat.peerRole}` : '';
  const takenOver = beat.takenOver ? ', sender took over' : '';
  return `${node} heartbeat #${beat.beat} ${beat.outcome} at ${when}${misses}${peer}${takenOver}`;
}

function alarmLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const alarms = ofType(events, 'alarm');
  return [...new Set(alarms.map((a) => a.alarm))].map((name) => {
    const spans = alarmSpans(
      alarms.filter((a) => a.alarm === name),
      axis,
    );
    return {
      label: `alarm ${name}`,
      draw: (y: number) => html`${spans.map((s) => alarmBand(s, `${node} alarm ${name}`, name, axis, y))}`,
    };
  });
}

/** Raised-to-cleared spans of one alarm; one still raised lasts to the end of the test. */
function alarmSpans(alarms: ReadonlyArray<EventOfType<'alarm'>>, axis: TimeAxis): Span[] {
  const spans: Span[] = [];
  let open: { fromMs: number; detail: string } | null = null;
  for (const a of alarms) {
    if (a.raised && !open) open = { fromMs: axis.rel(a.atNs), detail: a.detail };
    else if (!a.raised && open) {
      spans.push({ ...open, toMs: axis.rel(a.atNs) });
      open = null;
    }
  }
  if (open) spans.push({ ...open, toMs: axis.endMs });
  return spans;
}

function alarmBand(s: Span, what: string, name: string, axis: TimeAxis, y: number): SafeHtml {
  const x0 = axis.x(s.fromMs);
  const x1 = Math.max(axis.x(s.toMs), x0 + 2);
  const tip = `${what} ${formatDurationMs(s.fromMs)} → ${formatDurationMs(s.toMs)}: ${s.detail}`;
  return html`<g><title>${tip}</title><rect x="${coord(x0)}" y="${coord(y + 2)}" width="${coord(x1 - x0)}" height="${LANE_H - 4}" rx="2" fill="${COLORS.alarm}" fill-opacity="0.28" stroke="${COLORS.alarm}"/>${fitText(x0, x1, y, name, COLORS.alarm)}</g>`;
}

const ADMIN_COLOR: Partial<Record<string, string>> = {
  changed: '#1565c0',
  queued: COLORS.acd.CONNECTING,
  sent: COLORS.hbSent,
  applied: COLORS.within,
  acked: '#00838f',
  'duplicate-ignored': COLORS.outside,
};

function adminLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const admin = ofType(events, 'admin');
  const down = adminLinkDown(ofType(events, 'admin-link'), axis);
  if (admin.length === 0 && down.length === 0) return [];
  const draw = (y: number): SafeHtml =>
    html`${down.map((s) => adminDownBand(s, node, axis, y))}${admin.map((a) => adminMark(a, node, axis, y))}`;
  return [{ label: 'Admin-Sync', draw }];
}

/** Spans where this CMS's Admin-Sync link was down; a link never seen up or down draws nothing. */
function adminLinkDown(links: ReadonlyArray<EventOfType<'admin-link'>>, axis: TimeAxis): Span[] {
  return toSpans(links, axis)
    .filter((s) => !s.event.up)
    .map((s) => ({ fromMs: s.fromMs, toMs: s.toMs, detail: s.event.reason }));
}

function adminDownBand(s: Span, node: string, axis: TimeAxis, y: number): SafeHtml {
  const tip = `${node} Admin-Sync link down ${formatDurationMs(s.fromMs)} → ${formatDurationMs(s.toMs)}: ${s.detail}`;
  return band(axis.x(s.fromMs), axis.x(s.toMs), y, COLORS.linkDown, 'link down', tip);
}

function adminMark(a: EventOfType<'admin'>, node: string, axis: TimeAxis, y: number): SafeHtml {
  const ax = axis.x(axis.rel(a.atNs));
  const tip = `${node} admin change ${a.origin ?? ''} #${a.changeSeq ?? '?'} ${a.action} at ${at(axis, a.atNs)}`;
  return html`<rect x="${coord(ax - 1)}" y="${coord(y + 3)}" width="2.5" height="${LANE_H - 6}" fill="${ADMIN_COLOR[a.action] ?? COLORS.muted}"><title>${tip}</title></rect>`;
}

function clientLanes(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane[] {
  const spans = toSpans(ofType(events, 'client'), axis);
  if (spans.length === 0) return [];
  const draw = (y: number): SafeHtml =>
    html`${spans.map((s) => {
      const target = s.event.target ?? '?';
      return s.event.action === 'logged-in'
        ? band(
            axis.x(s.fromMs),
            axis.x(s.toMs),
            y,
            COLORS.active,
            `on ${target}`,
            `${node} logged in to ${target} from ${formatDurationMs(s.fromMs)}`,
          )
        : band(axis.x(s.fromMs), axis.x(s.toMs), y, COLORS.standby, 'lost', `${node} lost its login at ${formatDurationMs(s.fromMs)}`);
    })}`;
  return [{ label: 'client login', draw }];
}

function otherLane(events: readonly StandinEvent[], node: string, axis: TimeAxis): Lane {
  const draw = (y: number): SafeHtml =>
    html`${events.map(
      (e) =>
        html`<circle cx="${coord(axis.x(axis.rel(e.atNs)))}" cy="${coord(y + LANE_H / 2)}" r="2.5" fill="${COLORS.muted}"><title>${`${node} ${eventWords(e)} at ${at(axis, e.atNs)}`}</title></circle>`,
    )}`;
  return { label: 'events', draw };
}

/** An event in words: a log line as itself, any other type by its name and its plain fields. */
function eventWords(event: StandinEvent): string {
  if (event.type === 'log') return event.message;
  const fields = Object.entries(event)
    .filter(([key, value]) => !['seq', 'node', 'atNs', 'type'].includes(key) && value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key}=${String(value)}`);
  return [event.type, ...fields].join(' ');
}

/** Spans where the harness recorded a node as unobservable, closed by `observable` or the end of the test. */
function blindSpans(harness: readonly HarnessEvent[], node: string, axis: TimeAxis): Span[] {
  const spans: Span[] = [];
  let open: { fromMs: number; detail: string } | null = null;
  for (const e of [...harness].sort((a, b) => axis.rel(a.atNs) - axis.rel(b.atNs))) {
    if (e.subject !== node) continue;
    if (e.type === 'unobservable' && !open) open = { fromMs: axis.rel(e.atNs), detail: e.detail };
    else if (e.type === 'observable' && open) {
      spans.push({ ...open, toMs: axis.rel(e.atNs) });
      open = null;
    }
  }
  if (open) spans.push({ ...open, toMs: axis.endMs });
  return spans;
}
