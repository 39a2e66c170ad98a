// Text for the HTML report and its SVG charts: escaping (everything from a container, a title, an error or the
// configuration goes through here), SVG coordinates, and the words and badges every section shares.

import { formatDurationMs } from '../core/format.js';
import type { Outcome, WindowKind } from '../core/model.js';

/** Escapes text for HTML/SVG content and quoted attribute values; control characters (except tab/newline) are dropped. */
export function escapeHtml(text: unknown): string {
  return (
    String(text)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

/** Compact number for an SVG coordinate. */
export function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

export const OUTCOME_LABEL: Record<Outcome, string> = { failed: 'Failed', flaky: 'Flaky', passed: 'Passed', pending: 'Pending' };

export function badge(outcome: Outcome): string {
  return `<span class="badge badge-${outcome}">${OUTCOME_LABEL[outcome]}</span>`;
}

/** A value for a table cell, "n/a" when there is none. */
export function cell(value: unknown): string {
  return value === null || value === undefined ? '<span class="na">n/a</span>' : escapeHtml(value);
}

/** What a window's timing counts from, in words. */
export const KIND_WORDS: Record<WindowKind, string> = { protocol: 'from the protocol event', fault: 'from the fault', budget: 'budget' };

/** Windows in the order a reader wants them: the protocol's own timing, the operator's view, the budget, then none. */
export const KIND_ORDER: Array<WindowKind | null> = ['protocol', 'fault', 'budget', null];

/** A difference with its sign, "+413 ms" or "-2 ms", in the one time format. */
export function signedDuration(ms: number): string {
  return ms > 0 ? `+${formatDurationMs(ms)}` : formatDurationMs(ms);
}
