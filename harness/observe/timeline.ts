// The merged record of a test: every stand-in's events and the harness's own events on one monotonic clock,
// with the queries assertions need (roles at an instant, ACTIVE and dual-ACTIVE intervals, link states, waiting).

import type { AcdLinkState, AcdTarget, HaRole, NodeName } from '../../images/protocol/index.js';
import type { AssertionRecord, ExpectedWindow, HarnessEvent, Measurement, TimelineEvent } from '../core/model.js';
import { HarnessError } from '../core/errors.js';
import { nowNs, toMonoNs, toNs, maxNs, minNs, type Instant } from '../core/clock.js';
import { waitFor as poll, notYet, type WaitOptions } from '../core/poll.js';

/** The CMS nodes whose HA role the timeline tracks for dual-ACTIVE detection. */
export const CMS_NODES = ['cms-primary', 'cms-secondary'] as const;

/** A stretch of time. `toNs` null means "still open at the end of the observation". */
export interface Interval {
  fromNs: bigint;
  toNs: bigint | null;
}

/**
 * A closed stretch an assertion is scoped to (`throughout(span)`, `during(span)`), with the words a report needs:
 * `label` names it ("the observation window"); `anchorNs`/`anchorLabel` say what its bounds are relative to.
 */
export interface Span {
  fromNs: bigint;
  toNs: bigint;
  label?: string;
  anchorNs?: bigint;
  anchorLabel?: string;
}

export interface SpanOptions {
  label?: string;
  /** Instant the span's bounds are described relative to. Default: `anchorLabel` given → fromNs. */
  anchorNs?: Instant;
  anchorLabel?: string;
}

/** What an ACD link looked like at an instant, from the node's last `acd-link` event. */
export interface LinkStateAt {
  target: AcdTarget;
  state: AcdLinkState;
  attempt: number;
  cycle: number;
  atNs: bigint;
}

/** Where assertions on a timeline record what they measured (an Evidence implements it). */
export interface EvidenceRecorder {
  addWindow(window: ExpectedWindow): void;
  addMeasurement(measurement: Measurement): void;
  addAssertion(text: string, passed: boolean): AssertionRecord;
  /** Start of the test; message instants read "12.3 s into the test" relative to it. */
  readonly startNs: bigint;
}

/** Selects events: a predicate, or fields that must all match (`fromNs`/`toNs` inclusive). */
export type EventFilter =
  ((event: TimelineEvent) => boolean) | { node?: NodeName | 'harness'; type?: TimelineEvent['type']; fromNs?: Instant; toNs?: Instant };

/** What `record` needs; seq and (by default) atNs are stamped. */
export interface HarnessEventInput {
  type: HarnessEvent['type'];
  subject?: HarnessEvent['subject'];
  detail: string;
  /** When it happened. Default: now. */
  atNs?: Instant;
}

export interface TimelineWaitOptions extends WaitOptions {
  /** Only events at or after this instant match. */
  afterNs?: Instant;
}

/** A timeline event of one type (e.g. `EventOfType<'role'>`). */
export type EventOfType<K extends TimelineEvent['type']> = Extract<TimelineEvent, { type: K }>;

/** Type-narrowing predicate: events of `type`, optionally of one node. `timeline.events(isEvent('alarm', 'cms-secondary'))`. */
export function isEvent<K extends TimelineEvent['type']>(
  type: K,
  node?: NodeName | 'harness',
): (event: TimelineEvent) => event is EventOfType<K> {
  return (event): event is EventOfType<K> => event.type === type && (node === undefined || event.node === node);
}

/** Type-narrowing predicate: role events, optionally of one node and to one role. `timeline.waitFor(isRole('cms-secondary', 'ACTIVE'), ...)`. */
export function isRole(node?: NodeName, role?: HaRole): (event: TimelineEvent) => event is EventOfType<'role'> {
  return (event): event is EventOfType<'role'> =>
    event.type === 'role' && (node === undefined || event.node === node) && (role === undefined || event.role === role);
}

/** Total order of the timeline: time, then node name, then per-node sequence number. */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  const aNs = BigInt(a.atNs);
  const bNs = BigInt(b.atNs);
  if (aNs !== bNs) return aNs < bNs ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.seq - b.seq;
}

/** One line about an event, for timeout messages and debugging. */
export function describeEvent(event: TimelineEvent): string {
  const { node, seq, atNs } = event;
  const head = `${node}#${seq} @${atNs} ${event.type}`;
  switch (event.type) {
    case 'role':
      return `${head} ${event.role} (was ${event.previous ?? 'none'}: ${event.reason})`;
    case 'acd-link':
      return `${head} ${event.target} ${event.state} attempt ${event.attempt} cycle ${event.cycle}`;
    case 'heartbeat':
      return `${head} ${event.outcome} beat ${event.beat} misses ${event.consecutiveMisses}`;
    case 'alarm':
      return `${head} ${event.alarm} ${event.raised ? 'raised' : 'cleared'}`;
    case 'admin':
      return `${head} ${event.action}${event.changeSeq === undefined ? '' : ` change ${event.changeSeq}`}`;
    case 'acd-gap':
      return `${head} ${event.source} missing ${event.missing} (${event.fromSeq}..${event.toSeq})`;
    case 'ess':
      return `${head} ${event.previous}→${event.state}`;
    case 'client':
      return `${head} ${event.action} ${event.target ?? ''}`.trimEnd();
    case 'log':
      return `${head} ${event.message}`;
    case 'started':
      return `${head} ${event.kind}`;
    default:
      return `${head} ${event.subject ?? ''} ${event.detail}`.replace(/ +/g, ' ').trimEnd();
  }
}

/**
 * Events of all nodes and of the harness, kept ordered by `compareEvents`. Adding the same event twice (same node,
 * seq and instant) is a no-op, so an observer may re-read. A stand-in that restarts starts its seq at 1 again;
 * its new events differ by instant and are kept.
 *
 * Role semantics: a CMS has the role of its last `role` event at or before an instant. A node that became unobservable
 * (paused, killed, cut from the observer) keeps its last known role until an event says otherwise: the timeline
 * records what was seen, not guesses. `isObservableAt` tells the two apart where it matters (`exactlyOneActive`).
 */
export class Timeline {
  readonly #events: TimelineEvent[] = [];
  readonly #keys = new Set<string>();
  #harnessSeq = 0;
  #observedUntilNs: bigint | null = null;
  readonly #observedNodes = new Map<NodeName, bigint>();
  /** The Evidence this timeline belongs to, if any; assertions record into it. */
  recorder: EvidenceRecorder | null = null;

  /** Adds stand-in or harness events in any order; returns how many were new. */
  add(events: Iterable<TimelineEvent>): number {
    let added = 0;
    for (const event of events) {
      const key = `${event.node}#${event.seq}#${event.atNs}`;
      if (this.#keys.has(key)) continue;
      toNs(event.atNs); // reject malformed instants before they poison the order
      this.#keys.add(key);
      this.#insert(event);
      added += 1;
    }
    return added;
  }

  /** Records something the harness did or saw; returns the stamped event. */
  record(input: HarnessEventInput): HarnessEvent {
    this.#harnessSeq += 1;
    const event: HarnessEvent = {
      node: 'harness',
      seq: this.#harnessSeq,
      atNs: toMonoNs(input.atNs ?? nowNs()),
      type: input.type,
      subject: input.subject ?? null,
      detail: input.detail,
    };
    this.#keys.add(`harness#${event.seq}#${event.atNs}`);
    this.#insert(event);
    return event;
  }

  /**
   * Says the observation covers everything up to `ns`, of one node or of all (the observer calls it with the instant
   * each answered poll was sent). Without it, the observation ends at the last event.
   */
  markObserved(ns: Instant, node?: NodeName): void {
    const at = toNs(ns);
    if (this.#observedUntilNs === null || at > this.#observedUntilNs) this.#observedUntilNs = at;
    if (node !== undefined) {
      const previous = this.#observedNodes.get(node);
      if (previous === undefined || at > previous) this.#observedNodes.set(node, at);
    }
  }

  /**
   * How far the observation of `node` reaches: its last per-node mark; without any per-node mark, the end of the
   * whole observation (`observedUntilNs`). A paused node stops answering, so its observation stops growing.
   */
  observedUntil(node: NodeName): bigint | null {
    const marked = this.#observedNodes.get(node);
    if (marked === undefined) return this.observedUntilNs;
    const last = this.last((e) => e.node === node);
    return last === undefined ? marked : maxNs(marked, BigInt(last.atNs));
  }

  /** The end of the observation: the later of the last `markObserved` and the last event; null when empty. */
  get observedUntilNs(): bigint | null {
    const last = this.#events.at(-1);
    const lastNs = last === undefined ? null : BigInt(last.atNs);
    if (lastNs === null) return this.#observedUntilNs;
    return this.#observedUntilNs === null ? lastNs : maxNs(lastNs, this.#observedUntilNs);
  }

  /** Where message instants are counted from: the evidence's start, else the first event. */
  get originNs(): bigint | null {
    if (this.recorder !== null) return this.recorder.startNs;
    const first = this.#events[0];
    return first === undefined ? null : BigInt(first.atNs);
  }

  get size(): number {
    return this.#events.length;
  }

  /** Events in timeline order, optionally filtered. */
  events<T extends TimelineEvent>(filter: (event: TimelineEvent) => event is T): T[];
  events(filter?: EventFilter): TimelineEvent[];
  events(filter?: EventFilter): TimelineEvent[] {
    if (filter === undefined) return [...this.#events];
    return this.#events.filter(toPredicate(filter));
  }

  /** The first event matching `pred` at or after `afterNs` (default: from the start). */
  first<T extends TimelineEvent>(pred: (event: TimelineEvent) => event is T, options?: { afterNs?: Instant }): T | undefined;
  first(pred: (event: TimelineEvent) => boolean, options?: { afterNs?: Instant }): TimelineEvent | undefined;
  first(pred: (event: TimelineEvent) => boolean, options: { afterNs?: Instant } = {}): TimelineEvent | undefined {
    const start = options.afterNs === undefined ? 0 : this.#lowerBound(toNs(options.afterNs));
    for (let i = start; i < this.#events.length; i += 1) {
      const event = this.#events[i];
      if (event !== undefined && pred(event)) return event;
    }
    return undefined;
  }

  /** The last event matching `pred` at or before `atNs` (default: the end). */
  last(pred: (event: TimelineEvent) => boolean, options: { atOrBeforeNs?: Instant } = {}): TimelineEvent | undefined {
    const end = options.atOrBeforeNs === undefined ? this.#events.length : this.#upperBound(toNs(options.atOrBeforeNs));
    for (let i = end - 1; i >= 0; i -= 1) {
      const event = this.#events[i];
      if (event !== undefined && pred(event)) return event;
    }
    return undefined;
  }

  /** The HA role of `node` at `ns` per its last role event at or before it; null when none was seen yet. */
  roleAt(node: NodeName, ns: Instant): HaRole | null {
    const event = this.last((e) => e.node === node && e.type === 'role', { atOrBeforeNs: ns });
    return event?.type === 'role' ? event.role : null;
  }

  /** Roles of every node that has reported one by `ns`. */
  rolesAt(ns: Instant): Partial<Record<NodeName, HaRole>> {
    const roles: Partial<Record<NodeName, HaRole>> = {};
    const at = toNs(ns);
    for (const event of this.#events) {
      if (BigInt(event.atNs) > at) break;
      if (event.type === 'role') roles[event.node] = event.role;
    }
    return roles;
  }

  /** The ACD link of `node` at `ns` per its last `acd-link` event; null when none was seen yet. */
  linkStateAt(node: NodeName, ns: Instant): LinkStateAt | null {
    const event = this.last((e) => e.node === node && e.type === 'acd-link', { atOrBeforeNs: ns });
    if (event?.type !== 'acd-link') return null;
    return { target: event.target, state: event.state, attempt: event.attempt, cycle: event.cycle, atNs: BigInt(event.atNs) };
  }

  /**
   * Intervals during which a state holds, driven by events: `isOn(event)` answers true (the state begins or
   * continues), false (it ends) or undefined (the event says nothing about it). An interval still open at the end
   * has `toNs` null.
   */
  intervals(isOn: (event: TimelineEvent) => boolean | undefined): Interval[] {
    const result: Interval[] = [];
    let open: bigint | null = null;
    for (const event of this.#events) {
      const on = isOn(event);
      if (on === undefined) continue;
      const at = BigInt(event.atNs);
      if (on && open === null) open = at;
      else if (!on && open !== null) {
        result.push({ fromNs: open, toNs: at });
        open = null;
      }
    }
    if (open !== null) result.push({ fromNs: open, toNs: null });
    return result;
  }

  /** When `node` was ACTIVE per its role events. */
  activeIntervals(node: NodeName): Interval[] {
    return this.intervals((e) => (e.node === node && e.type === 'role' ? e.role === 'ACTIVE' : undefined));
  }

  /** When `node` could not be observed, per the harness's `unobservable` / `observable` events. */
  unobservableIntervals(node: NodeName): Interval[] {
    return this.intervals((e) =>
      e.node === 'harness' && e.subject === node
        ? e.type === 'unobservable'
          ? true
          : e.type === 'observable'
            ? false
            : undefined
        : undefined,
    );
  }

  /** Whether `node` was observable at `ns` (it is, unless inside an unobservable interval). */
  isObservableAt(node: NodeName, ns: Instant): boolean {
    const at = toNs(ns);
    return !this.unobservableIntervals(node).some((i) => i.fromNs <= at && (i.toNs === null || at < i.toNs));
  }

  /**
   * When cms-primary and cms-secondary were both ACTIVE per their role events. A node that became unobservable keeps
   * its last known role (see the class comment), so a paused ACTIVE primary still counts as ACTIVE until it reports
   * otherwise; with `observableOnly` a node counts as ACTIVE only while it is observable (e.g. a killed primary
   * stops counting when it stops answering). Intervals of zero length (both switch at the same instant) are left out.
   */
  dualActiveIntervals(options: { observableOnly?: boolean } = {}): Interval[] {
    const [a, b] = CMS_NODES.map((node) =>
      options.observableOnly === true
        ? subtractIntervals(this.activeIntervals(node), this.unobservableIntervals(node))
        : this.activeIntervals(node),
    ) as [Interval[], Interval[]];
    const result: Interval[] = [];
    for (const x of a) {
      for (const y of b) {
        const from = maxNs(x.fromNs, y.fromNs);
        const to = x.toNs === null ? y.toNs : y.toNs === null ? x.toNs : minNs(x.toNs, y.toNs);
        if (to === null || to > from) result.push({ fromNs: from, toNs: to });
      }
    }
    return result.sort((p, q) => (p.fromNs < q.fromNs ? -1 : p.fromNs > q.fromNs ? 1 : 0));
  }

  /** A span from `fromNs` to `toNs`, with the words a report shows. */
  span(fromNs: Instant, toNs_: Instant, options: SpanOptions = {}): Span {
    return makeSpan(fromNs, toNs_, options);
  }

  /**
   * Resolves with the first event matching `pred` at or after `afterNs`, already present or arriving later
   * (events arrive through `add`, e.g. from an Observer). Rejects with HarnessError('TIMEOUT') at the deadline.
   */
  waitFor<T extends TimelineEvent>(pred: (event: TimelineEvent) => event is T, options: TimelineWaitOptions): Promise<T>;
  waitFor(pred: (event: TimelineEvent) => boolean, options: TimelineWaitOptions): Promise<TimelineEvent>;
  async waitFor(pred: (event: TimelineEvent) => boolean, options: TimelineWaitOptions): Promise<TimelineEvent> {
    const afterNs = options.afterNs;
    const result = await poll(() => {
      const found = this.first(pred, afterNs === undefined ? {} : { afterNs });
      if (found !== undefined) return found;
      const last = this.#events.at(-1);
      return notYet(
        `no matching event among ${this.#events.length} event${this.#events.length === 1 ? '' : 's'}` +
          (last === undefined ? '' : `; the latest is ${describeEvent(last)}`),
      );
    }, options);
    return result.value;
  }

  toJSON(): TimelineEvent[] {
    return [...this.#events];
  }

  #insert(event: TimelineEvent): void {
    // Events mostly arrive in order: append, else binary-search the place.
    const last = this.#events.at(-1);
    if (last === undefined || compareEvents(last, event) <= 0) {
      this.#events.push(event);
      return;
    }
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = this.#events[mid];
      if (probe !== undefined && compareEvents(probe, event) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.#events.splice(lo, 0, event);
  }

  /** Index of the first event at or after `ns`. */
  #lowerBound(ns: bigint): number {
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = this.#events[mid];
      if (probe !== undefined && BigInt(probe.atNs) < ns) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index just past the last event at or before `ns`. */
  #upperBound(ns: bigint): number {
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = this.#events[mid];
      if (probe !== undefined && BigInt(probe.atNs) <= ns) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The parts of `intervals` outside every one of `holes` (both sorted, non-overlapping; null ends are open). */
export function subtractIntervals(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
  let pieces: Interval[] = intervals.map((i) => ({ ...i }));
  for (const hole of holes) {
    const next: Interval[] = [];
    for (const piece of pieces) {
      const pieceEnd = piece.toNs;
      const holeEnd = hole.toNs;
      const overlaps = (pieceEnd === null || hole.fromNs < pieceEnd) && (holeEnd === null || piece.fromNs < holeEnd);
      if (!overlaps) {
        next.push(piece);
        continue;
      }
      if (piece.fromNs < hole.fromNs) next.push({ fromNs: piece.fromNs, toNs: hole.fromNs });
      if (holeEnd !== null && (pieceEnd === null || holeEnd < pieceEnd)) next.push({ fromNs: holeEnd, toNs: pieceEnd });
    }
    pieces = next;
  }
  return pieces;
}

/** A span with validated bounds (`fromNs` <= `toNs`). */
export function makeSpan(fromNs: Instant, toNs_: Instant, options: SpanOptions = {}): Span {
  const from = toNs(fromNs);
  const to = toNs(toNs_);
  if (to < from) {
    throw new HarnessError('BAD_INPUT', `span: toNs (${to}) is before fromNs (${from}); give the earlier instant first`, {
      details: { fromNs: from.toString(), toNs: to.toString() },
    });
  }
  const span: Span = { fromNs: from, toNs: to };
  if (options.label !== undefined) span.label = options.label;
  if (options.anchorLabel !== undefined) {
    span.anchorLabel = options.anchorLabel;
    span.anchorNs = options.anchorNs === undefined ? from : toNs(options.anchorNs);
  } else if (options.anchorNs !== undefined) {
    span.anchorNs = toNs(options.anchorNs);
  }
  return span;
}

function toPredicate(filter: EventFilter): (event: TimelineEvent) => boolean {
  if (typeof filter === 'function') return filter;
  const from = filter.fromNs === undefined ? null : toNs(filter.fromNs);
  const to = filter.toNs === undefined ? null : toNs(filter.toNs);
  return (event) => {
    if (filter.node !== undefined && event.node !== filter.node) return false;
    if (filter.type !== undefined && event.type !== filter.type) return false;
    const at = BigInt(event.atNs);
    if (from !== null && at < from) return false;
    if (to !== null && at > to) return false;
    return true;
  };
}
