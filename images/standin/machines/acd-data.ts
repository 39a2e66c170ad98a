// Tracks the ACD sequence numbers a CMS receives and counts gaps. Pure.
// Losing the link IS a data gap on that CMS, so reconnecting to the same source never re-bases.

import type { AcdTarget } from '../../protocol/index.js';
import { copy, emit, log, type Effect } from './core.js';

export interface AcdDataSnapshot {
  received: number;
  lastSeq: number;
  source: AcdTarget | null;
  gaps: number;
  missing: number;
}

export function initialAcdData(): AcdDataSnapshot {
  return { received: 0, lastSeq: 0, source: null, gaps: 0, missing: 0 };
}

/**
 * One ACD event `seq` from `source`:
 * - first event ever, or the source changed (cm and ess number their streams separately): re-base, no gap;
 * - seq == last + 1: in order;
 * - seq > last + 1: a gap of seq - last - 1 events (`acd-gap` event), also across a reconnect to the same source;
 * - seq <= last: the source restarted its counter (a killed and restarted CM): re-base, logged, no gap.
 */
export function observeAcd(state: AcdDataSnapshot, source: AcdTarget, seq: number): { state: AcdDataSnapshot; effects: Effect[] } {
  const s = copy(state);
  const effects: Effect[] = [];
  s.received += 1;
  if (s.source === null || s.source !== source) {
    if (s.source !== null) effects.push(log(`acd data re-based on ${source} at seq ${seq} (was ${s.source} at ${s.lastSeq})`));
    s.source = source;
  } else if (seq > s.lastSeq + 1) {
    const missing = seq - s.lastSeq - 1;
    s.gaps += 1;
    s.missing += missing;
    effects.push(emit({ type: 'acd-gap', source, fromSeq: s.lastSeq + 1, toSeq: seq - 1, missing }));
  } else if (seq <= s.lastSeq) {
    effects.push(log(`acd data from ${source} restarted at seq ${seq} (last was ${s.lastSeq}): re-based`));
  }
  s.lastSeq = seq;
  return { state: s, effects };
}
