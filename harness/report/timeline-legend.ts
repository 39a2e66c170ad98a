// The legend under a test's timeline: every colour and mark the lanes use, and each kind of expected window in its
// own style, so a window from the protocol event and one from the fault are told apart.

import type { WindowKind } from '../core/model.js';
import { html, type SafeHtml } from './html-text.js';
import { COLORS, WIDTH, WINDOW_STYLE, estimateWidth } from './timeline-draw.js';

interface Item {
  swatch: (x: number, y: number) => SafeHtml;
  label: string;
}

const box =
  (fill: string, extra: SafeHtml | '' = ''): Item['swatch'] =>
  (x, y) =>
    html`<rect x="${x}" y="${y}" width="14" height="10" fill="${fill}"${extra}/>`;

const windowItem = (kind: WindowKind): Item => {
  const style = WINDOW_STYLE[kind];
  const dash = style.dash === null ? '' : html` stroke-dasharray="${style.dash}"`;
  return {
    swatch: box(style.color, html` fill-opacity="${Math.max(style.fillOpacity, 0.05)}" stroke="${style.color}" stroke-width="1.4"${dash}`),
    label: style.label,
  };
};

function items(idPrefix: string): Item[] {
  return [
    { swatch: box(COLORS.active), label: 'ACTIVE' },
    { swatch: box(COLORS.standby), label: 'STANDBY' },
    { swatch: box(COLORS.acd.CONNECTING), label: 'ACD connecting' },
    { swatch: box(COLORS.acd.TRANSLATION_PUMPUP), label: 'pump-up' },
    { swatch: box(COLORS.acd.DATA_TRANSFER), label: 'data → cm' },
    { swatch: box(COLORS.acdOnEss), label: 'data → ess / ESS active' },
    {
      swatch: (x, y) => html`<line x1="${x + 7}" x2="${x + 7}" y1="${y}" y2="${y + 10}" stroke="${COLORS.hbSent}" stroke-width="1.5"/>`,
      label: 'heartbeat sent',
    },
    { swatch: (x, y) => html`<circle cx="${x + 7}" cy="${y + 5}" r="3.2" fill="${COLORS.hbAnswered}"/>`, label: 'answered' },
    {
      swatch: (x, y) => html`<path d="M${x + 3} ${y + 1}l8 8M${x + 11} ${y + 1}l-8 8" stroke="${COLORS.hbMissed}" stroke-width="2"/>`,
      label: 'missed',
    },
    {
      swatch: (x, y) => html`<circle cx="${x + 7}" cy="${y + 5}" r="3" fill="#ffffff" stroke="${COLORS.hbReceived}" stroke-width="1.4"/>`,
      label: 'received by the primary',
    },
    { swatch: box(COLORS.alarm, html` fill-opacity="0.28" stroke="${COLORS.alarm}"`), label: 'alarm raised' },
    { swatch: box(COLORS.linkDown), label: 'Admin-Sync link down' },
    { swatch: (x, y) => html`<path d="M${x + 7} ${y}l5 5l-5 5l-5 -5z" fill="${COLORS.injection}"/>`, label: 'injection phase (planned)' },
    {
      swatch: (x, y) =>
        html`<rect x="${x}" y="${y}" width="5" height="10" fill="${COLORS.fault}" fill-opacity="0.45"/><rect x="${x + 5}" y="${y}" width="9" height="10" fill="${COLORS.fault}" fill-opacity="0.85"/>`,
      label: 'fault applying / in force',
    },
    {
      swatch: (x, y) =>
        html`<rect x="${x}" y="${y}" width="9" height="10" fill="${COLORS.fault}" fill-opacity="0.3"/><line x1="${x + 10}" x2="${x + 10}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.healed}" stroke-width="2.5"/>`,
      label: 'healing / healed',
    },
    windowItem('protocol'),
    windowItem('fault'),
    windowItem('budget'),
    {
      swatch: (x, y) =>
        html`<line x1="${x + 7}" x2="${x + 7}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.muted}" stroke-dasharray="3 2" stroke-width="1.2"/>`,
      label: 'anchor',
    },
    {
      swatch: (x, y) =>
        html`<line x1="${x + 4}" x2="${x + 4}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.within}" stroke-width="2"/><line x1="${x + 10}" x2="${x + 10}" y1="${y - 1}" y2="${y + 11}" stroke="${COLORS.outside}" stroke-width="2"/>`,
      label: 'measured (in / out)',
    },
    { swatch: box(`url(#${idPrefix}-hatch)`, html` stroke="${COLORS.muted}"`), label: 'unobservable' },
  ];
}

/** The legend from `top`, wrapped to the drawing's width. */
export function renderLegend(top: number, idPrefix: string): { svg: SafeHtml; height: number } {
  const parts: SafeHtml[] = [];
  let x = 6;
  let row = 0;
  for (const item of items(idPrefix)) {
    const width = 14 + 5 + estimateWidth(item.label, 10) + 14;
    if (x + width > WIDTH - 6) {
      x = 6;
      row += 1;
    }
    const y = top + row * 16;
    parts.push(item.swatch(x, y), html`<text x="${x + 19}" y="${y + 9}" font-size="10" fill="${COLORS.text}">${item.label}</text>`);
    x += width;
  }
  return { svg: html`<g class="legend">${parts}</g>`, height: (row + 1) * 16 };
}
