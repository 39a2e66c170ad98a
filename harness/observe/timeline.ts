// The merged record of a test: every stand-in's events and the harness's own events on one monotonic clock,
// kept in order, with the lookups everything else is built on (events in a range, first and last, waiting).

import { nowNs, toMonoNs, toNs, maxNs, type Instant } from '../core/clock.js';
import type { HarnessEvent, TimelineEvent } from '../core/model.js';
import { notYet, waitFor as poll, type WaitOptions } from '../core/poll.js';
import type { NodeName } from '../../images/protocol/index.js';

/**
 * A timeline event with its instant parsed once, when it entered the timeline: `ns`. The property is not enumerable,
 * so the event's JSON (run.json), a structured clone or a deep comparison is the event as its stand-in sent it.
 */
export type Stamped<E extends TimelineEvent = TimelineEvent> = E & { readonly ns: bigint };

/** The instant of an event: the one parsed when it entered a timeline, else parsed now (an event read from a record). */
export function nsOf(event: TimelineEvent): bigint {
  return (event as Partial<Stamped>).ns ?? toNs(event.atNs);
}

/** Puts the parsed instant on the event itself (a copy when the event cannot take it), so the event stays the same object. */
function stamp<E extends TimelineEvent>(event: E, ns: bigint): Stamped<E> {
  if ((event as Partial<Stamped>).ns === ns) return event as Stamped<E>;
  const target = Object.isExtensible(event) ? event : { ...event };
  return Object.defineProperty(target, 'ns', { value: ns, enumerable: false, writable: false, configurable: true }) as Stamped<E>;
}

/** Selects events: a predicate, or fields that must all match (`fromNs`/`toNs` inclusive). */
export type EventFilter =
  ((event: Stamped) => boolean) | { node?: NodeName | 'harness'; type?: TimelineEvent['type']; fromNs?: Instant; toNs?: Instant };

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

/** Total order of the timeline: time, then node name, then per-node sequence number. */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  const aNs = nsOf(a);
  const bNs = nsOf(b);
  if (aNs !== bNs) return aNs < bNs ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.seq - b.seq;
}

/** One line about an event, for timeout messages and debugging. */
export function describeEvent(event: TimelineEvent): string {
  const head = `${event.node}#${event.seq} ${event.type}`;
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
      return `${head} ${event.action} ${event.origin} change ${event.changeSeq}`;
    case 'admin-conflict':
      return `${head} ${event.phase} ${event.object}`;
    case 'switch-control':
      return `${head} ${event.inControl ? 'in control' : 'not in control'} (${event.reason})`;
    case 'admin-link':
      return `${head} ${event.up ? 'up' : 'down'} (${event.reason})`;
    case 'acd-gap':
      return `${head} ${event.source} missing ${event.missing} (${event.cause})`;
    case 'ess':
      return `${head} ${event.previous}→${event.state}`;
    case 'acd-session':
      return `${head} ${event.cms} ${event.phase} (${event.reason})`;
    case 'client':
      return `${head} ${event.action} ${event.target ?? ''}`.trimEnd();
    case 'log':
      return `${head} ${event.message}`;
    case 'started':
      return `${head} ${event.kind}`;
    case 'begun':
      return head;
    case 'late-timer':
      return `${head} ${event.machine} ${event.lateMs} ms late`;
    default:
      return `${head} ${event.subject ?? ''} ${event.detail}`.replace(/ +/g, ' ').trimEnd();
  }
}

/**
 * Events of all nodes and of the harness, kept ordered by `compareEvents`. Adding the same event twice (same node,
 * seq and instant) is a no-op, so an observer may re-read. A stand-in that restarts starts its seq at 1 again;
 * its new events differ by instant and are kept.
 */
export class Timeline {
  readonly #events: Stamped[] = [];
  readonly #keys = new Set<string>();
  #harnessSeq = 0;
  #observedUntilNs: bigint | null = null;
  readonly #observedNodes = new Map<NodeName, bigint>();

  /** Adds stand-in or harness events in any order; returns how many were new. */
  add(events: Iterable<TimelineEvent>): number {
    let added = 0;
    for (const event of events) {
      const key = `${event.node}#${event.seq}#${event.atNs}`;
      if (this.#keys.has(key)) continue;
      const ns = toNs(event.atNs); // parsed once; a malformed instant is rejected before it poisons the order
      this.#keys.add(key);
      this.#insert(stamp(event, ns));
      added += 1;
    }
    return added;
  }

  /** Records something the harness did or saw; returns the stamped event. */
  record(input: HarnessEventInput): Stamped<HarnessEvent> {
    this.#harnessSeq += 1;
    const ns = toNs(input.atNs ?? nowNs());
    const event = stamp<HarnessEvent>(
      {
        node: 'harness',
        seq: this.#harnessSeq,
        atNs: toMonoNs(ns),
        type: input.type,
        subject: input.subject ?? null,
        detail: input.detail,
      },
      ns,
    );
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
   * whole observation. A paused node stops answering, so its observation stops growing.
   */
  observedUntil(node: NodeName): bigint | null {
    const marked = this.#observedNodes.get(node);
    if (marked === undefined) return this.observedUntilNs;
    const last = this.last((e) => e.node === node);
    return last === undefined ? marked : maxNs(marked, last.ns);
  }

  /** The end of the observation: the later of the last `markObserved` and the last event; null when empty. */
  get observedUntilNs(): bigint | null {
    const last = this.#events.at(-1);
    const lastNs = last === undefined ? null : last.ns;
    if (lastNs === null) return this.#observedUntilNs;
    return this.#observedUntilNs === null ? lastNs : maxNs(lastNs, this.#observedUntilNs);
  }

  get size(): number {
    return this.#events.length;
  }

  /** Events in timeline order, optionally filtered. */
  events<T extends Stamped>(filter: (event: Stamped) => event is T): T[];
  events(filter?: EventFilter): Stamped[];
  events(filter?: EventFilter): Stamped[] {
    if (filter === undefined) return [...this.#events];
    return this.#events.filter(toPredicate(filter));
  }

  /** The first event matching `pred` at or after `afterNs` (default: from the start). */
  first<T extends Stamped>(pred: (event: Stamped) => event is T, options?: { afterNs?: Instant }): T | undefined;
  first(pred: (event: Stamped) => boolean, options?: { afterNs?: Instant }): Stamped | undefined;
  first(pred: (event: Stamped) => boolean, options: { afterNs?: Instant } = {}): Stamped | undefined {
    const start = options.afterNs === undefined ? 0 : this.#bisect(toNs(options.afterNs), false);
    for (let i = start; i < this.#events.length; i += 1) if (pred(this.#events[i]!)) return this.#events[i];
    return undefined;
  }

  /** The last event matching `pred` at or before `atOrBeforeNs` (default: the end). */
  last<T extends Stamped>(pred: (event: Stamped) => event is T, options?: { atOrBeforeNs?: Instant }): T | undefined;
  last(pred: (event: Stamped) => boolean, options?: { atOrBeforeNs?: Instant }): Stamped | undefined;
  last(pred: (event: Stamped) => boolean, options: { atOrBeforeNs?: Instant } = {}): Stamped | undefined {
    const end = options.atOrBeforeNs === undefined ? this.#events.length : this.#bisect(toNs(options.atOrBeforeNs), true);
    for (let i = end - 1; i >= 0; i -= 1) if (pred(this.#events[i]!)) return this.#events[i];
    return undefined;
  }

  /**
   * Resolves with the first event matching `pred` at or after `afterNs`, already present or arriving later
   * (events arrive through `add`, e.g. from an Observer). Rejects with HarnessError('TIMEOUT') at the deadline.
   */
  waitFor<T extends Stamped>(pred: (event: Stamped) => event is T, options: TimelineWaitOptions): Promise<T>;
  waitFor(pred: (event: Stamped) => boolean, options: TimelineWaitOptions): Promise<Stamped>;
  async waitFor(pred: (event: Stamped) => boolean, options: TimelineWaitOptions): Promise<Stamped> {
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

  /** The events as JSON has them: their instants as decimal strings only (the parsed `ns` does not enumerate). */
  toJSON(): TimelineEvent[] {
    return [...this.#events];
  }

  #insert(event: Stamped): void {
    // Events mostly arrive in order: append, else find the place.
    const last = this.#events.at(-1);
    if (last === undefined || compareStamped(last, event) <= 0) {
      this.#events.push(event);
      return;
    }
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStamped(this.#events[mid]!, event) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.#events.splice(lo, 0, event);
  }

  /** Index of the first event after `ns` (inclusive = false: at or after `ns`; true: strictly after it). */
  #bisect(ns: bigint, inclusive: boolean): number {
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#events[mid]!.ns;
      if (at < ns || (inclusive && at === ns)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compareStamped(a: Stamped, b: Stamped): number {
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.seq - b.seq;
}

function toPredicate(filter: EventFilter): (event: Stamped) => boolean {
  if (typeof filter === 'function') return filter;
  const from = filter.fromNs === undefined ? null : toNs(filter.fromNs);
  const to = filter.toNs === undefined ? null : toNs(filter.toNs);
  return (event) => {
    if (filter.node !== undefined && event.node !== filter.node) return false;
    if (filter.type !== undefined && event.type !== filter.type) return false;
    const at = event.ns;
    if (from !== null && at < from) return false;
    if (to !== null && at > to) return false;
    return true;
  };
}
