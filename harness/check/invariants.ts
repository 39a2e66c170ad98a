// The invariants I1–I7 of DESIGN §1, each a pure function of a finished execution (Jepsen's checker: the nemesis
// performs and records, this judges afterwards). Every violation names its invariant, its instant and its events.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs, nsToMs, toMonoNs, toNs } from '../core/clock.js';
import { formatDurationMs } from '../core/format.js';
import type { EventOfType, InvariantId, InvariantVerdict, InvariantViolation, TimelineEvent } from '../core/model.js';
import { CMS_NODES, is, linkAt, sessionSpans, worstLateTimer } from '../observe/site-state.js';
import { clipSpans, overlapSpans, spansOf, subtractSpans, type Span } from '../observe/spans.js';
import type { Stamped } from '../observe/timeline.js';
import { beatSlot, handoverStart } from './anchors.js';
import {
  adminChanges,
  alarmRaised,
  alarmSpans,
  closed,
  complementSpans,
  inForce,
  lifeSpans,
  peerOf,
  running,
  servingActive,
  unionSpans,
  unobservable,
  within,
  type ExecutionFacts,
} from './facts.js';
import * as w from './windows.js';
import { HOST_OVERLOADED, instantWords, windowWords } from './words.js';

export const INVARIANT_NAMES: Readonly<Record<InvariantId, string>> = {
  I1: 'dual-active only where allowed',
  I2: 'one switch',
  I3: 'Admin-Sync: each change once, in order, no silent conflict',
  I4: 'convergence after the last heal',
  I5: 'no silent outage',
  I6: 'data accounted',
  I7: 'timing in every schedule',
};

const SCHED = msToNs(w.SCHEDULING_MS);

/** Every invariant over one execution; a violation inside a stretch where the host was overloaded is marked void. */
export function checkInvariants(facts: ExecutionFacts): InvariantVerdict[] {
  const checks: Record<InvariantId, (f: ExecutionFacts) => Found[]> = {
    I1: dualActiveOnlyWhereAllowed,
    I2: oneSwitch,
    I3: adminSyncExact,
    I4: convergence,
    I5: noSilentOutage,
    I6: dataAccounted,
    I7: timingHolds,
  };
  const events = facts.timeline.events();
  return (Object.keys(checks) as InvariantId[]).map((invariant) => ({
    invariant,
    name: INVARIANT_NAMES[invariant],
    violations: checks[invariant](facts).map((found) => {
      const worst = worstLateTimer(events, facts.faults, found.fromNs, found.atNs, w.SCHEDULING_MS);
      // A host that fired a timer L late can have moved what followed by about L, no more: a break further past its
      // bound than that is the site's.
      const late = worst && found.excessNs !== undefined && msToNs(worst.lateMs) >= found.excessNs ? worst : undefined;
      return {
        invariant,
        key: `${invariant} ${found.key}`,
        message: found.message,
        fromNs: toMonoNs(found.fromNs),
        atNs: toMonoNs(found.atNs),
        events: found.events,
        void: late
          ? `a timer of ${late.node} (${late.machine}) fired ${formatDurationMs(late.lateMs)} late meanwhile: ${HOST_OVERLOADED}`
          : null,
      } satisfies InvariantViolation;
    }),
  }));
}

/**
 * Until when an execution must be observed for every invariant to be judged: the convergence bound after its last move,
 * then one heartbeat round to see the settled state hold.
 */
export function settledByNs(facts: ExecutionFacts): bigint {
  const t = facts.site.timers;
  const window = w.convergence(
    facts.site,
    { ns: facts.settleFromNs, label: 'the last move' },
    { switchPathFaulted: switchPathFaulted(facts) },
  );
  return facts.settleFromNs + msToNs(window.toMs + t.heartbeatIntervalMs + t.heartbeatTimeoutMs);
}

/** Whether a fault stood between a CMS and its switch: an ACD link, the main CM or the ESS, or an isolation. */
export function switchPathFaulted(facts: ExecutionFacts): boolean {
  const path: string[] = ['acd-primary', 'acd-secondary', 'acd-primary-ess', 'acd-secondary-ess', 'cm', 'ess'];
  return facts.faults.some((f) => f.kind === 'isolate' || path.includes(f.target));
}

/** The violations that count: not void. */
export function findings(verdicts: readonly InvariantVerdict[]): InvariantViolation[] {
  return verdicts.flatMap((v) => v.violations).filter((v) => v.void === null);
}

interface Found {
  key: string;
  message: string;
  fromNs: bigint;
  atNs: bigint;
  events: TimelineEvent[];
  /**
   * How far past its bound the site went: a late timer of at least this much could explain it (void). Absent for a
   * break no lateness explains (a change applied twice, a conflict never raised).
   */
  excessNs?: bigint;
}

const at = (e: Stamped): bigint => e.ns;
const words = (f: ExecutionFacts, ns: bigint): string => instantWords(ns, f.startNs);

/** Pieces of `spans` (closed at the end of the observation) longer than `graceNs`. */
function longerThan(spans: readonly Span[], f: ExecutionFacts, graceNs: bigint): Array<{ fromNs: bigint; toNs: bigint }> {
  return spans.map((s) => closed(s, f.endNs)).filter((s) => s.toNs - s.fromNs > graceNs);
}

function wanRtt(f: ExecutionFacts, link: 'heartbeat' | 'admin-sync'): number {
  const wan = f.site.wan[link];
  return wan ? 2 * (wan.latencyMs + wan.jitterMs) : 0;
}

// -----------------------------------------------------------------------------------------------------------------
// I1: two CMS ACTIVE at once only while they cannot hear each other, announced by DUAL_ACTIVE, within one heartbeat
// exchange of an automatic failback's handover, or between an operator's two commands of a switchover.

function dualActiveOnlyWhereAllowed(f: ExecutionFacts): Found[] {
  const t = f.site.timers;
  const dual = overlapSpans(servingActive(f, 'cms-primary'), servingActive(f, 'cms-secondary'));
  if (dual.length === 0) return [];
  const isolated = inForce(f, ['isolate'], CMS_NODES);
  const slowHeartbeat = f.faults
    .filter((x) => x.kind === 'latency' && x.target === 'heartbeat')
    .filter((x) => 2 * (Number(x.attributes['latency'] ?? 0) + Number(x.attributes['jitter'] ?? 0)) >= t.heartbeatTimeoutMs)
    .map((x) => ({ fromNs: toNs(x.appliedNs), toNs: x.healedNs === null ? null : toNs(x.healedNs) }));
  const heartbeatDown = unionSpans([...inForce(f, ['cut', 'blackhole'], ['heartbeat']), ...isolated, ...slowHeartbeat]);
  const adminDown = unionSpans([...inForce(f, ['cut', 'blackhole'], ['admin-sync']), ...isolated]);
  const learn = msToNs(w.learnPeerMs(f.site));
  // Deaf: neither path gets through; then the time to learn each other once one is back.
  const deaf = overlapSpans(heartbeatDown, adminDown).map((s) => ({ fromNs: s.fromNs, toNs: s.toNs === null ? null : s.toNs + learn }));
  const announced = CMS_NODES.flatMap((node) => alarmSpans(f, node, 'DUAL_ACTIVE'));
  const handovers = f.timeline
    .events(is.autoFailback())
    .map((e) => ({ fromNs: at(e), toNs: at(e) + msToNs(t.heartbeatTimeoutMs) + SCHED }));
  const roleActions = f.actions.filter((a) => a.accepted && (a.action === 'set-active' || a.action === 'set-standby'));
  const switchovers = roleActions
    .map((a, i) => ({ a, next: roleActions[i + 1] }))
    .filter(({ a }) => a.action === 'set-active')
    .map(({ a, next }) => ({ fromNs: toNs(a.atNs), toNs: next ? toNs(next.doneNs) + SCHED : null }));
  const allowed = unionSpans([...deaf, ...announced, ...handovers, ...switchovers]);
  // Announcing takes the next message between them: an Admin-Sync role message at once, or the next heartbeat.
  const announceNs = msToNs(t.heartbeatIntervalMs + t.heartbeatTimeoutMs + wanRtt(f, 'heartbeat')) + SCHED;
  return longerThan(subtractSpans(dual, allowed), f, announceNs).map((s) => ({
    key: 'both ACTIVE unannounced',
    message: `cms-primary and cms-secondary were both ACTIVE for ${formatDurationMs(nsToMs(s.toNs - s.fromNs))} from ${words(f, s.fromNs)} while they could hear each other, with no DUAL_ACTIVE raised, no automatic failback handing over and no operator switching over (allowed: ${formatDurationMs(nsToMs(announceNs))} to learn of it)`,
    fromNs: s.fromNs,
    atNs: s.toNs,
    events: f.timeline.events((e) => e.type === 'role' && at(e) >= s.fromNs - SCHED && at(e) <= s.toNs),
    excessNs: s.toNs - s.fromNs - announceNs,
  }));
}

// -----------------------------------------------------------------------------------------------------------------
// I2: no CMS linked to the main CM and the ESS at once; never both switches serving beyond a handover.

function oneSwitch(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  const serving = (server: 'cm' | 'ess', cms: CmsName) => subtractSpans(sessionSpans(f.timeline, server, cms), unobservable(f, server));
  for (const node of CMS_NODES) {
    // Each server records a session's end when it hears of it: a CMS that closes one link and dials the other at once
    // shows both for an instant across the two processes, within the scheduling tolerance.
    for (const s of longerThan(overlapSpans(serving('cm', node), serving('ess', node)), f, SCHED)) {
      found.push({
        key: 'a CMS linked to both switches',
        message: `${node} had a session with the main CM and one with the ESS at once, from ${words(f, s.fromNs)} for ${formatDurationMs(nsToMs(s.toNs - s.fromNs))}`,
        fromNs: s.fromNs,
        atNs: s.toNs,
        events: f.timeline.events((e) => e.type === 'acd-session' && e.cms === node && at(e) >= s.fromNs - SCHED && at(e) <= s.toNs),
        excessNs: s.toNs - s.fromNs - SCHED,
      });
    }
  }
  const cm = unionSpans(CMS_NODES.flatMap((node) => serving('cm', node)));
  const ess = unionSpans(CMS_NODES.flatMap((node) => serving('ess', node)));
  for (const s of longerThan(overlapSpans(cm, ess), f, SCHED)) {
    const sessions = f.timeline.events((e) => e.type === 'acd-session' && at(e) <= s.fromNs + SCHED).slice(-4);
    found.push({
      key: 'two switches serving',
      message: `the main CM and the ESS both served CMS links from ${words(f, s.fromNs)} for ${formatDurationMs(nsToMs(s.toNs - s.fromNs))}: the two CMS were fed by two switches (${describeSessions(f, s.fromNs)})`,
      fromNs: s.fromNs,
      atNs: s.toNs,
      events: sessions,
      excessNs: s.toNs - s.fromNs - SCHED,
    });
  }
  return found;
}

function describeSessions(f: ExecutionFacts, ns: bigint): string {
  const on = CMS_NODES.map((node) => {
    const link = linkAt(f.timeline, node, ns);
    return `${node} ${link ? `${link.state} with ${link.target}` : 'unknown'}`;
  });
  return on.join(', ');
}

// -----------------------------------------------------------------------------------------------------------------
// I3: every change a CMS accepted is applied exactly once on the other, in order per origin, within the drain bound
// once the link is up; a change made on both sides to one object while they could not hear each other is a conflict.

function adminSyncExact(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  for (const origin of CMS_NODES) {
    const peer = peerOf(origin);
    const applied = f.timeline.events(is.admin(peer, 'applied', undefined, origin));
    const seen = new Map<number, Stamped>();
    let previous: Stamped<EventOfType<'admin'>> | undefined;
    for (const e of applied) {
      const first = seen.get(e.changeSeq);
      if (first) {
        found.push({
          key: 'a change applied twice',
          message: `${peer} applied change ${e.changeSeq} of ${origin} twice: ${words(f, at(first))} and ${words(f, at(e))}`,
          fromNs: at(first),
          atNs: at(e),
          events: [first, e],
        });
      } else if (previous && e.changeSeq !== previous.changeSeq + 1) {
        found.push({
          key: 'changes applied out of order',
          message: `${peer} applied change ${e.changeSeq} of ${origin} right after change ${previous.changeSeq}: expected them in order`,
          fromNs: at(previous),
          atNs: at(e),
          events: [previous, e],
        });
      }
      seen.set(e.changeSeq, e);
      if (!previous || e.changeSeq > previous.changeSeq) previous = e;
    }
    found.push(...undelivered(f, origin, seen));
  }
  found.push(...silentConflicts(f));
  return found;
}

/** Changes whose link was up long enough to deliver them, but that never arrived. */
function undelivered(f: ExecutionFacts, origin: CmsName, applied: ReadonlyMap<number, Stamped>): Found[] {
  const peer = peerOf(origin);
  const slowest = f.faults
    .filter((x) => x.kind === 'latency' && x.target === 'admin-sync')
    .reduce((most, x) => Math.max(most, 2 * (Number(x.attributes['latency'] ?? 0) + Number(x.attributes['jitter'] ?? 0))), 0);
  const lagNs = msToNs(slowest + wanRtt(f, 'admin-sync')) + SCHED;
  const found: Found[] = [];
  for (const changed of f.timeline.events(is.admin(origin, 'changed', undefined, origin))) {
    if (applied.has(changed.changeSeq)) continue;
    // Up when the change was made, or the first time it came up after; never up again, I4 judges the queue.
    const upThen = f.timeline.last(is.type('admin-link', origin), { atOrBeforeNs: changed.ns })?.up === true;
    const upAfter = f.timeline.first(is.adminLink(origin, true), { afterNs: changed.ns });
    const upNs = upThen ? at(changed) : upAfter ? at(upAfter) : null;
    if (upNs === null) continue;
    const dueNs = upNs + lagNs;
    if (dueNs > f.endNs || alarmRaised(f, origin, 'ADMIN_SYNC_VERSION', f.endNs)) continue;
    found.push({
      key: 'a change never delivered',
      message: `change ${changed.changeSeq} made on ${origin} ${words(f, at(changed))} was never applied on ${peer}, although the link was up ${words(f, upNs)}; expected it within ${formatDurationMs(nsToMs(lagNs))}`,
      fromNs: at(changed),
      atNs: dueNs,
      events: [changed],
      excessNs: f.endNs - dueNs,
    });
  }
  return found;
}

/**
 * Two changes to one object, one on each CMS, each made before the other's reached it: they were made while the two
 * could not hear each other, so both CMS must raise ADMIN_SYNC_CONFLICT once both changes have crossed.
 */
function silentConflicts(f: ExecutionFacts): Found[] {
  const changes = adminChanges(f);
  const appliedAt = (c: (typeof changes)[number]): bigint | null => {
    const e = f.timeline.first(is.admin(peerOf(c.node), 'applied', c.changeSeq, c.node), { afterNs: c.atNs });
    return e ? at(e) : null;
  };
  const found: Found[] = [];
  for (const a of changes.filter((c) => c.node === 'cms-primary')) {
    for (const b of changes.filter((c) => c.node === 'cms-secondary' && c.object === a.object)) {
      const aArrives = appliedAt(a);
      const bArrives = appliedAt(b);
      const concurrent = (aArrives === null || toNs(b.atNs) < aArrives) && (bArrives === null || toNs(a.atNs) < bArrives);
      if (!concurrent || aArrives === null || bArrives === null) continue;
      const crossedNs = aArrives > bArrives ? aArrives : bArrives;
      const raisedBy = crossedNs + SCHED;
      const silent = CMS_NODES.filter(
        (node) =>
          !f.timeline.first(is.alarm('ADMIN_SYNC_CONFLICT', true, node), { afterNs: toNs(a.atNs) < toNs(b.atNs) ? a.atNs : b.atNs }),
      );
      if (silent.length === 0 || raisedBy > f.endNs) continue;
      found.push({
        key: 'a conflict not raised',
        message: `"${a.object}" was changed on cms-primary (to "${a.value}") and on cms-secondary (to "${b.value}") while they could not hear each other, and both changes crossed by ${words(f, crossedNs)}; ${silent.join(' and ')} never raised ADMIN_SYNC_CONFLICT (a silent divergence)`,
        fromNs: toNs(a.atNs) < toNs(b.atNs) ? toNs(a.atNs) : toNs(b.atNs),
        atNs: raisedBy,
        events: f.timeline.events(
          (e) => e.type === 'admin' && (e.changeSeq === a.changeSeq || e.changeSeq === b.changeSeq) && at(e) <= crossedNs,
        ),
        excessNs: f.endNs - raisedBy,
      });
    }
  }
  return found;
}

// -----------------------------------------------------------------------------------------------------------------
// I4: once the last fault is healed the site settles within the convergence bound, and stays so.

function convergence(f: ExecutionFacts): Found[] {
  // Judged only once every fault is healed: a site with a fault in force has nothing to converge to.
  if (f.faults.some((x) => x.healedNs === null)) return [];
  const window = w.convergence(
    f.site,
    { ns: f.settleFromNs, label: 'the last fault healed or step made' },
    { switchPathFaulted: switchPathFaulted(f) },
  );
  const settledNs = f.settleFromNs + msToNs(window.toMs);
  if (settledNs > f.endNs) return [];
  for (const ns of [settledNs, f.endNs]) {
    const problems = unsettled(f, ns);
    if (problems.length > 0) {
      return [
        {
          key: problems[0]!.key,
          message: `${formatDurationMs(nsToMs(ns - f.settleFromNs))} after the last fault was healed or step made (bound ${formatDurationMs(window.toMs)}: ${window.derivation}): ${problems.map((p) => p.text).join('; ')}`,
          fromNs: f.settleFromNs,
          atNs: ns,
          events: problems.flatMap((p) => p.events),
          // Still so at the end: it stayed unsettled that long past its bound; else it may have been late only.
          excessNs: unsettled(f, f.endNs).length > 0 ? f.endNs - settledNs : 0n,
        },
      ];
    }
  }
  const flip = f.timeline.first((e) => e.type === 'role' && at(e) <= f.endNs, { afterNs: settledNs + 1n });
  if (!flip) return [];
  return [
    {
      key: 'roles still changing',
      message: `the site had settled ${words(f, settledNs)}, yet ${flip.node} changed role again ${words(f, at(flip))}`,
      fromNs: settledNs,
      atNs: at(flip),
      events: [flip],
      excessNs: at(flip) - settledNs,
    },
  ];
}

interface Problem {
  key: string;
  text: string;
  events: TimelineEvent[];
}

/** What is not as a settled site must be at `ns`. */
function unsettled(f: ExecutionFacts, ns: bigint): Problem[] {
  const problems: Problem[] = [];
  const active = CMS_NODES.filter((node) => within(servingActive(f, node), ns));
  const lastRole = [...f.actions].reverse().find((a) => a.accepted && (a.action === 'set-active' || a.action === 'set-standby'));
  const raisedOnBoth = (alarm: string) => CMS_NODES.every((node) => alarmRaised(f, node, alarm, ns));
  const roleEvents = CMS_NODES.flatMap((node) => {
    const e = f.timeline.last(is.role(node), { atOrBeforeNs: ns });
    return e ? [e] : [];
  });
  if (active.length === 0 && !(lastRole?.action === 'set-standby' && raisedOnBoth('NO_ACTIVE_CMS'))) {
    problems.push({
      key: 'no ACTIVE CMS',
      text: `no CMS was ACTIVE${CMS_NODES.some((node) => alarmRaised(f, node, 'NO_ACTIVE_CMS', ns)) ? '' : ', and no CMS raised NO_ACTIVE_CMS'}`,
      events: roleEvents,
    });
  }
  const bothAllowed =
    raisedOnBoth('DUAL_ACTIVE') &&
    ((!f.site.policy.autoFailback && f.site.policy.returningPrimary === 'stay-active') || lastRole?.action === 'set-active');
  if (active.length === 2 && !bothAllowed)
    problems.push({
      key: 'both ACTIVE after the heal',
      text: `both CMS were ACTIVE${raisedOnBoth('DUAL_ACTIVE') ? '' : ' without DUAL_ACTIVE on both'}`,
      events: roleEvents,
    });
  const essState = f.timeline.last((e) => e.type === 'ess', { atOrBeforeNs: ns });
  const inControl = essState?.type === 'ess' && essState.state === 'ACTIVE' ? 'ess' : 'cm';
  for (const node of CMS_NODES) {
    const link = linkAt(f.timeline, node, ns);
    if (link?.state !== 'DATA_TRANSFER' || link.target !== inControl)
      problems.push({
        key: 'an ACD link not back',
        text: `${node}'s ACD link was ${link ? `${link.state} with ${link.target}` : 'unknown'}; expected data transfer with ${inControl === 'ess' ? 'the ESS (in control)' : 'the main CM'}`,
        events: link ? [link] : [],
      });
  }
  const client = f.timeline.last((e) => e.node === 'supervisor' && (e.type === 'client' || e.type === 'started'), { atOrBeforeNs: ns });
  if (active.length > 0 && !(client?.type === 'client' && client.action === 'logged-in' && active.includes(client.target as CmsName)))
    problems.push({
      key: 'the supervisor not on the ACTIVE CMS',
      text: `the supervisor was ${client?.type === 'client' && client.action === 'logged-in' ? `logged in to ${client.target}` : 'logged out'} while ${active.join(' and ')} ${active.length === 1 ? 'was' : 'were'} ACTIVE`,
      events: client ? [client] : [],
    });
  for (const origin of CMS_NODES) {
    const queued = queuedChanges(f, origin, ns);
    if (queued > 0 && !alarmRaised(f, origin, 'ADMIN_SYNC_VERSION', ns))
      problems.push({
        key: 'an Admin-Sync queue not drained',
        text: `${origin} still held ${queued} unacknowledged admin change(s)`,
        events: [],
      });
  }
  problems.push(...staleAlarms(f, ns, active, inControl));
  return problems;
}

/** Own changes of `origin` not yet acknowledged at `ns`, by its admin events. */
function queuedChanges(f: ExecutionFacts, origin: CmsName, ns: bigint): number {
  const last = (action: 'changed' | 'acked') =>
    f.timeline.last(is.admin(origin, action, undefined, origin), { atOrBeforeNs: ns })?.changeSeq ?? 0;
  return Math.max(0, last('changed') - last('acked'));
}

/** Alarms still raised at `ns` whose cause is gone. */
function staleAlarms(f: ExecutionFacts, ns: bigint, active: readonly CmsName[], inControl: 'cm' | 'ess'): Problem[] {
  const problems: Problem[] = [];
  const stale = (node: CmsName, alarm: string, why: string) =>
    problems.push({ key: 'an alarm left raised', text: `${node} still had ${alarm} raised although ${why}`, events: [] });
  for (const node of CMS_NODES) {
    if (alarmRaised(f, node, 'DUAL_ACTIVE', ns) && active.length < 2) stale(node, 'DUAL_ACTIVE', 'at most one CMS was ACTIVE');
    if (alarmRaised(f, node, 'NO_ACTIVE_CMS', ns) && active.length > 0) stale(node, 'NO_ACTIVE_CMS', `${active[0]} was ACTIVE`);
    if (alarmRaised(f, node, 'ADMIN_SYNC_LAG', ns) && queuedChanges(f, node, ns) === 0)
      stale(node, 'ADMIN_SYNC_LAG', 'its queue was empty');
    const link = linkAt(f.timeline, node, ns);
    if (alarmRaised(f, node, 'ACD_LINK_DOWN', ns) && link?.state === 'DATA_TRANSFER' && link.target === inControl)
      stale(node, 'ACD_LINK_DOWN', 'its ACD link was in data transfer');
    const lastBeat = f.timeline.last((e) => e.node === node && e.type === 'heartbeat' && e.outcome !== 'sent', { atOrBeforeNs: ns });
    if (alarmRaised(f, node, 'HEARTBEAT_LOST', ns) && lastBeat?.type === 'heartbeat' && lastBeat.outcome === 'answered')
      stale(node, 'HEARTBEAT_LOST', `heartbeat ${lastBeat.beat} was answered`);
  }
  return problems;
}

// -----------------------------------------------------------------------------------------------------------------
// I5: no silent outage. A stretch with no ACTIVE CMS longer than the detection window raises NO_ACTIVE_CMS; an ACD
// link out of data transfer longer than the keep-alive silence raises ACD_LINK_DOWN.

function noSilentOutage(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  const anyActive = unionSpans(CMS_NODES.flatMap((node) => servingActive(f, node)));
  for (const outage of complementSpans(anyActive, f.startNs, f.endNs)) {
    const requestMs = f.faults
      .filter((x) => toNs(x.appliedNs) <= outage.fromNs && toNs(x.appliedNs) >= outage.fromNs - msToNs(f.site.timers.heartbeatIntervalMs))
      .reduce((most, x) => Math.max(most, nsToMs(toNs(x.confirmedNs) - toNs(x.appliedNs))), 0);
    const fromStart = w.noActiveAlarm(f.site, { ns: outage.fromNs, label: 'no CMS was ACTIVE' }, requestMs);
    const watch = watchedFrom(f, outage, msToNs(fromStart.toMs));
    if (!watch) continue;
    const window =
      watch.ns === outage.fromNs
        ? fromStart
        : w.noActiveAlarm(f.site, { ns: watch.ns, label: `${watch.node} ran again with no CMS ACTIVE` });
    const dueNs = watch.ns + msToNs(window.toMs);
    const raised = CMS_NODES.some((node) => {
      const alarm = f.timeline.first(is.alarm('NO_ACTIVE_CMS', true, node), { afterNs: outage.fromNs });
      return alarm !== undefined && alarm.ns <= dueNs;
    });
    if (raised) continue;
    found.push({
      key: 'no ACTIVE CMS, no alarm',
      message: `no CMS was ACTIVE for ${formatDurationMs(nsToMs(outage.toNs - outage.fromNs))} from ${words(f, outage.fromNs)}${outage.toNs >= f.endNs ? ' to the end' : ''}, and no CMS raised NO_ACTIVE_CMS; expected it ${windowWords(window)}`,
      fromNs: outage.fromNs,
      atNs: dueNs,
      events: f.timeline.events((e) => e.type === 'role' && at(e) <= outage.fromNs).slice(-2),
      excessNs: outage.toNs - dueNs,
    });
  }
  for (const node of CMS_NODES) found.push(...silentLinkOutages(f, node));
  return found;
}

/**
 * The first instant a CMS ran (begun, not killed, stopped or paused) for longer than `spanNs` on end within `outage`.
 * Only a running CMS sees that no peer is ACTIVE and raises NO_ACTIVE_CMS: a stretch in which each CMS was down or
 * paused for part of every detection window is nobody's to report. Null when none ran that long.
 */
function watchedFrom(f: ExecutionFacts, outage: { fromNs: bigint; toNs: bigint }, spanNs: bigint): { ns: bigint; node: CmsName } | null {
  let first: { ns: bigint; node: CmsName } | null = null;
  for (const node of CMS_NODES)
    for (const span of running(f, node)) {
      const fromNs = span.fromNs > outage.fromNs ? span.fromNs : outage.fromNs;
      const toNs = span.toNs === null || span.toNs > outage.toNs ? outage.toNs : span.toNs;
      if (toNs - fromNs > spanNs && (first === null || fromNs < first.ns)) first = { ns: fromNs, node };
    }
  return first;
}

/** The spans of one life in which the CMS's ACD link was in data transfer, the last one closed at the life's end. */
function transferSpans(life: { toNs: bigint | null; events: Stamped[] }): Span[] {
  return spansOf(life.events, (e) => (e.type === 'acd-link' ? e.state === 'DATA_TRANSFER' : undefined)).map((span) =>
    span.toNs === null ? { fromNs: span.fromNs, toNs: life.toNs } : span,
  );
}

function silentLinkOutages(f: ExecutionFacts, node: CmsName): Found[] {
  const found: Found[] = [];
  const hidden = unobservable(f, node);
  for (const life of lifeSpans(f, node)) {
    const inTransfer = unionSpans(transferSpans(life));
    const lifeEnd = life.toNs ?? f.endNs;
    const fromNs = life.begunNs > f.startNs ? life.begunNs : f.startNs;
    for (const down of subtractSpans(complementSpans(inTransfer, fromNs, lifeEnd), hidden)) {
      const gap = closed(down, lifeEnd);
      const window = w.acdLinkDownAlarm(f.site, { ns: gap.fromNs, label: `${node}'s ACD link out of data transfer` });
      const dueNs = gap.fromNs + msToNs(window.toMs);
      if (gap.toNs <= dueNs) continue;
      const raised = alarmSpans(f, node, 'ACD_LINK_DOWN').some((s) => s.fromNs <= dueNs && (s.toNs === null || s.toNs > dueNs));
      if (raised) continue;
      found.push({
        key: 'an ACD link down, no alarm',
        message: `${node}'s ACD link was out of data transfer for ${formatDurationMs(nsToMs(gap.toNs - gap.fromNs))} from ${words(f, gap.fromNs)}, and ${node} had no ACD_LINK_DOWN raised; expected it ${windowWords(window)}`,
        fromNs: gap.fromNs,
        atNs: dueNs,
        events: life.events.filter((e) => e.type === 'acd-link' && at(e) <= dueNs && at(e) >= gap.fromNs - SCHED).slice(0, 4),
        excessNs: gap.toNs - dueNs,
      });
    }
  }
  return found;
}

// -----------------------------------------------------------------------------------------------------------------
// I6: every interruption of a CMS's ACD stream is one counted gap, its `missing` the silence times the rate.

/** Whether a CMS has had an ACD record to count a gap from: no, perhaps, or surely. */
type HadRecords = 'no' | 'perhaps' | 'yes';

function dataAccounted(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  const rate = f.site.timers.acdEventRateHz;
  const periodNs = msToNs(1000 / rate);
  for (const node of CMS_NODES) {
    for (const gap of f.timeline.events(is.gap(node))) {
      const { expected, slack } = w.gapMissing(f.site, gap.silentMs);
      if (Math.abs(gap.missing - expected) > slack)
        found.push({
          key: 'a gap miscounted',
          message: `${node} counted ${gap.missing} missing event(s) for ${formatDurationMs(gap.silentMs)} of silence (${gap.cause}); expected about ${expected} at ${rate} events/s`,
          fromNs: at(gap) - msToNs(gap.silentMs),
          atNs: at(gap),
          events: [gap],
        });
    }
    // Whether the CMS had a record to count a gap from by an instant. The CM sends one every event period, at its own
    // slots: a data transfer that lasted a period (and the scheduling tolerance) while the CMS ran surely brought one;
    // a shorter one, only if a slot fell in it. Found at real time: a link cut 44 ms after data transfer began, before
    // the first record, then a restart; the CMS rightly had nothing to count its downtime from. Records come only
    // while the CMS runs, so the harness's kills, stops and pauses of it are taken out of its data transfers.
    const lives = lifeSpans(f, node);
    const transfers = lives.flatMap(transferSpans);
    const whileRunning = subtractSpans(transfers, inForce(f, ['kill', 'stop', 'pause'], [node]));
    const hadBy = (ns: bigint): HadRecords =>
      clipSpans(whileRunning, 0n, ns).some((s) => s.toNs - s.fromNs >= periodNs + SCHED)
        ? 'yes'
        : transfers.some((s) => s.fromNs < ns)
          ? 'perhaps'
          : 'no';
    for (const life of lives) {
      const resumptions: Array<{ lostNs: bigint; backNs: bigint; events: Stamped[]; perhaps: boolean }> = [];
      let lostNs: bigint | null = hadBy(life.fromNs) !== 'no' ? life.fromNs : null;
      let lostEvent: Stamped | null = null;
      for (const e of life.events) {
        if (e.type !== 'acd-link') continue;
        if (e.state === 'DATA_TRANSFER') {
          const had = hadBy(at(e));
          if (lostNs !== null && had !== 'no')
            resumptions.push({ lostNs, backNs: at(e), events: lostEvent ? [lostEvent, e] : [e], perhaps: had === 'perhaps' });
          lostNs = null;
        } else if (lostNs === null && hadBy(at(e)) !== 'no') {
          // Lost again before a record came (none was due yet, and no gap was counted): the stream never resumed, so
          // both silences are one interruption, counted as one gap at the next real resumption.
          const last = resumptions.at(-1);
          const counted = last && f.timeline.first(is.gap(node), { afterNs: last.lostNs });
          if (last && at(e) - last.backNs < periodNs && !(counted && at(counted) <= at(e))) {
            resumptions.pop();
            lostNs = last.lostNs;
            lostEvent = last.events.length > 1 ? last.events[0]! : null;
          } else {
            lostNs = at(e);
            lostEvent = e;
          }
        }
      }
      for (const r of resumptions) {
        const dueNs = r.backNs + periodNs + SCHED;
        if (dueNs > f.endNs) continue;
        const counted = f.timeline.events((e) => is.gap(node)(e) && at(e) >= r.lostNs && at(e) <= dueNs);
        // Perhaps no record had come before the stream was lost: the CMS then had nothing to count from, and no gap is right.
        if (counted.length === 1 || (r.perhaps && counted.length === 0)) continue;
        const restart = r.lostNs === life.fromNs;
        found.push({
          key:
            counted.length === 0
              ? restart
                ? 'a restart gap not counted'
                : 'an interruption not counted'
              : 'an interruption counted twice',
          message: `${node}'s ACD stream stopped ${restart ? `when ${node} restarted` : 'when its link left data transfer'} ${words(f, r.lostNs)} and resumed ${words(f, r.backNs)}; ${counted.length} gap(s) counted, expected one`,
          fromNs: r.lostNs,
          atNs: dueNs,
          events: [...r.events, ...counted],
        });
      }
    }
  }
  return found;
}

// -----------------------------------------------------------------------------------------------------------------
// I7: every detection, failover, link loss and Dual-IP step falls in its protocol-anchored window, in any schedule.

function timingHolds(f: ExecutionFacts): Found[] {
  return [...heartbeatTimings(f), ...dualIpSteps(f), ...essTimings(f), ...handoverTimings(f)];
}

/** Misses within their beat's timeout; the failover exactly at the heartbeatMisses-th consecutive miss, not before. */
function heartbeatTimings(f: ExecutionFacts): Found[] {
  const t = f.site.timers;
  const found: Found[] = [];
  const paused = inForce(f, ['pause'], ['cms-secondary']);
  for (const life of lifeSpans(f, 'cms-secondary')) {
    let streak: Stamped<EventOfType<'heartbeat'>>[] = [];
    for (const e of life.events) {
      if (e.type === 'heartbeat' && e.outcome === 'answered') streak = [];
      if (e.type === 'heartbeat' && e.outcome === 'missed') {
        const sent = life.events.find(
          (x): x is Stamped<EventOfType<'heartbeat'>> => x.type === 'heartbeat' && x.outcome === 'sent' && x.beat === e.beat,
        );
        if (sent && !within(paused, at(e))) {
          // A beat whose slot passed while the secondary was paused goes out as it resumes: its timeout runs from then.
          const slot = within(paused, at(sent))
            ? { ns: at(sent), label: `heartbeat ${e.beat} went out as cms-secondary resumed from its pause` }
            : beatSlot(sent, `heartbeat ${e.beat} was due`);
          if (at(e) > slot.ns + msToNs(t.heartbeatTimeoutMs) + SCHED)
            found.push({
              key: 'a heartbeat missed late',
              message: `heartbeat ${e.beat} was declared missed ${formatDurationMs(nsToMs(at(e) - slot.ns))} after ${slot.label}; expected within its timeout ${formatDurationMs(t.heartbeatTimeoutMs)}`,
              fromNs: slot.ns,
              atNs: at(e),
              events: [sent, e],
              excessNs: at(e) - (slot.ns + msToNs(t.heartbeatTimeoutMs) + SCHED),
            });
        }
        streak.push(e);
      }
      if (is.heartbeatFailover()(e)) {
        const last = streak.at(-1);
        if (streak.length < t.heartbeatMisses || !last || at(e) - at(last) > SCHED)
          found.push({
            key: 'a failover not at the last miss',
            message: `cms-secondary became ACTIVE ${words(f, at(e))} after ${streak.length} consecutive missed heartbeat(s)${last ? `, the last ${formatDurationMs(nsToMs(at(e) - at(last)))} before` : ''}; expected it at the ${t.heartbeatMisses}th consecutive miss`,
            fromNs: streak[0] ? at(streak[0]) : at(e),
            atNs: at(e),
            events: [...streak, e],
            ...(streak.length >= t.heartbeatMisses && last ? { excessNs: at(e) - at(last) - SCHED } : {}),
          });
      }
    }
  }
  return found;
}

/**
 * Dual-IP attempts keep their linkRetry spacing whatever ends them: a new cycle starts at once only after a loss from
 * data transfer; attempt k of a cycle starts (k-1)·linkRetry after its first; never two attempts at once. An attempt
 * dialled late (its process paused or held up: a late timer of its ACD link at that instant) restarts the grid, so
 * the attempts after it keep their spacing from it.
 */
function dualIpSteps(f: ExecutionFacts): Found[] {
  const t = f.site.timers;
  const found: Found[] = [];
  const retryNs = msToNs(t.linkRetryMs);
  for (const node of CMS_NODES) {
    const paused = inForce(f, ['pause'], [node]);
    const lateAt = new Set(f.timeline.events((e) => e.type === 'late-timer' && e.node === node && e.machine === 'acd').map(at));
    const dialledLate = (e: Stamped<EventOfType<'acd-link'>>): boolean => within(paused, at(e)) || lateAt.has(at(e));
    for (const life of lifeSpans(f, node)) {
      let grid: { start: Stamped<EventOfType<'acd-link'>>; attempt: number } | null = null;
      let previous: Stamped<EventOfType<'acd-link'>> | null = null;
      let reachedData = false;
      for (const e of life.events) {
        if (e.type !== 'acd-link') continue;
        if (e.state === 'DATA_TRANSFER') reachedData = true;
        if (!is.attemptStart()(e)) continue;
        // The previous attempt's timer may have fired late, so its event sits up to the scheduling tolerance past its slot.
        if (previous && !reachedData && at(e) - at(previous) < retryNs - SCHED) {
          found.push({
            key: 'Dual-IP attempts too close',
            message: `${node} began attempt ${e.attempt} of cycle ${e.cycle} ${formatDurationMs(nsToMs(at(e) - at(previous)))} after attempt ${previous.attempt} of cycle ${previous.cycle}, which never reached data transfer; expected the next slot, ${formatDurationMs(t.linkRetryMs)} apart (no reconnect storm)`,
            fromNs: at(previous),
            atNs: at(e),
            events: life.events.filter((x) => x.type === 'acd-link' && at(x) >= at(previous!) && at(x) <= at(e)),
            // A timer that fired L late pulls the next slot's attempt L closer, no more.
            excessNs: retryNs - SCHED - (at(e) - at(previous)),
          });
        } else if (grid && e.attempt > grid.attempt && grid.start.cycle === e.cycle && !dialledLate(e)) {
          const began = grid.attempt === 1 ? `${node}'s Dual-IP cycle ${e.cycle} began` : `${node} dialled attempt ${grid.attempt} late`;
          const window = w.dualIpAttempt(f.site, { ns: at(grid.start), label: began }, e.attempt, grid.attempt);
          const offMs = nsToMs(at(e) - at(grid.start));
          // The grid's first attempt may itself have come up to the late tolerance after its slot (its event carries
          // no slot), and the later ones keep to the grid: early by as much is on time.
          if (offMs < window.fromMs - w.SCHEDULING_MS || offMs > window.toMs)
            found.push({
              key: 'a Dual-IP step off its slot',
              message: `${node} began attempt ${e.attempt} ${formatDurationMs(offMs)} after ${grid.attempt === 1 ? 'its cycle began' : `attempt ${grid.attempt}, dialled late`}; expected ${windowWords(window)}`,
              fromNs: at(grid.start),
              atNs: at(e),
              events: [grid.start, e],
              excessNs: msToNs(Math.max(window.fromMs - w.SCHEDULING_MS - offMs, offMs - window.toMs)),
            });
        }
        if (e.attempt === 1 || dialledLate(e)) grid = { start: e, attempt: e.attempt };
        previous = e;
        reachedData = false;
      }
    }
  }
  return found;
}

/** The ESS goes ACTIVE no later than its no-service timeout after it began timing, and resets for essReset. */
function essTimings(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  const paused = inForce(f, ['pause'], ['ess']);
  const events = f.timeline.events(is.type('ess'));
  events.forEach((e, i) => {
    const before = events[i - 1];
    if (!before || within(paused, at(e)) || within(paused, at(before))) return;
    const window =
      e.state === 'ACTIVE' && before.state === 'NO_SERVICE_TIMING'
        ? w.essActiveFromLoss(f.site, { ns: at(before), label: 'the ESS began its no-service timing' })
        : before.state === 'RESETTING' && is.essResetDone()(e)
          ? w.essReset(f.site, { ns: at(before), label: 'the ESS began resetting' })
          : null;
    if (!window) return;
    const offMs = nsToMs(at(e) - at(before));
    if (offMs > window.toMs)
      found.push({
        key: 'an ESS step late',
        message: `the ESS went ${e.state} ${formatDurationMs(offMs)} after it ${before.state === 'RESETTING' ? 'began resetting' : 'began its no-service timing'}; expected ${windowWords(window)}`,
        fromNs: at(before),
        atNs: at(e),
        events: [before, e],
        excessNs: msToNs(offMs - window.toMs),
      });
  });
  return found;
}

/** An automatic failback hands over within one heartbeat exchange. */
function handoverTimings(f: ExecutionFacts): Found[] {
  const found: Found[] = [];
  for (const decision of f.timeline.events(is.autoFailback())) {
    const label = 'the primary took the ACTIVE role back';
    const heard = f.timeline.last(is.takeoverHeard(), { atOrBeforeNs: at(decision) });
    const from = heard ? handoverStart(f.timeline, heard, label) : { ns: at(decision), label };
    if (!from) continue;
    const window = w.handoverDualActive(f.site, from);
    const dueNs = from.ns + msToNs(window.toMs);
    if (dueNs > f.endNs) continue;
    const standby = f.timeline.first(is.role('cms-secondary', 'STANDBY'), { afterNs: from.ns - SCHED });
    const primaryLeft = f.timeline.first(is.role('cms-primary', 'STANDBY'), { afterNs: decision.ns });
    const operator = f.actions.some((a) => a.accepted && toNs(a.atNs) >= at(decision) && toNs(a.atNs) <= dueNs);
    const secondaryGone = within(unobservable(f, 'cms-secondary'), dueNs);
    if (operator || secondaryGone || (primaryLeft && at(primaryLeft) <= dueNs)) continue;
    if (!standby || at(standby) > dueNs)
      found.push({
        key: 'a failback handover too long',
        message: `the primary took the ACTIVE role back ${words(f, at(decision))} and cms-secondary ${standby ? `went STANDBY ${formatDurationMs(nsToMs(at(standby) - from.ns))} after ${from.ns === at(decision) ? 'that' : from.label}` : 'never went STANDBY'}; expected ${windowWords(window)}`,
        fromNs: at(decision),
        atNs: dueNs,
        events: standby ? [decision, standby] : [decision],
        excessNs: (standby ? at(standby) : f.endNs) - dueNs,
      });
  }
  return found;
}
