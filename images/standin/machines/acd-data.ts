// Tracks the ACD sequence numbers a CMS receives and counts gaps. Pure.
// Losing the link IS a data gap on that CMS, and so is the time its links take to move to the ESS.

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

export function initialAcdData(): AcdDataSnapshot {
  return { received: 0, lastSeq: 0, source: null, lastAtMs: 0, gaps: 0, missing: 0 };
}

/**
 * One ACD event `seq` from `source` arriving at nowMs:
 * - first event ever: the numbering starts there, no gap;
 * - same source, seq == last + 1: in order;
 * - same source, seq > last + 1: a gap of exactly seq - last - 1 events (cause `sequence`), also across a
 *   reconnect to the same source;
 * - the source changed (cm and ess number their streams separately) or restarted its counter (seq <= last): the
 *   numbers cannot tell what was lost, the silence can. Beyond 1.5 event periods (1000/acdEventRateHz ms) it is
 *   one gap of round(silence·rate/1000) - 1 events (cause `source-switch` / `source-restart`), numbered on from
 *   the last seq of the old stream.
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
  if (s.source !== null) {
    if (s.source === source && seq > s.lastSeq + 1) gap('sequence', seq - s.lastSeq - 1);
    else if (s.source !== source || seq <= s.lastSeq) {
      const periodMs = cfg.acdEventRateHz > 0 ? 1000 / cfg.acdEventRateHz : Infinity;
      if (silentMs > 1.5 * periodMs) gap(s.source !== source ? 'source-switch' : 'source-restart', Math.round(silentMs / periodMs) - 1);
    }
  }
  s.received += 1;
  s.source = source;
  s.lastSeq = seq;
  s.lastAtMs = nowMs;
  return { state: s, effects };
}
