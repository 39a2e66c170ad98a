// How instants, spans and windows read in assertion sentences: always relative to something a reader knows
// ("12.0 s after acd-primary cut", "45.1 s into the test"), never as raw monotonic nanoseconds.

import type { ExpectedWindow } from '../core/model.js';
import { nsToMs } from '../core/clock.js';
import { formatDurationMs, formatRangeMs } from '../core/format.js';
import type { Span, Timeline } from '../observe/timeline.js';

/** A labelled instant that other instants are described relative to. */
export interface Anchor {
  ns: bigint;
  label: string;
}

/** "12.0 s after cms-primary killed" with an anchor, else "45.1 s into the test" (from the timeline's origin). */
export function instantWords(timeline: Timeline, ns: bigint, anchor?: Anchor): string {
  if (anchor !== undefined) {
    const deltaMs = nsToMs(ns - anchor.ns);
    return deltaMs < 0 ? `${formatDurationMs(-deltaMs)} before ${anchor.label}` : `${formatDurationMs(deltaMs)} after ${anchor.label}`;
  }
  const origin = timeline.originNs;
  if (origin === null) return `at ${ns} ns`;
  return `${formatDurationMs(nsToMs(ns - origin))} into the test`;
}

/** The anchor of a span, when it has one. */
export function spanAnchor(span: Span): Anchor | undefined {
  return span.anchorLabel === undefined ? undefined : { ns: span.anchorNs ?? span.fromNs, label: span.anchorLabel };
}

/** "the observation window (0.0–30.0 s after acd-primary cut)", or "the span (2.0–5.0 s into the test)". */
export function spanWords(timeline: Timeline, span: Span): string {
  const name = span.label ?? 'the span';
  const anchor = spanAnchor(span);
  if (anchor !== undefined) {
    return `${name} (${formatRangeMs(nsToMs(span.fromNs - anchor.ns), nsToMs(span.toNs - anchor.ns))} after ${anchor.label})`;
  }
  const origin = timeline.originNs;
  if (origin === null) return `${name} (${formatDurationMs(nsToMs(span.toNs - span.fromNs))} long)`;
  return `${name} (${formatRangeMs(nsToMs(span.fromNs - origin), nsToMs(span.toNs - origin))} into the test)`;
}

/** "the observation" or the span's words. */
export function scopeWords(timeline: Timeline, span: Span | undefined): string {
  return span === undefined ? 'the observation' : spanWords(timeline, span);
}

/** "40.0–65.0 s ((3-1)·20000 … 3·20000 + 5000 ms, ±250 ms tolerance)"; the derivation is left out when empty. */
export function windowWords(window: Pick<ExpectedWindow, 'fromMs' | 'toMs' | 'derivation'>): string {
  const range = formatRangeMs(window.fromMs, window.toMs);
  return window.derivation.trim() === '' ? range : `${range} (${window.derivation})`;
}
