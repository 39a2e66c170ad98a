// Tracks the ACD sequence numbers a CMS receives and counts gaps, also across its own restart. Pure.
// Losing the link IS a data gap on that CMS, and so is the time its links take to move to the ESS, or its downtime.

import type { AcdTarget, Timers } from '../../protocol/index.js';
import { copy, emit, type Effect } from './core.js';

export interface AcdDataSnapshot {
  received: number;
  lastSeq: number;
  source: AcdTarget | null;
  /** When the last event arrived. */
  lastAtMs: number;
  gaps: number;
  missing: number;
}

/**
 * What a CMS keeps on disk so that, restarted, it counts its own downtime as one gap: the last event's source, seq and
 * monotonic instant (ns, decimal; containers share the host's CLOCK_MONOTONIC, so it compares across the restart).
 */
export interface AcdDurable {
  source: AcdTarget;
  lastSeq: number;
  lastAtNs: string;
}

/** The tracker at process start: empty, or carrying on from the last event the previous process saw. */
export function initialAcdData(saved?: AcdDurable): AcdDataSnapshot {
  const s: AcdDataSnapshot = { received: 0, lastSeq: 0, source: null, lastAtMs: 0, gaps: 0, missing: 0 };
  if (saved === undefined) return s;
  return { ...s, source: saved.source, lastSeq: saved.lastSeq, lastAtMs: Number(BigInt(saved.lastAtNs)) / 1e6 };
}

/** What to save after an event (null before the first one). */
export function acdDurableOf(s: AcdDataSnapshot): AcdDurable | null {
  if (s.source === null) return null;
  return { source: s.source, lastSeq: s.lastSeq, lastAtNs: BigInt(Math.round(s.lastAtMs * 1e6)).toString() };
}

/** Checks a tracker read back from disk; throws naming what is wrong. */
export function checkAcdDurable(v: unknown): AcdDurable {
  const d = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const ok =
    (d['source'] === 'cm' || d['source'] === 'ess') &&
    typeof d['lastSeq'] === 'number' &&
    Number.isInteger(d['lastSeq']) &&
    d['lastSeq'] >= 0 &&
    typeof d['lastAtNs'] === 'string' &&
    /^\d+$/.test(d['lastAtNs']);
  if (!ok) throw new Error(`acd-data state: ${JSON.stringify(v)} is not { source: cm|ess, lastSeq, lastAtNs }`);
  return { source: d['source'] as AcdTarget, lastSeq: d['lastSeq'] as number, lastAtNs: d['lastAtNs'] as string };
}

/**
 * One ACD event `seq` from `source` arriving at nowMs:
 * - first event ever (and no saved tracker): the numbering starts there, no gap;
 * - same source, seq == last + 1: in order, whatever the silence (a late delivery lost nothing);
 * - anything else after a silence beyond 1.5 event periods (1000/acdEventRateHz ms) is one gap of
 *   round(silence·rate/1000) - 1 events, numbered on from the last seq of the old stream. The count comes from the
 *   silence, never from the numbers: cm and ess number separately, and a restarted CM numbers anew, possibly past
 *   the old last seq. The cause says what the numbers looked like: `sequence` (same source, ahead), `source-switch`,
 *   `source-restart` (same source, not ahead). A CMS restarted from its saved tracker counts its downtime this way.
 */
export function observeAcd(
  state: AcdDataSnapshot,
  source: AcdTarget,
  seq: number,
  nowMs: number,
  cfg: Pick<Timers, 'acdEventRateHz'>,
): { state: AcdDataSnapshot; effects: Effect[] } {
  const s = copy(state);
  const effects: Effect[] = [];
  const silentMs = nowMs - s.lastAtMs;
  const gap = (cause: 'sequence' | 'source-switch' | 'source-restart', missing: number): void => {
    s.gaps += 1;
    s.missing += missing;
    effects.push(emit({ type: 'acd-gap', source, cause, fromSeq: s.lastSeq + 1, toSeq: s.lastSeq + missing, missing, silentMs }));
  };
  const periodMs = cfg.acdEventRateHz > 0 ? 1000 / cfg.acdEventRateHz : Infinity;
  const inOrder = s.source === source && seq === s.lastSeq + 1;
  if (s.source !== null && !inOrder && silentMs > 1.5 * periodMs) {
    const cause = s.source !== source ? 'source-switch' : seq > s.lastSeq ? 'sequence' : 'source-restart';
    gap(cause, Math.max(1, Math.round(silentMs / periodMs) - 1));
  }
  s.received += 1;
  s.source = source;
  s.lastSeq = seq;
  s.lastAtMs = nowMs;
  return { state: s, effects };
}
