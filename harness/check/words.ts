// How instants and windows read in assertion sentences: always relative to something a reader knows
// ("2031 ms after the first unanswered heartbeat", "45.1 s into the test"), never as raw monotonic nanoseconds.

import { nsToMs, toNs } from '../core/clock.js';
import { formatDurationMs, formatInRangeMs, formatRangeMs } from '../core/format.js';
import type { Window } from '../core/model.js';
import type { Anchor } from './windows.js';

/**
 * What a failure says when a stand-in's late timer spoiled its window: the host was overloaded, not the site wrong.
 * The expectations and the invariants say it; a worker reads it to call the failure inconclusive (harness).
 */
export const HOST_OVERLOADED = 'the host was overloaded';

/** "12.0 s after cms-primary killed" with an anchor, else "45.1 s into the test" from the test's start. */
export function instantWords(ns: bigint, startNs: bigint, anchor?: Anchor): string {
  if (anchor !== undefined) {
    const deltaMs = nsToMs(ns - anchor.ns);
    return deltaMs < 0 ? `${formatDurationMs(-deltaMs)} before ${anchor.label}` : `${formatDurationMs(deltaMs)} after ${anchor.label}`;
  }
  return `${formatDurationMs(nsToMs(ns - startNs))} into the test`;
}

/** "2220–2280 ms after the first unanswered heartbeat (derivation)". */
export function windowWords(window: Window): string {
  return `${formatRangeMs(window.fromMs, window.toMs)} after ${window.anchorLabel} (${window.derivation})`;
}

/** "cms-secondary became ACTIVE 2251 ms after X; expected 2220–2280 ms after X (…)", in the window's own unit. */
export function measuredWords(fact: string, window: Window, atNs: bigint): string {
  const valueMs = nsToMs(atNs - toNs(window.anchorNs));
  return `${fact} ${formatInRangeMs(valueMs, window.fromMs, window.toMs)} after ${window.anchorLabel}; expected ${windowWords(window)}`;
}
