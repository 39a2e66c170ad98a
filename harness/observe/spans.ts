// Observed stretches of time (spans) and the little algebra the expectations need: spans from on/off events,
// the parts of some spans outside others, and where two sets of spans overlap.

import { maxNs, minNs } from '../core/clock.js';
import type { Stamped } from './timeline.js';

/** An observed stretch of time. `toNs` null: still open at the end of the observation. */
export interface Span {
  fromNs: bigint;
  toNs: bigint | null;
}

/**
 * Spans during which a state holds, driven by events: `isOn(event)` answers true (the state begins or continues),
 * false (it ends) or undefined (the event says nothing about it).
 */
export function spansOf(events: readonly Stamped[], isOn: (event: Stamped) => boolean | undefined): Span[] {
  const result: Span[] = [];
  let open: bigint | null = null;
  for (const event of events) {
    const on = isOn(event);
    if (on === undefined) continue;
    const at = event.ns;
    if (on && open === null) open = at;
    else if (!on && open !== null) {
      result.push({ fromNs: open, toNs: at });
      open = null;
    }
  }
  if (open !== null) result.push({ fromNs: open, toNs: null });
  return result;
}

/** The parts of `spans` outside every one of `holes` (both sorted, non-overlapping; null ends are open). */
export function subtractSpans(spans: readonly Span[], holes: readonly Span[]): Span[] {
  let pieces: Span[] = spans.map((s) => ({ ...s }));
  for (const hole of holes) {
    const next: Span[] = [];
    for (const piece of pieces) {
      const overlaps = (piece.toNs === null || hole.fromNs < piece.toNs) && (hole.toNs === null || piece.fromNs < hole.toNs);
      if (!overlaps) {
        next.push(piece);
        continue;
      }
      if (piece.fromNs < hole.fromNs) next.push({ fromNs: piece.fromNs, toNs: hole.fromNs });
      if (hole.toNs !== null && (piece.toNs === null || hole.toNs < piece.toNs)) next.push({ fromNs: hole.toNs, toNs: piece.toNs });
    }
    pieces = next;
  }
  return pieces;
}

/** Where a span of `a` and a span of `b` overlap; zero-length overlaps are left out. Sorted by start. */
export function overlapSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const result: Span[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = maxNs(x.fromNs, y.fromNs);
      const to = x.toNs === null ? y.toNs : y.toNs === null ? x.toNs : minNs(x.toNs, y.toNs);
      if (to === null || to > from) result.push({ fromNs: from, toNs: to });
    }
  }
  return result.sort((p, q) => (p.fromNs < q.fromNs ? -1 : p.fromNs > q.fromNs ? 1 : 0));
}

/** The spans cut to [fromNs, toNs]; an open span ends at `toNs`. */
export function clipSpans(spans: readonly Span[], fromNs: bigint, toNs: bigint): Array<{ fromNs: bigint; toNs: bigint }> {
  const result: Array<{ fromNs: bigint; toNs: bigint }> = [];
  for (const s of spans) {
    const from = maxNs(s.fromNs, fromNs);
    const to = s.toNs === null ? toNs : minNs(s.toNs, toNs);
    if (to > from) result.push({ fromNs: from, toNs: to });
  }
  return result;
}
