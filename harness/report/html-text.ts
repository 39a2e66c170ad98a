// Markup for the HTML report and its SVG charts: the html`` template, which escapes every value put into it unless it
// is markup already (so text from a container, a title, an error or the configuration is text by default), SVG
// coordinates, and the words and badges every section shares.

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

const MARKUP: unique symbol = Symbol('markup');

/** Markup that goes into the page as it is. Only html`` (which escaped every value given it) and trusted() make one. */
export interface SafeHtml {
  readonly [MARKUP]: string;
  /** The markup, for the page's file or a caller that wants the text. */
  toString(): string;
}

/** What html`` takes: text and numbers (escaped), markup (as it is), lists of them (one after the other), or nothing. */
export type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

function safe(markup: string): SafeHtml {
  return { [MARKUP]: markup, toString: () => markup };
}

function isSafe(value: HtmlValue): value is SafeHtml {
  return typeof value === 'object' && value !== null && MARKUP in value;
}

function fragment(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (isSafe(value)) return value[MARKUP];
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(value);
}

/**
 * The report's template: html`<td title="${tip}">${value}</td>` escapes every value for element content and quoted
 * attribute values, except markup (the result of another html``, or trusted()), which goes in as it is. A list goes
 * in item after item; null and undefined put in nothing.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, i) => (markup += fragment(value) + (strings[i + 1] ?? '')));
  return safe(markup);
}

/** Markup written in these sources, such as the style sheet: never text that came from a run, a file or the site. */
export function trusted(markup: string): SafeHtml {
  return safe(markup);
}

/** The values one after the other with `separator` (text, escaped like a value) between them. */
export function joinHtml(values: readonly HtmlValue[], separator: string): SafeHtml {
  return safe(values.map(fragment).join(escapeHtml(separator)));
}

/** A compact number for an SVG coordinate or length: one decimal at most, 0 for anything not finite. */
export function coord(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

export const OUTCOME_LABEL: Record<Outcome, string> = {
  failed: 'Failed',
  flaky: 'Flaky',
  passed: 'Passed',
  pending: 'Pending',
  inconclusive: 'Inconclusive (harness)',
};

export function badge(outcome: Outcome): SafeHtml {
  return html`<span class="badge badge-${outcome}">${OUTCOME_LABEL[outcome]}</span>`;
}

/** A value for a table cell, "n/a" when there is none. */
export function cell(value: string | number | null | undefined): SafeHtml {
  return value === null || value === undefined ? html`<span class="na">n/a</span>` : html`${value}`;
}

/** What a window's timing counts from, in words. */
export const KIND_WORDS: Record<WindowKind, string> = { protocol: 'from the protocol event', fault: 'from the fault', budget: 'budget' };

/** Windows in the order a reader wants them: the protocol's own timing, the operator's view, the budget, then none. */
export const KIND_ORDER: Array<WindowKind | null> = ['protocol', 'fault', 'budget', null];

/** A difference with its sign, "+413 ms" or "-2 ms", in the one time format. */
export function signedDuration(ms: number): string {
  return ms > 0 ? `+${formatDurationMs(ms)}` : formatDurationMs(ms);
}
