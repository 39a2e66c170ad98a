// What the timeline says about the CMS HA site at an instant or over time: roles, ACD links, observability,
// and when both CMS were ACTIVE. Named event predicates live here too, so no caller writes one by hand.

import type { AcdLinkState, AcdTarget, AlarmName, CmsName, HaRole, NodeName } from '../../images/protocol/index.js';
import { toNs, type Instant } from '../core/clock.js';
import type { EventOfType, FaultRecord, TimelineEvent } from '../core/model.js';
import { overlapSpans, spansOf, subtractSpans, type Span } from './spans.js';
import { nsOf, type Timeline } from './timeline.js';

/** The CMS nodes whose HA role the harness tracks for dual-ACTIVE detection. */
export const CMS_NODES: readonly CmsName[] = ['cms-primary', 'cms-secondary'];

/**
 * A predicate that narrows any event to one of type K, keeping what the event was: a timeline's (stamped) event stays
 * stamped, an event read from a record stays as it is.
 */
export type Pred<K extends TimelineEvent['type']> = <E extends TimelineEvent>(event: E) => event is E & EventOfType<K>;

const pred = <K extends TimelineEvent['type']>(test: (e: TimelineEvent) => boolean): Pred<K> => test as Pred<K>;

/**
 * The protocol meaning the stand-ins carry only in free-text reasons, read here and nowhere else in the harness: when
 * their events carry it in fields of their own, these lines (and the predicates using them) are all that changes.
 */
const REASON = {
  /** acd-link CONNECTING: the start of a Dual-IP attempt ("attempt 3 of cycle 2: cm try 3 of 5"). */
  attemptStart: /^attempt \d+ of/,
  /** …of the first attempt of a cycle. */
  cycleStart: /^attempt 1 of/,
  /** role ACTIVE of the primary: it took the role back from a secondary that took over (automatic failback). */
  autoFailback: /^auto failback/,
  /** role ACTIVE of the secondary: heartbeatMisses consecutive heartbeats went unanswered (a failover). */
  heartbeatLost: /^heartbeat lost/,
  /** role ACTIVE of a primary that heard no secondary by its no-secondary deadline. */
  noSecondary: /^no secondary/,
  /** ess STANDBY: the reset after a takeover or a return is over. */
  essResetDone: /^reset complete$/,
} as const;

const reasonOf = (e: TimelineEvent): string => ('reason' in e && typeof e.reason === 'string' ? e.reason : '');

/** Named predicates over timeline events; every field left out matches anything. */
export const is = {
  type: <K extends TimelineEvent['type']>(type: K, node?: NodeName | 'harness'): Pred<K> =>
    pred<K>((e) => e.type === type && (node === undefined || e.node === node)),
  role: (node?: NodeName, role?: HaRole): Pred<'role'> =>
    pred((e) => e.type === 'role' && (node === undefined || e.node === node) && (role === undefined || e.role === role)),
  acdLink: (node: NodeName, state?: AcdLinkState, target?: AcdTarget): Pred<'acd-link'> =>
    pred(
      (e) =>
        e.type === 'acd-link' &&
        e.node === node &&
        (state === undefined || e.state === state) &&
        (target === undefined || e.target === target),
    ),
  /** A Dual-IP cycle begins: attempt 1 of a new cycle (at start, or after a loss). */
  cycleStart: (node: NodeName): Pred<'acd-link'> =>
    pred(
      (e) => e.type === 'acd-link' && e.node === node && e.state === 'CONNECTING' && e.attempt === 1 && REASON.cycleStart.test(reasonOf(e)),
    ),
  /** The start of a Dual-IP attempt (not its failure, which is CONNECTING too), of any node and target unless given. */
  attemptStart: (node?: NodeName, target?: AcdTarget): Pred<'acd-link'> =>
    pred(
      (e) =>
        e.type === 'acd-link' &&
        (node === undefined || e.node === node) &&
        e.state === 'CONNECTING' &&
        REASON.attemptStart.test(reasonOf(e)) &&
        (target === undefined || e.target === target),
    ),
  /** The start of Dual-IP attempt `attempt` (at any target). */
  attempt: (node: NodeName, attempt: number, target?: AcdTarget): Pred<'acd-link'> =>
    pred((e) => is.attemptStart(node, target)(e) && e.attempt === attempt),
  /** The secondary's failover: ACTIVE because heartbeatMisses heartbeats in a row went unanswered. */
  heartbeatFailover: (node: NodeName = 'cms-secondary'): Pred<'role'> =>
    pred((e) => is.role(node, 'ACTIVE')(e) && REASON.heartbeatLost.test(reasonOf(e))),
  /** The returning primary takes the ACTIVE role back from the secondary that took over (automatic failback). */
  autoFailback: (): Pred<'role'> => pred((e) => is.role('cms-primary', 'ACTIVE')(e) && REASON.autoFailback.test(reasonOf(e))),
  /** A primary that heard no secondary decides ACTIVE alone at its no-secondary deadline. */
  loneActive: (): Pred<'role'> => pred((e) => is.role('cms-primary', 'ACTIVE')(e) && REASON.noSecondary.test(reasonOf(e))),
  /** A role the primary decided after its start (its wait for the secondary's first heartbeat over). */
  primaryDecided: (role: HaRole): Pred<'role'> => pred((e) => is.role('cms-primary', role)(e) && e.previous !== null),
  /** The ESS back in STANDBY at the end of its reset. */
  essResetDone: (): Pred<'ess'> => pred((e) => is.ess('STANDBY')(e) && REASON.essResetDone.test(reasonOf(e))),
  heartbeat: (outcome: EventOfType<'heartbeat'>['outcome'], node?: NodeName, beat?: number): Pred<'heartbeat'> =>
    pred(
      (e) =>
        e.type === 'heartbeat' &&
        e.outcome === outcome &&
        (node === undefined || e.node === node) &&
        (beat === undefined || e.beat === beat),
    ),
  /** A heartbeat the primary heard from a secondary that had taken over (a return of the primary). */
  takeoverHeard: (): Pred<'heartbeat'> =>
    pred((e) => e.type === 'heartbeat' && e.outcome === 'received' && e.node === 'cms-primary' && e.takenOver === true),
  /** A stand-in's timer that fired at least `minMs` late: the host was overloaded. */
  lateTimer: (minMs: number): Pred<'late-timer'> => pred((e) => e.type === 'late-timer' && e.lateMs >= minMs),
  alarm: (alarm: AlarmName, raised = true, node?: NodeName): Pred<'alarm'> =>
    pred((e) => e.type === 'alarm' && e.alarm === alarm && e.raised === raised && (node === undefined || e.node === node)),
  admin: (node: NodeName, action: EventOfType<'admin'>['action'], changeSeq?: number, origin?: CmsName): Pred<'admin'> =>
    pred(
      (e) =>
        e.type === 'admin' &&
        e.node === node &&
        e.action === action &&
        (changeSeq === undefined || e.changeSeq === changeSeq) &&
        (origin === undefined || e.origin === origin),
    ),
  adminLink: (node: NodeName, up: boolean): Pred<'admin-link'> => pred((e) => e.type === 'admin-link' && e.node === node && e.up === up),
  /** A CMS decided (or applied the decision of) a conflict on `object` after a split brain. */
  conflictResolved: (node: NodeName, object: string): Pred<'admin-conflict'> =>
    pred((e) => e.type === 'admin-conflict' && e.phase === 'resolved' && e.node === node && e.object === object),
  ess: (state: EventOfType<'ess'>['state']): Pred<'ess'> => pred((e) => e.type === 'ess' && e.state === state && e.previous !== state),
  login: (target: CmsName): Pred<'client'> => pred((e) => e.type === 'client' && e.action === 'logged-in' && e.target === target),
  clientLost: (): Pred<'client'> => pred((e) => e.type === 'client' && e.action === 'lost'),
  gap: (node: NodeName): Pred<'acd-gap'> => pred((e) => e.type === 'acd-gap' && e.node === node),
  started: (node: NodeName): Pred<'started'> => pred((e) => e.type === 'started' && e.node === node),
  begun: (node: NodeName): Pred<'begun'> => pred((e) => e.type === 'begun' && e.node === node),
};

/**
 * The latest-firing stand-in timer that fired at least `minMs` late between two instants: the host was overloaded
 * then. A node the scenario paused is left out, since it fires its timers late on resume and that is the fault.
 */
export function worstLateTimer(
  events: readonly TimelineEvent[],
  faults: readonly Pick<FaultRecord, 'kind' | 'target'>[],
  fromNs: bigint,
  toNs: bigint,
  minMs: number,
): EventOfType<'late-timer'> | undefined {
  const paused = new Set<string>(faults.filter((f) => f.kind === 'pause').map((f) => f.target));
  return events
    .filter(is.lateTimer(minMs))
    .filter((e) => !paused.has(e.node) && nsOf(e) >= fromNs && nsOf(e) <= toNs)
    .sort((a, b) => b.lateMs - a.lateMs)[0];
}

/**
 * When `server` (cm or ess) had a session of `cms`, accepted or in data transfer, by its own acd-session events. A
 * session ends with its server's process too: when the server is killed or stopped, or starts a new life.
 */
export function sessionSpans(timeline: Timeline, server: 'cm' | 'ess', cms: CmsName): Span[] {
  return spansOf(timeline.events(), (e) => {
    if (e.node === server && e.type === 'acd-session' && e.cms === cms) return e.phase !== 'ended';
    if (e.node === server && e.type === 'started') return false;
    if (e.node === 'harness' && e.type === 'fault-applied' && e.subject === server && /^(kill|stop) /.test(e.detail)) return false;
    return undefined;
  });
}

/** Whether `node` had `alarm` raised at `ns`, by its last alarm event of that name at or before it. */
export function alarmAt(timeline: Timeline, node: NodeName, alarm: AlarmName, ns: Instant): boolean {
  const last = timeline.last((e) => e.node === node && e.type === 'alarm' && e.alarm === alarm, { atOrBeforeNs: ns });
  return last?.type === 'alarm' ? last.raised : false;
}

/** The HA role of `node` at `ns` per its last role event at or before it; null when none was seen yet. */
export function roleAt(timeline: Timeline, node: NodeName, ns: Instant): HaRole | null {
  return timeline.last(is.role(node), { atOrBeforeNs: ns })?.role ?? null;
}

/** The ACD link of `node` at `ns` per its last `acd-link` event; null when none was seen yet. */
export function linkAt(timeline: Timeline, node: NodeName, ns: Instant): EventOfType<'acd-link'> | null {
  return timeline.last(is.type('acd-link', node), { atOrBeforeNs: ns }) ?? null;
}

/** When `node` was ACTIVE per its role events. */
export function activeSpans(timeline: Timeline, node: NodeName): Span[] {
  return spansOf(timeline.events(), (e) => (e.node === node && e.type === 'role' ? e.role === 'ACTIVE' : undefined));
}

/** When `node` could not be observed, per the harness's `unobservable` / `observable` events. */
export function unobservableSpans(timeline: Timeline, node: NodeName): Span[] {
  return spansOf(timeline.events(), (e) =>
    e.node === 'harness' && e.subject === node
      ? e.type === 'unobservable'
        ? true
        : e.type === 'observable'
          ? false
          : undefined
      : undefined,
  );
}

/** Whether `node` was observable at `ns` (it is, unless inside an unobservable span). */
export function isObservableAt(timeline: Timeline, node: NodeName, ns: Instant): boolean {
  const at = toNs(ns);
  return !unobservableSpans(timeline, node).some((s) => s.fromNs <= at && (s.toNs === null || at < s.toNs));
}

/**
 * When cms-primary and cms-secondary were both ACTIVE. A CMS counts only while it is observable: a killed or paused
 * primary stops counting when it stops answering (the timeline keeps its last known role, but it serves nobody).
 * An isolated primary is observable over the control network and counts: it is ACTIVE and nobody fences it.
 */
export function dualActiveSpans(timeline: Timeline): Span[] {
  const [a, b] = CMS_NODES.map((node) => subtractSpans(activeSpans(timeline, node), unobservableSpans(timeline, node))) as [Span[], Span[]];
  return overlapSpans(a, b);
}

/** The observable CMS that are ACTIVE at `ns`, and the ones that cannot be observed then. */
export function activeAt(timeline: Timeline, ns: Instant): { active: CmsName[]; unobservable: CmsName[] } {
  const unobservable = CMS_NODES.filter((node) => !isObservableAt(timeline, node, ns));
  return { active: CMS_NODES.filter((node) => !unobservable.includes(node) && roleAt(timeline, node, ns) === 'ACTIVE'), unobservable };
}
