// Draws one test's evidence as an inline SVG timeline: a track per node (role, ACD link, ESS state,
// heartbeats, alarms), a track per faulted target, expected windows, measured instants and blind spots.

import { NODE_NAMES } from '../../images/protocol/index.js';
import type { AcdLinkState, EssState, HaRole, StandinEvent } from '../../images/protocol/index.js';
import { escapeHtml, formatMs, formatRange, n, nsDiffMs } from './format.js';
import type { HarnessEvent, TestEvidence } from '../core/model.js';

const WIDTH = 1120;
const LABEL_W = 172;
const PLOT_X0 = LABEL_W;
const PLOT_X1 = WIDTH - 16;
const PLOT_W = PLOT_X1 - PLOT_X0;
const LANE_H = 16;
const LANE_GAP = 4;
const GROUP_HEAD = 15;
const GROUP_GAP = 6;
const HEADER_ROW = 13;
const FONT = 'system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, &quot;Helvetica Neue&quot;, Arial, sans-serif';

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
  window: '#1565c0',
  within: '#2e7d32',
  outside: '#c62828',
  unknown: '#546e7a',
  hbSent: '#78909c',
  hbAnswered: '#2e7d32',
  hbMissed: '#c62828',
  text: '#263238',
  muted: '#607d8b',
  grid: '#eceff1',
} as const;

/** Which dark fills need white text on top. */
const DARK = new Set<string>([COLORS.active, COLORS.acd.DATA_TRANSFER, COLORS.acdOnEss, COLORS.ess.ACTIVE, COLORS.fault, COLORS.alarm]);

interface Lane {
  label: string;
  /** Drawn content for a lane whose top is `y`. */
  draw: (y: number) => string;
}

interface Group {
  title: string;
  lanes: Lane[];
  /** Hatched spans (ms) where the harness could not observe this node. */
  blind: Array<{ fromMs: number; toMs: number; detail: string }>;
}

export interface TimelineSvgOptions {
  /** Prefix for ids inside the SVG (patterns), unique in the page. */
  idPrefix: string;
}

/** Renders the evidence's timeline, or null when there is nothing to draw (no events, faults, windows or measurements). */
export function renderTimelineSvg(evidence: TestEvidence, options: TimelineSvgOptions): string | null {
  const { idPrefix } = options;
  const rel = (ns: string): number => nsDiffMs(evidence.startNs, ns);
  const standin = evidence.timeline.filter((e): e is StandinEvent => e.node !== 'harness');
  const harness = evidence.timeline.filter((e): e is HarnessEvent => e.node === 'harness');

  if (
    standin.length === 0 &&
    harness.length === 0 &&
    evidence.faults.length === 0 &&
    evidence.windows.length === 0 &&
    evidence.measurements.length === 0
  ) {
    return null;
  }

  // ---- time domain: from test start to the latest thing we know of
  const instants: number[] = [0];
  if (evidence.endNs) instants.push(rel(evidence.endNs));
  for (const e of evidence.timeline) instants.push(rel(e.atNs));
  for (const f of evidence.faults) {
    instants.push(rel(f.appliedNs));
    if (f.removedNs) instants.push(rel(f.removedNs));
  }
  for (const w of evidence.windows) instants.push(rel(w.anchorNs) + w.toMs);
  for (const m of evidence.measurements) instants.push(rel(m.atNs));
  const endMs = evidence.endNs ? rel(evidence.endNs) : Math.max(...instants.filter(Number.isFinite));
  const domainMs = Math.max(1, ...instants.filter(Number.isFinite)) * 1.02;
  const testEndMs = Number.isFinite(endMs) ? endMs : domainMs;
  const x = (ms: number): number => PLOT_X0 + (Math.min(Math.max(ms, 0), domainMs) / domainMs) * PLOT_W;

  // ---- groups and lanes
  const groups: Group[] = [];
  const sortByTime = <T extends { atNs: string }>(list: T[]): T[] => [...list].sort((a, b) => rel(a.atNs) - rel(b.atNs));

  const nodeNames = new Set<string>();
  for (const e of standin) nodeNames.add(e.node);
  for (const e of harness) if (e.subject && (NODE_NAMES as readonly string[]).includes(e.subject)) nodeNames.add(e.subject);
  const orderedNodes = [
    ...NODE_NAMES.filter((name) => nodeNames.has(name)),
    ...[...nodeNames].filter((name) => !(NODE_NAMES as readonly string[]).includes(name)),
  ];

  for (const node of orderedNodes) {
    const events = sortByTime(standin.filter((e) => e.node === node));
    const lanes: Lane[] = [];

    const roles = events.filter((e): e is Extract<StandinEvent, { type: 'role' }> => e.type === 'role');
    if (roles.length > 0) {
      const spans = toSpans(roles, rel, testEndMs);
      lanes.push({
        label: 'HA role',
        draw: (y) =>
          spans
            .map((s) =>
              band(
                x(s.fromMs),
                x(s.toMs),
                y,
                roleColor(s.event.role),
                s.event.role,
                `${node} ${s.event.role} from ${formatMs(s.fromMs)} (${s.event.reason})`,
              ),
            )
            .join(''),
      });
    }

    const acd = events.filter((e): e is Extract<StandinEvent, { type: 'acd-link' }> => e.type === 'acd-link');
    const gaps = events.filter((e): e is Extract<StandinEvent, { type: 'acd-gap' }> => e.type === 'acd-gap');
    if (acd.length > 0 || gaps.length > 0) {
      const spans = toSpans(acd, rel, testEndMs);
      lanes.push({
        label: 'ACD link',
        draw: (y) =>
          spans
            .map((s) => {
              const color = s.event.state === 'DATA_TRANSFER' && s.event.target === 'ess' ? COLORS.acdOnEss : COLORS.acd[s.event.state];
              const short =
                s.event.state === 'DATA_TRANSFER'
                  ? `DATA → ${s.event.target}`
                  : s.event.state === 'CONNECTING'
                    ? `CONN ${s.event.target} #${s.event.attempt}`
                    : `${shortAcd(s.event.state)} ${s.event.target}`;
              const tip = `${node} ACD ${s.event.state} → ${s.event.target} (cycle ${s.event.cycle}, attempt ${s.event.attempt}) from ${formatMs(s.fromMs)}${s.event.reason ? `: ${s.event.reason}` : ''}`;
              return band(x(s.fromMs), x(s.toMs), y, color, short, tip);
            })
            .join('') +
          gaps
            .map((g) => {
              const gx = x(rel(g.atNs));
              return `<path d="M${n(gx - 4)} ${n(y - 1)}h8l-4 6z" fill="${COLORS.outside}"><title>${escapeHtml(`${node} ACD data gap from ${g.source}: ${g.missing} missing (seq ${g.fromSeq}–${g.toSeq}) at ${formatMs(rel(g.atNs))}`)}</title></path>`;
            })
            .join(''),
      });
    }

    const ess = events.filter((e): e is Extract<StandinEvent, { type: 'ess' }> => e.type === 'ess');
    if (ess.length > 0) {
      const spans = toSpans(ess, rel, testEndMs);
      lanes.push({
        label: 'ESS state',
        draw: (y) =>
          spans
            .map((s) =>
              band(
                x(s.fromMs),
                x(s.toMs),
                y,
                COLORS.ess[s.event.state],
                s.event.state,
                `${node} ${s.event.state} from ${formatMs(s.fromMs)} (${s.event.reason})`,
              ),
            )
            .join(''),
      });
    }

    const beats = events.filter((e): e is Extract<StandinEvent, { type: 'heartbeat' }> => e.type === 'heartbeat');
    if (beats.length > 0) {
      lanes.push({
        label: 'heartbeat',
        draw: (y) =>
          `<line x1="${PLOT_X0}" x2="${PLOT_X1}" y1="${n(y + LANE_H / 2)}" y2="${n(y + LANE_H / 2)}" stroke="${COLORS.grid}"/>` +
          beats.map((b) => heartbeatMark(x(rel(b.atNs)), y, b, node, formatMs(rel(b.atNs)))).join(''),
      });
    }

    const alarms = events.filter((e): e is Extract<StandinEvent, { type: 'alarm' }> => e.type === 'alarm');
    for (const alarmName of [...new Set(alarms.map((a) => a.alarm))]) {
      const spans: Array<{ fromMs: number; toMs: number; detail: string }> = [];
      let open: { fromMs: number; detail: string } | null = null;
      for (const a of alarms.filter((e) => e.alarm === alarmName)) {
        if (a.raised && !open) open = { fromMs: rel(a.atNs), detail: a.detail };
        else if (!a.raised && open) {
          spans.push({ ...open, toMs: rel(a.atNs) });
          open = null;
        }
      }
      if (open) spans.push({ ...open, toMs: testEndMs });
      lanes.push({
        label: `alarm ${alarmName}`,
        draw: (y) =>
          spans
            .map((s) => {
              const x0 = x(s.fromMs);
              const x1 = Math.max(x(s.toMs), x0 + 2);
              const tip = `${node} alarm ${alarmName} ${formatMs(s.fromMs)} → ${formatMs(s.toMs)}: ${s.detail}`;
              return `<g><title>${escapeHtml(tip)}</title><rect x="${n(x0)}" y="${n(y + 2)}" width="${n(x1 - x0)}" height="${LANE_H - 4}" rx="2" fill="${COLORS.alarm}" fill-opacity="0.28" stroke="${COLORS.alarm}"/>${fitText(x0, x1, y, alarmName, COLORS.alarm)}</g>`;
            })
            .join(''),
      });
    }

    const admin = events.filter((e): e is Extract<StandinEvent, { type: 'admin' }> => e.type === 'admin');
    if (admin.length > 0) {
      const adminColor = {
        changed: COLORS.window,
        sent: COLORS.hbSent,
        applied: COLORS.within,
        queued: COLORS.acd.CONNECTING,
        'duplicate-ignored': COLORS.outside,
      } as const;
      lanes.push({
        label: 'Admin-Sync',
        draw: (y) =>
          admin
            .map((a) => {
              const ax = x(rel(a.atNs));
              return `<rect x="${n(ax - 1)}" y="${n(y + 3)}" width="2.5" height="${LANE_H - 6}" fill="${adminColor[a.action]}"><title>${escapeHtml(`${node} admin change #${a.changeSeq ?? '?'} ${a.action} at ${formatMs(rel(a.atNs))}`)}</title></rect>`;
            })
            .join(''),
      });
    }

    const clients = events.filter((e): e is Extract<StandinEvent, { type: 'client' }> => e.type === 'client');
    if (clients.length > 0) {
      const spans = toSpans(clients, rel, testEndMs);
      lanes.push({
        label: 'client login',
        draw: (y) =>
          spans
            .map((s) =>
              s.event.action === 'logged-in'
                ? band(
                    x(s.fromMs),
                    x(s.toMs),
                    y,
                    COLORS.active,
                    `on ${s.event.target ?? '?'}`,
                    `${node} logged in to ${s.event.target ?? '?'} from ${formatMs(s.fromMs)}`,
                  )
                : band(x(s.fromMs), x(s.toMs), y, COLORS.standby, 'lost', `${node} lost its login at ${formatMs(s.fromMs)}`),
            )
            .join(''),
      });
    }

    if (lanes.length === 0) {
      // A node we only know of through its start or logs still gets a track, so blind spots have somewhere to go.
      const marks = events.filter((e) => e.type === 'started' || e.type === 'log');
      lanes.push({
        label: 'events',
        draw: (y) =>
          marks
            .map(
              (e) =>
                `<circle cx="${n(x(rel(e.atNs)))}" cy="${n(y + LANE_H / 2)}" r="2.5" fill="${COLORS.muted}"><title>${escapeHtml(`${node} ${e.type === 'log' ? e.message : 'started'} at ${formatMs(rel(e.atNs))}`)}</title></circle>`,
            )
            .join(''),
      });
    }

    groups.push({ title: node, lanes, blind: blindSpans(harness, node, rel, testEndMs) });
  }

  // Faults: one lane per target, whatever the kind.
  if (evidence.faults.length > 0) {
    const targets = [...new Set(evidence.faults.map((f) => f.target))];
    groups.push({
      title: 'faults',
      blind: [],
      lanes: targets.map((target) => ({
        label: target,
        draw: (y) =>
          evidence.faults
            .filter((f) => f.target === target)
            .map((f) => {
              const fromMs = rel(f.appliedNs);
              const toMs = f.removedNs ? rel(f.removedNs) : testEndMs;
              const attrs = Object.entries(f.attributes)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ');
              const label = `${f.kind}${f.direction && f.direction !== 'both' ? ` ${f.direction}` : ''}${attrs ? ` ${attrs}` : ''}`;
              const tip = `fault ${f.id}: ${label} on ${target}, ${formatMs(fromMs)} → ${f.removedNs ? formatMs(toMs) : 'end of test'}`;
              return band(x(fromMs), x(toMs), y, COLORS.fault, label, tip, 0.85);
            })
            .join(''),
      })),
    });
  }

  const actions = harness.filter((e) => e.type === 'action' || e.type === 'note');
  if (actions.length > 0) {
    groups.push({
      title: 'harness',
      blind: [],
      lanes: [
        {
          label: 'actions',
          draw: (y) =>
            actions
              .map((a, i) => {
                const ax = x(rel(a.atNs));
                const tip = `${a.type} ${a.subject ?? ''} at ${formatMs(rel(a.atNs))}: ${a.detail}`;
                const next = actions[i + 1];
                const room = (next ? x(rel(next.atNs)) : PLOT_X1) - ax - 8;
                const text = truncate(`${a.subject ? `${a.subject}: ` : ''}${a.detail}`, Math.floor(room / 6.2));
                return `<g><title>${escapeHtml(tip)}</title><path d="M${n(ax)} ${n(y + 2)}l5 6l-5 6l-5 -6z" fill="${a.type === 'action' ? COLORS.text : COLORS.muted}"/>${text ? `<text x="${n(ax + 7)}" y="${n(y + 12)}" font-size="10" fill="${COLORS.text}">${escapeHtml(text)}</text>` : ''}</g>`;
              })
              .join(''),
        },
      ],
    });
  }

  // ---- header rows: one per window, one per measurement (labels never overlap each other)
  const windows = evidence.windows;
  const measurements = evidence.measurements;
  const headerRows = windows.length + measurements.length;
  const top = 6 + headerRows * HEADER_ROW + 4;

  let y = top;
  const laneParts: string[] = [];
  const blindParts: string[] = [];
  const labelParts: string[] = [];
  for (const group of groups) {
    labelParts.push(
      `<text x="6" y="${n(y + 11)}" font-size="11" font-weight="600" fill="${COLORS.text}">${escapeHtml(group.title)}</text>`,
    );
    laneParts.push(`<line x1="6" x2="${PLOT_X1}" y1="${n(y + 0.5)}" y2="${n(y + 0.5)}" stroke="#cfd8dc"/>`);
    y += GROUP_HEAD;
    const groupTop = y;
    for (const lane of group.lanes) {
      labelParts.push(
        `<text x="16" y="${n(y + 11.5)}" font-size="10" fill="${COLORS.muted}">${escapeHtml(truncate(lane.label, 27))}</text>`,
      );
      laneParts.push(`<rect x="${PLOT_X0}" y="${n(y)}" width="${PLOT_W}" height="${LANE_H}" fill="#fafbfc"/>`);
      laneParts.push(lane.draw(y));
      y += LANE_H + LANE_GAP;
    }
    for (const b of group.blind) {
      const x0 = x(b.fromMs);
      const x1 = Math.max(x(b.toMs), x0 + 2);
      blindParts.push(
        `<rect x="${n(x0)}" y="${n(groupTop - 2)}" width="${n(x1 - x0)}" height="${n(y - groupTop)}" fill="url(#${idPrefix}-hatch)" stroke="${COLORS.muted}" stroke-dasharray="2 2"><title>${escapeHtml(`${group.title} unobservable ${formatMs(b.fromMs)} → ${formatMs(b.toMs)}: ${b.detail}`)}</title></rect>`,
      );
    }
    y += GROUP_GAP;
  }
  const plotBottom = y;

  // ---- grid and axis
  const step = niceStep(domainMs / 1000);
  const axisParts: string[] = [];
  for (let i = 0; i * step * 1000 <= domainMs + 1e-9; i += 1) {
    const s = i * step;
    const gx = x(s * 1000);
    axisParts.push(`<line x1="${n(gx)}" x2="${n(gx)}" y1="${n(top)}" y2="${n(plotBottom)}" stroke="${COLORS.grid}"/>`);
    axisParts.push(`<line x1="${n(gx)}" x2="${n(gx)}" y1="${n(plotBottom)}" y2="${n(plotBottom + 4)}" stroke="${COLORS.muted}"/>`);
    axisParts.push(
      `<text x="${n(gx)}" y="${n(plotBottom + 15)}" font-size="10" text-anchor="middle" fill="${COLORS.muted}">${escapeHtml(formatTick(s, step))}</text>`,
    );
  }
  axisParts.push(`<line x1="${PLOT_X0}" x2="${PLOT_X1}" y1="${n(plotBottom)}" y2="${n(plotBottom)}" stroke="${COLORS.muted}"/>`);
  axisParts.push(`<text x="6" y="${n(plotBottom + 15)}" font-size="10" fill="${COLORS.muted}">seconds since test start</text>`);
  if (evidence.endNs) {
    const ex = x(testEndMs);
    axisParts.push(
      `<line x1="${n(ex)}" x2="${n(ex)}" y1="${n(top)}" y2="${n(plotBottom)}" stroke="${COLORS.muted}" stroke-dasharray="1 3"><title>test end ${escapeHtml(formatMs(testEndMs))}</title></line>`,
    );
  }

  // ---- windows and measurements (drawn over the lanes, labelled in the header rows)
  const overlay: string[] = [];
  const header: string[] = [];
  windows.forEach((w, i) => {
    const anchorMs = rel(w.anchorNs);
    const x0 = x(anchorMs + w.fromMs);
    const x1 = Math.max(x(anchorMs + w.toMs), x0 + 2);
    const ax = x(anchorMs);
    const rowY = 6 + i * HEADER_ROW;
    const tip = `expected window ${w.name}: ${w.description}; ${formatRange(w.fromMs, w.toMs)} after ${w.anchorLabel} (${w.derivation})`;
    overlay.push(
      `<rect x="${n(x0)}" y="${n(rowY + HEADER_ROW - 2)}" width="${n(x1 - x0)}" height="${n(plotBottom - rowY - HEADER_ROW + 2)}" fill="${COLORS.window}" fill-opacity="0.12" stroke="${COLORS.window}" stroke-opacity="0.6"><title>${escapeHtml(tip)}</title></rect>`,
    );
    overlay.push(
      `<line x1="${n(ax)}" x2="${n(ax)}" y1="${n(rowY + 2)}" y2="${n(plotBottom)}" stroke="${COLORS.window}" stroke-width="1.2" stroke-dasharray="5 3"><title>${escapeHtml(`anchor of ${w.name}: ${w.anchorLabel} at ${formatMs(anchorMs)}`)}</title></line>`,
    );
    overlay.push(`<path d="M${n(ax - 4)} ${n(rowY + 2)}h8l-4 6z" fill="${COLORS.window}"/>`);
    const anchorText = escapeHtml(truncate(w.anchorLabel, 40));
    const anchorW = estimateWidth(truncate(w.anchorLabel, 40), 10);
    header.push(
      ax - anchorW - 8 >= PLOT_X0
        ? `<text x="${n(ax - 7)}" y="${n(rowY + 9)}" font-size="10" text-anchor="end" fill="${COLORS.window}">${anchorText}</text>`
        : `<text x="${n(ax + 7)}" y="${n(rowY + 9)}" font-size="10" fill="${COLORS.window}">${anchorText}</text>`,
    );
    const winText = `${w.name}: ${formatRange(w.fromMs, w.toMs)}`;
    // Keep the window's label clear of the anchor's triangle and of an anchor label drawn to its right.
    const clearOfAnchor = ax - anchorW - 8 >= PLOT_X0 ? ax + 7 : ax + 7 + anchorW + 10;
    const startX = Math.abs(x0 - ax) < 8 || x0 < clearOfAnchor ? Math.max(x0 + 3, clearOfAnchor) : x0 + 3;
    const winX = Math.min(startX, PLOT_X1 - estimateWidth(winText, 10) - 2);
    header.push(
      `<text x="${n(winX)}" y="${n(rowY + 9)}" font-size="10" font-weight="600" fill="${COLORS.window}">${escapeHtml(winText)}</text>`,
    );
  });
  measurements.forEach((m, i) => {
    const mx = x(rel(m.atNs));
    const color = m.withinWindow === true ? COLORS.within : m.withinWindow === false ? COLORS.outside : COLORS.unknown;
    const rowY = 6 + (windows.length + i) * HEADER_ROW;
    const verdict = m.withinWindow === true ? ' ✓' : m.withinWindow === false ? ' ✗ outside window' : '';
    const label = `${m.name}: ${formatMs(m.valueMs)}${verdict}`;
    const w = estimateWidth(label, 10);
    const tx = mx + 5 + w <= PLOT_X1 ? mx + 5 : mx - 5;
    const anchor = tx < mx ? 'end' : 'start';
    overlay.push(
      `<line x1="${n(mx)}" x2="${n(mx)}" y1="${n(rowY + 1)}" y2="${n(plotBottom)}" stroke="${color}" stroke-width="2"><title>${escapeHtml(`${m.description}: ${formatMs(m.valueMs)}${m.window ? ` (window ${m.window})` : ''}`)}</title></line>`,
    );
    overlay.push(`<circle cx="${n(mx)}" cy="${n(rowY + 5)}" r="3" fill="${color}"/>`);
    header.push(
      `<text x="${n(tx)}" y="${n(rowY + 9)}" font-size="10" font-weight="600" text-anchor="${anchor}" fill="${color}">${escapeHtml(label)}</text>`,
    );
  });

  // ---- legend
  const legendTop = plotBottom + 26;
  const { svg: legend, height: legendH } = renderLegend(legendTop, idPrefix);
  const height = legendTop + legendH + 4;

  const title = `Timeline of ${evidence.scenario}`;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${n(height)}" width="100%" role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<defs><pattern id="${idPrefix}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#37474f" stroke-width="2"/></pattern></defs>`,
    `<rect width="${WIDTH}" height="${n(height)}" fill="#ffffff"/>`,
    ...axisParts,
    ...laneParts,
    ...blindParts,
    ...overlay,
    ...labelParts,
    ...header,
    legend,
    '</svg>',
  ].join('');
}

// ---------------------------------------------------------------------------------------------

function roleColor(role: HaRole): string {
  return role === 'ACTIVE' ? COLORS.active : COLORS.standby;
}

function shortAcd(state: AcdLinkState): string {
  switch (state) {
    case 'CONNECTING':
      return 'CONN';
    case 'WAITING_ACCEPTANCE':
      return 'WAIT';
    case 'TRANSLATION_PUMPUP':
      return 'PUMPUP';
    default:
      return state;
  }
}

/** State spans: each event holds until the next one, the last until the end of the test. */
function toSpans<E extends { atNs: string }>(
  events: E[],
  rel: (ns: string) => number,
  endMs: number,
): Array<{ fromMs: number; toMs: number; event: E }> {
  const sorted = [...events].sort((a, b) => rel(a.atNs) - rel(b.atNs));
  return sorted.map((event, i) => {
    const next = sorted[i + 1];
    return { fromMs: rel(event.atNs), toMs: next ? rel(next.atNs) : Math.max(endMs, rel(event.atNs)), event };
  });
}

/** Spans where the harness recorded a node as unobservable, closed by `observable` or the end of the test. */
function blindSpans(
  harness: HarnessEvent[],
  node: string,
  rel: (ns: string) => number,
  endMs: number,
): Array<{ fromMs: number; toMs: number; detail: string }> {
  const spans: Array<{ fromMs: number; toMs: number; detail: string }> = [];
  let open: { fromMs: number; detail: string } | null = null;
  for (const e of [...harness].sort((a, b) => rel(a.atNs) - rel(b.atNs))) {
    if (e.subject !== node) continue;
    if (e.type === 'unobservable' && !open) open = { fromMs: rel(e.atNs), detail: e.detail };
    else if (e.type === 'observable' && open) {
      spans.push({ ...open, toMs: rel(e.atNs) });
      open = null;
    }
  }
  if (open) spans.push({ ...open, toMs: endMs });
  return spans;
}

function band(x0: number, x1: number, y: number, fill: string, label: string, tip: string, opacity = 1): string {
  const width = Math.max(x1 - x0, 1);
  const textColor = DARK.has(fill) ? '#ffffff' : COLORS.text;
  return `<g><title>${escapeHtml(tip)}</title><rect x="${n(x0)}" y="${n(y)}" width="${n(width)}" height="${LANE_H}" fill="${fill}" fill-opacity="${opacity}"/>${x0 > PLOT_X0 + 0.5 ? `<line x1="${n(x0)}" x2="${n(x0)}" y1="${n(y)}" y2="${n(y + LANE_H)}" stroke="#ffffff" stroke-width="1"/>` : ''}${fitText(x0, x0 + width, y, label, textColor)}</g>`;
}

/** A label inside a band, only when it fits (a clipped label would lie about the state). */
function fitText(x0: number, x1: number, y: number, label: string, color: string): string {
  const room = x1 - x0 - 6;
  if (room < 14) return '';
  const text = estimateWidth(label, 10) <= room ? label : truncate(label, Math.floor(room / 6.2));
  if (!text) return '';
  return `<text x="${n(x0 + 3)}" y="${n(y + 11.5)}" font-size="10" fill="${color}">${escapeHtml(text)}</text>`;
}

function heartbeatMark(hx: number, y: number, beat: Extract<StandinEvent, { type: 'heartbeat' }>, node: string, at: string): string {
  const tip = `<title>${escapeHtml(`${node} heartbeat #${beat.beat} ${beat.outcome} at ${at}${beat.outcome === 'missed' ? ` (${beat.consecutiveMisses} in a row)` : ''}`)}</title>`;
  const mid = y + LANE_H / 2;
  switch (beat.outcome) {
    case 'sent':
      return `<line x1="${n(hx)}" x2="${n(hx)}" y1="${n(y + 2)}" y2="${n(y + LANE_H - 2)}" stroke="${COLORS.hbSent}" stroke-width="1.2">${tip}</line>`;
    case 'answered':
      return `<circle cx="${n(hx)}" cy="${n(mid)}" r="3.2" fill="${COLORS.hbAnswered}">${tip}</circle>`;
    case 'missed':
      return `<path d="M${n(hx - 4)} ${n(mid - 4)}l8 8M${n(hx + 4)} ${n(mid - 4)}l-8 8" stroke="${COLORS.hbMissed}" stroke-width="2.2">${tip}</path>`;
  }
}

function renderLegend(top: number, idPrefix: string): { svg: string; height: number } {
  const items: Array<{ swatch: (x: number, y: number) => string; label: string }> = [
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.active}"/>`, label: 'ACTIVE' },
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.standby}"/>`, label: 'STANDBY' },
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.acd.CONNECTING}"/>`, label: 'ACD connecting' },
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.acd.TRANSLATION_PUMPUP}"/>`, label: 'pump-up' },
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.acd.DATA_TRANSFER}"/>`, label: 'data → cm' },
    { swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.acdOnEss}"/>`, label: 'data → ess / ESS active' },
    {
      swatch: (x, y) => `<line x1="${x + 7}" x2="${x + 7}" y1="${y}" y2="${y + 10}" stroke="${COLORS.hbSent}" stroke-width="1.5"/>`,
      label: 'heartbeat sent',
    },
    { swatch: (x, y) => `<circle cx="${x + 7}" cy="${y + 5}" r="3.2" fill="${COLORS.hbAnswered}"/>`, label: 'answered' },
    {
      swatch: (x, y) => `<path d="M${x + 3} ${y + 1}l8 8M${x + 11} ${y + 1}l-8 8" stroke="${COLORS.hbMissed}" stroke-width="2"/>`,
      label: 'missed',
    },
    {
      swatch: (x, y) =>
        `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.alarm}" fill-opacity="0.28" stroke="${COLORS.alarm}"/>`,
      label: 'alarm raised',
    },
    {
      swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.fault}" fill-opacity="0.85"/>`,
      label: 'fault applied',
    },
    {
      swatch: (x, y) =>
        `<rect x="${x}" y="${y}" width="14" height="10" fill="${COLORS.window}" fill-opacity="0.15" stroke="${COLORS.window}"/>`,
      label: 'expected window',
    },
    {
      swatch: (x, y) =>
        `<line x1="${x + 7}" x2="${x + 7}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.window}" stroke-dasharray="3 2" stroke-width="1.2"/>`,
      label: 'anchor',
    },
    {
      swatch: (x, y) =>
        `<line x1="${x + 4}" x2="${x + 4}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.within}" stroke-width="2"/><line x1="${x + 10}" x2="${x + 10}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.outside}" stroke-width="2"/>`,
      label: 'measured (in / out)',
    },
    {
      swatch: (x, y) => `<rect x="${x}" y="${y}" width="14" height="10" fill="url(#${idPrefix}-hatch)" stroke="${COLORS.muted}"/>`,
      label: 'unobservable',
    },
  ];
  const parts: string[] = [];
  let x = 6;
  let row = 0;
  for (const item of items) {
    const w = 14 + 5 + estimateWidth(item.label, 10) + 14;
    if (x + w > WIDTH - 6) {
      x = 6;
      row += 1;
    }
    const y = top + row * 16;
    parts.push(item.swatch(x, y), `<text x="${x + 19}" y="${y + 9}" font-size="10" fill="${COLORS.text}">${escapeHtml(item.label)}</text>`);
    x += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: (row + 1) * 16 };
}

/** Rough width of a label in a sans-serif face; good enough to decide whether a label fits. */
function estimateWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.62;
}

function truncate(text: string, max: number): string {
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function niceStep(spanSeconds: number): number {
  const candidates = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];
  for (const c of candidates) if (spanSeconds / c <= 14) return c;
  return Math.ceil(spanSeconds / 14 / 3600) * 3600;
}

function formatTick(seconds: number, step: number): string {
  const decimals = step < 0.1 ? 2 : step < 1 ? 1 : 0;
  return `${seconds.toFixed(decimals)} s`;
}
