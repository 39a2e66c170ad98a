// What an expectation judges once it has waited long enough, each a pure function of the timeline (and a status or
// two): the sentence the report shows and whether it holds. The expectations wait, measure and record; these judge.

import type { AdminView, AlarmName, CmsName, HaRole, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { msToNs, nsToMs } from '../core/clock.js';
import type { EventOfType } from '../core/model.js';
import { formatDurationMs } from '../core/format.js';
import type { ScaledSite } from '../core/site-config.js';
import { activeAt, alarmAt, CMS_NODES, dualActiveSpans, is, isObservableAt, linkAt, roleAt, sessionSpans } from '../observe/site-state.js';
import { clipSpans, overlapSpans } from '../observe/spans.js';
import type { Stamped, Timeline } from '../observe/timeline.js';
import { peerOf } from './facts.js';
import * as w from './windows.js';
import { instantWords } from './words.js';

/** One checked sentence: what was seen, whether it is what was expected. */
export interface Sentence {
  ok: boolean;
  text: string;
}

/** An administration change as the site made it. */
export interface AdminChange {
  origin: CmsName;
  seq: number;
  changedNs: bigint;
}

/** An observed stretch of time with what it counts from ("the observation 6.5 s long after cms-primary killed"). */
export interface ObservedSpan extends w.Anchor {
  fromNs: bigint;
  toNs: bigint;
}

/** A stretch with both CMS ACTIVE: from, to (null while it lasts), and how long (null while it lasts). */
export interface DualActiveStretch {
  fromNs: bigint;
  toNs: bigint | null;
  lengthMs: number | null;
}

const spanWords = (span: ObservedSpan): string => formatDurationMs(nsToMs(span.toNs - span.fromNs));

// ---------------------------------------------------------------------------------------------------------------
// Roles and heartbeats

/** Each node kept its role throughout the span: the role it had at its start, and no change until its end. */
export function keptRoles(tl: Timeline, roles: Partial<Record<CmsName, HaRole>>, span: ObservedSpan, startNs: bigint): Sentence[] {
  return (Object.entries(roles) as Array<[CmsName, HaRole]>).map(([node, role]) => {
    const start = roleAt(tl, node, span.fromNs);
    const change = tl.first((e) => is.role(node)(e) && e.role !== role && e.ns <= span.toNs, { afterNs: span.fromNs + 1n });
    const words = `the observation ${spanWords(span)} long after ${span.label}`;
    if (start !== role)
      return { ok: false, text: `${node} was ${start ?? 'of no known role'} at the start of ${words}; expected ${role} throughout` };
    if (change?.type === 'role')
      return {
        ok: false,
        text: `${node} became ${change.role} ${instantWords(change.ns, startNs, span)}; expected ${role} throughout ${words}`,
      };
    return { ok: true, text: `${node} stayed ${role} throughout ${words}` };
  });
}

/** Each node held its role from `fromNs` to `untilNs` (a decision holding for a heartbeat round). */
export function heldRoles(
  tl: Timeline,
  roles: Record<CmsName, HaRole>,
  fromNs: bigint,
  untilNs: bigint,
  anchor: w.Anchor,
  startNs: bigint,
): Sentence[] {
  return (Object.entries(roles) as Array<[CmsName, HaRole]>).map(([node, role]) => {
    const flip = tl.first((e) => is.role(node)(e) && e.role !== role && e.ns <= untilNs, { afterNs: fromNs });
    return flip?.type === 'role'
      ? { ok: false, text: `${node} flipped to ${flip.role} ${instantWords(flip.ns, startNs, anchor)}` }
      : { ok: true, text: `${node} held ${role} for a heartbeat round after the decision` };
  });
}

/** `node` had `role` at `ns`. */
export function roleAtInstant(tl: Timeline, node: CmsName, role: HaRole, ns: bigint, anchor: w.Anchor, startNs: bigint): Sentence {
  const actual = roleAt(tl, node, ns);
  return {
    ok: actual === role,
    text: `${node} was ${actual ?? 'of no known role'} ${instantWords(ns, startNs, anchor)}; expected ${role}`,
  };
}

/** Every heartbeat of the secondary during the span was answered, at least one per interval (less one). */
export function answeredHeartbeats(tl: Timeline, span: ObservedSpan, intervalMs: number): Sentence {
  const within = (e: Stamped) => e.ns >= span.fromNs && e.ns <= span.toNs;
  const missed = tl.events((e) => is.heartbeat('missed', 'cms-secondary')(e) && within(e));
  const answered = tl.events((e) => is.heartbeat('answered', 'cms-secondary')(e) && within(e));
  const expected = Math.floor(nsToMs(span.toNs - span.fromNs) / intervalMs) - 1;
  return {
    ok: missed.length === 0 && answered.length >= expected,
    text: `${answered.length} heartbeats answered and ${missed.length} missed during the observation after ${span.label}; expected at least ${expected} answered (one per ${formatDurationMs(intervalMs)}) and none missed`,
  };
}

/** The secondary's heartbeats sent during the span: the events, and whether there was one per interval. */
export function beatsSent(
  tl: Timeline,
  span: ObservedSpan,
  intervalMs: number,
): { sent: Array<Stamped<EventOfType<'heartbeat'>>>; count: Sentence } {
  const sent = tl.events(is.heartbeat('sent', 'cms-secondary')).filter((e) => e.ns >= span.fromNs && e.ns <= span.toNs);
  const expected = Math.floor(nsToMs(span.toNs - span.fromNs) / intervalMs);
  return {
    sent,
    count: { ok: sent.length >= expected, text: `${sent.length} heartbeats sent in ${spanWords(span)}; expected at least ${expected}` },
  };
}

/** Exactly one observable CMS was ACTIVE at `atNs` (`node` when given); an unobservable one is not counted. */
export function exactlyOneActive(tl: Timeline, atNs: bigint, startNs: bigint, node?: CmsName): Sentence {
  const { active, unobservable } = activeAt(tl, atNs);
  const excluded = unobservable.length === 0 ? '' : ` (${unobservable.join(' and ')} unobservable, not counted)`;
  const fact = active.length === 0 ? 'no CMS was ACTIVE' : `${active.join(' and ')} ${active.length === 1 ? 'was' : 'were'} ACTIVE`;
  return {
    ok: active.length === 1 && (node === undefined || active[0] === node),
    text: `${fact} ${instantWords(atNs, startNs)}${excluded}; expected exactly one${node ? `: ${node}` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dual-active

/** The stretches with both CMS ACTIVE (each counted while observable) that end after `fromNs`, cut to start there. */
export function dualActiveAfter(tl: Timeline, fromNs: bigint): DualActiveStretch[] {
  return dualActiveSpans(tl)
    .filter((span) => span.toNs === null || span.toNs > fromNs)
    .map((span) => {
      const start = span.fromNs > fromNs ? span.fromNs : fromNs;
      return { fromNs: start, toNs: span.toNs, lengthMs: span.toNs === null ? null : nsToMs(span.toNs - start) };
    });
}

/** There was at least one dual-active stretch after `fromNs`: the first in words, how many more. */
export function showedDualActive(stretches: readonly DualActiveStretch[], fromNs: bigint, startNs: bigint): Sentence {
  const first = stretches[0];
  if (!first)
    return {
      ok: false,
      text: `cms-primary and cms-secondary were never both ACTIVE after ${instantWords(fromNs, startNs)}; expected a dual-active stretch`,
    };
  const length = first.lengthMs === null ? 'still so when checked (measured once it is over)' : `for ${formatDurationMs(first.lengthMs)}`;
  const more = stretches.length > 1 ? `, and in ${stretches.length - 1} more stretch(es)` : '';
  return {
    ok: true,
    text: `cms-primary and cms-secondary were both ACTIVE from ${instantWords(first.fromNs, startNs)}, ${length}${more}`,
  };
}

/** Never were both CMS ACTIVE (each counted while observable) between `startNs` and `endNs`. */
export function noDualActive(tl: Timeline, startNs: bigint, endNs: bigint): Sentence {
  const first = clipSpans(dualActiveSpans(tl), startNs, endNs)[0];
  return first === undefined
    ? { ok: true, text: 'cms-primary and cms-secondary were never both ACTIVE' }
    : {
        ok: false,
        text: `cms-primary and cms-secondary were both ACTIVE for ${formatDurationMs(nsToMs(first.toNs - first.fromNs))} from ${instantWords(first.fromNs, startNs)}; expected never`,
      };
}

/** `node` had DUAL_ACTIVE raised at `atNs` (a returning primary that stays ACTIVE beside the ACTIVE secondary). */
export function dualActiveRaisedAt(tl: Timeline, node: CmsName, atNs: bigint, anchor: w.Anchor, startNs: bigint): Sentence {
  const raised = alarmAt(tl, node, 'DUAL_ACTIVE', atNs);
  return raised
    ? { ok: true, text: `${node} had DUAL_ACTIVE raised ${instantWords(atNs, startNs, anchor)}` }
    : {
        ok: false,
        text: `${node} had no DUAL_ACTIVE raised ${instantWords(atNs, startNs, anchor)}, staying ACTIVE beside the ACTIVE secondary`,
      };
}

/** No node raised `alarm` after `startNs`. */
export function notRaised(tl: Timeline, alarm: AlarmName, startNs: bigint): Sentence {
  const raised = tl.first(is.alarm(alarm, true), { afterNs: startNs });
  return raised
    ? { ok: false, text: `${raised.node} raised ${alarm} ${instantWords(raised.ns, startNs)}; expected no ${alarm}` }
    : { ok: true, text: `no node raised ${alarm}` };
}

// ---------------------------------------------------------------------------------------------------------------
// ACD links and data

/** `node` stayed in data transfer with the main CM throughout the span, with no data gap. */
export function keptAcdLink(tl: Timeline, node: CmsName, span: ObservedSpan, startNs: bigint): Sentence {
  const link = linkAt(tl, node, span.fromNs);
  const change = tl.first((e) => is.type('acd-link', node)(e) && e.ns <= span.toNs, { afterNs: span.fromNs + 1n });
  const gap = tl.first((e) => is.gap(node)(e) && e.ns <= span.toNs, { afterNs: span.fromNs });
  const ok = link?.state === 'DATA_TRANSFER' && link.target === 'cm' && !change && !gap;
  const fact = ok
    ? `${node} stayed in data transfer with cm, with no data gap`
    : change?.type === 'acd-link'
      ? `${node}'s ACD link went ${change.state} ${instantWords(change.ns, startNs, span)}`
      : gap
        ? `${node} had an ACD data gap ${instantWords(gap.ns, startNs, span)}`
        : `${node}'s ACD link was ${link?.state ?? 'unknown'} with ${link?.target ?? 'nothing'} at ${span.label}`;
  return { ok, text: `${fact} (observation of ${spanWords(span)} after ${span.label}); expected data transfer with cm throughout, no gap` };
}

/** `node` counted no ACD data gap in the whole timeline (`startNs` only words the instant). */
export function noAcdGap(tl: Timeline, node: CmsName, startNs: bigint): Sentence {
  const gaps = tl.events(is.gap(node));
  const missing = gaps.reduce((sum, g) => sum + g.missing, 0);
  const first = gaps[0];
  return first === undefined
    ? { ok: true, text: `${node} had no ACD data gap` }
    : {
        ok: false,
        text: `${node} had ${gaps.length} ACD data gap(s), ${missing} event(s) missing, the first ${instantWords(first.ns, startNs)} (${first.cause}); expected none`,
      };
}

/**
 * `node` counted the time without data while it moved to the ESS as one source-switch gap, at least as long as the
 * silence from the fault to its data transfer with the ESS (`moved`), less one event period and the tolerance.
 */
export function countedOneGapWhileMoving(
  tl: Timeline,
  node: CmsName,
  fault: w.Anchor,
  moved: Stamped | undefined,
  rateHz: number,
): Sentence {
  const silenceMs = moved ? nsToMs(moved.ns - fault.ns) : null;
  const period = 1000 / rateHz;
  const gaps = tl.events(is.gap(node)).filter((e) => e.ns >= fault.ns);
  const gap = gaps[0];
  const silence = silenceMs === null ? '?' : formatDurationMs(silenceMs);
  if (!gap)
    return {
      ok: false,
      text: `${node} counted no data gap after the fault; expected one for the ${silence} without data while it moved to the ESS`,
    };
  return {
    ok: gaps.length === 1 && gap.cause === 'source-switch' && silenceMs !== null && gap.silentMs >= silenceMs - period - w.SCHEDULING_MS,
    text: `${node} counted ${gaps.length} gap(s) after the fault, the first ${gap.missing} event(s) over ${formatDurationMs(gap.silentMs)} (${gap.cause}); expected one source-switch gap of at least the ${silence} without data`,
  };
}

/**
 * `node` counted one gap after the fault, whose `missing` is the silence times the rate (w.gapMissing): the silence
 * from the fault to the data transfer it resumed in (`resumed`), each end known to an event period and the fault's request.
 */
export function countedGap(tl: Timeline, node: CmsName, fault: w.FaultAnchor, resumed: Stamped, site: ScaledSite): Sentence {
  const silenceMs = nsToMs(resumed.ns - fault.ns);
  const bound = w.gapMissing(site, silenceMs, fault.requestMs + 2000 / site.timers.acdEventRateHz);
  const gaps = tl.events(is.gap(node)).filter((e) => e.ns >= fault.ns);
  const gap = gaps[0];
  const expected = `${bound.expected} ± ${bound.slack} event(s) (${bound.formula})`;
  if (!gap) return { ok: false, text: `${node} counted no data gap after ${fault.label}; expected one of ${expected}` };
  return {
    ok: gaps.length === 1 && Math.abs(gap.missing - bound.expected) <= bound.slack,
    text: `${node} counted ${gaps.length} gap(s) after ${fault.label}, the first ${gap.missing} event(s) missing over ${formatDurationMs(gap.silentMs)} (${gap.cause}); expected one gap of ${expected}`,
  };
}

/** `node`'s ACD link was down at `atNs` (cycling through Dual-IP), and it raised ACD_LINK_DOWN after `startNs`. */
export function acdLinkDown(tl: Timeline, node: CmsName, atNs: bigint, startNs: bigint): Sentence[] {
  const link = linkAt(tl, node, atNs);
  const alarm = tl.first(is.alarm('ACD_LINK_DOWN', true, node), { afterNs: startNs });
  return [
    { ok: link !== null && link.state !== 'DATA_TRANSFER', text: `${node}'s ACD link was ${link?.state ?? 'unknown'}; expected it down` },
    alarm
      ? { ok: true, text: `${node} raised ACD_LINK_DOWN ${instantWords(alarm.ns, startNs)}` }
      : { ok: false, text: `${node} never raised ACD_LINK_DOWN` },
  ];
}

/** Both CMS were fed the one stream of the main CM: both received events, their last ones a status round trip apart. */
export function sameData(primary: StandinStatus, secondary: StandinStatus, rateHz: number): Sentence {
  // Read one after the other, the two last sequence numbers differ by at most the events of one status round trip.
  const slack = Math.ceil(rateHz / 2) + 1;
  const a = primary.acdData;
  const b = secondary.acdData;
  return {
    ok: a !== undefined && b !== undefined && a.received > 0 && b.received > 0 && Math.abs(a.lastSeq - b.lastSeq) <= slack,
    text: `cms-primary received ${a?.received ?? 0} events up to ${a?.lastSeq ?? '?'}, cms-secondary ${b?.received ?? 0} up to ${b?.lastSeq ?? '?'}; expected both fed, within ${slack} events of each other`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The ESS

/** By the servers' own sessions, no CMS was linked to the main CM and the ESS at once. */
export function neverLinkedBoth(tl: Timeline, startNs: bigint): Sentence[] {
  return CMS_NODES.map((node) => {
    const both = overlapSpans(sessionSpans(tl, 'cm', node), sessionSpans(tl, 'ess', node))[0];
    const sessions = tl.events((e) => e.type === 'acd-session' && e.cms === node).length;
    return both
      ? { ok: false, text: `${node} had a session with cm and one with ess at once, from ${instantWords(both.fromNs, startNs)}` }
      : { ok: true, text: `${node} never had a session with cm and ess at once (${sessions} session events of the two servers)` };
  });
}

/** The ESS is in `state`, serving exactly these CMS. */
export function essShows(ess: StandinStatus, state: 'STANDBY' | 'ACTIVE', serving: readonly CmsName[]): Sentence {
  const linked = [...(ess.linkedCms ?? [])].sort();
  return {
    ok: ess.ess?.state === state && JSON.stringify(linked) === JSON.stringify([...serving].sort()),
    text: `the ESS was ${ess.ess?.state ?? 'of no known state'} serving ${linked.join(', ') || 'no CMS'}; expected ${state} serving ${serving.join(', ') || 'no CMS'}`,
  };
}

/** The ESS stayed ACTIVE from `essActiveNs` to `untilNs`, past its scheduled return, while the main CM was down. */
export function stayedEssActive(tl: Timeline, essActiveNs: bigint, untilNs: bigint, scheduleMs: number, startNs: bigint): Sentence {
  const left = tl.first((e) => is.type('ess')(e) && e.state !== 'ACTIVE' && e.ns <= untilNs, { afterNs: essActiveNs + 1n });
  return left?.type === 'ess'
    ? {
        ok: false,
        text: `the ESS went ${left.state} ${instantWords(left.ns, startNs, { ns: essActiveNs, label: 'it went ACTIVE' })} while the main CM was still down; expected it to wait for the CM`,
      }
    : {
        ok: true,
        text: `the ESS stayed ACTIVE ${formatDurationMs(nsToMs(untilNs - essActiveNs))} after going ACTIVE, past its scheduled return at ${formatDurationMs(scheduleMs)}, while the main CM was down`,
      };
}

/**
 * No pre-emptive return (DESIGN §1 Dual-IP): `node`, in data transfer with the ESS at the span's start, stays there
 * while its ESS link is up, even once the main CM is back. Leaving is allowed once the ESS dropped it (left ACTIVE) or
 * could not be observed.
 */
export function stayedOnEss(tl: Timeline, node: CmsName, span: ObservedSpan, startNs: bigint): Sentence {
  const at = linkAt(tl, node, span.fromNs);
  const words = `the observation ${spanWords(span)} long after ${span.label}`;
  if (at?.state !== 'DATA_TRANSFER' || at.target !== 'ess')
    return {
      ok: false,
      text: `${node}'s ACD link was ${at?.state ?? 'unknown'} with ${at?.target ?? 'nothing'} at ${span.label}; expected data transfer with the ESS`,
    };
  const left = tl.first((e) => is.type('acd-link', node)(e) && e.ns <= span.toNs, { afterNs: span.fromNs + 1n });
  if (left?.type !== 'acd-link') return { ok: true, text: `${node} stayed in data transfer with the ESS throughout ${words}` };
  const dropped = tl.first((e) => is.type('ess')(e) && e.state !== 'ACTIVE' && e.ns <= left.ns, { afterNs: span.fromNs });
  if (dropped?.type === 'ess' || !isObservableAt(tl, 'ess', left.ns))
    return {
      ok: true,
      text: `${node} stayed on the ESS until the ESS dropped its link (${dropped?.type === 'ess' ? dropped.state : 'unobservable'})`,
    };
  return {
    ok: false,
    text: `${node} left the ESS (${left.state} with ${left.target}) ${instantWords(left.ns, startNs, span)} while the ESS was still ACTIVE; expected it to stay there while its ESS link is up (no pre-emptive return) throughout ${words}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Admin-Sync

/** The other CMS applied each change exactly once. */
export function appliedEachOnce(tl: Timeline, changes: readonly AdminChange[]): Sentence[] {
  return changes.map((change) => {
    const peer = peerOf(change.origin);
    const applied = tl.events(is.admin(peer, 'applied', change.seq, change.origin)).length;
    return { ok: applied === 1, text: `change ${change.seq} of ${change.origin} was applied ${applied} time(s) on ${peer}; expected once` };
  });
}

/** None of the held changes reached the other CMS; `held` says why they had to wait (the link down, by default). */
export function heldAdminChanges(tl: Timeline, changes: readonly AdminChange[], held = 'while the link was down'): Sentence {
  const origin = changes[0]?.origin ?? 'cms-primary';
  const peer = peerOf(origin);
  const applied = tl.events(is.admin(peer, 'applied', undefined, origin)).filter((e) => changes.some((c) => c.seq === e.changeSeq));
  return applied.length === 0
    ? { ok: true, text: `none of ${changes.length} change(s) reached ${peer} ${held}` }
    : { ok: false, text: `${applied.length} change(s) reached ${peer} ${held}; expected none` };
}

/** The other CMS applied the changes of `origin` in order, each once. */
export function appliedInOrder(tl: Timeline, origin: CmsName): Sentence {
  const peer = peerOf(origin);
  const applied = tl.events(is.admin(peer, 'applied', undefined, origin)).map((e) => e.changeSeq);
  return {
    ok: applied.every((seq, i) => i === 0 || seq === applied[i - 1]! + 1),
    text: `${peer} applied the changes of ${origin} in the order ${applied.join(', ')}; expected each once, in order`,
  };
}

/** `node` cleared the alarm after the heal (`cleared` the event, if any). */
export function clearedAfter(node: NodeName, alarm: AlarmName, cleared: Stamped | undefined, heal: w.Anchor, startNs: bigint): Sentence {
  return cleared
    ? { ok: true, text: `${node} cleared ${alarm} ${instantWords(cleared.ns, startNs, heal)}` }
    : { ok: false, text: `${node} never cleared ${alarm} after the drain` };
}

// ---------------------------------------------------------------------------------------------------------------
// The site model's rules: a switchover's dual-active, what each CMS holds of the administration, versions

/**
 * Both CMS were ACTIVE only between an operator's set-active and the role command that followed it (a planned
 * switchover in the "active first" order), never otherwise, between `startNs` and `endNs`.
 */
export function dualActiveOnlyBetweenCommands(
  tl: Timeline,
  commands: ReadonlyArray<{ action: string; atNs: bigint; doneNs: bigint }>,
  startNs: bigint,
  endNs: bigint,
): Sentence {
  const allowed = commands
    .map((c, i) => ({ c, next: commands[i + 1] }))
    .filter(({ c }) => c.action === 'set-active')
    .map(({ c, next }) => ({ fromNs: c.atNs, toNs: (next?.doneNs ?? endNs) + msToNs(w.SCHEDULING_MS) }));
  const stray = clipSpans(dualActiveSpans(tl), startNs, endNs).find((s) => !allowed.some((a) => s.fromNs >= a.fromNs && s.toNs <= a.toNs));
  const stretches = clipSpans(dualActiveSpans(tl), startNs, endNs).length;
  return stray
    ? {
        ok: false,
        text: `cms-primary and cms-secondary were both ACTIVE for ${formatDurationMs(nsToMs(stray.toNs - stray.fromNs))} from ${instantWords(stray.fromNs, startNs)}, outside the operator's two commands of a switchover`,
      }
    : { ok: true, text: `both CMS were ACTIVE only between the operator's two commands (${stretches} stretch(es))` };
}

/**
 * After a conflict on `object`: both CMS hold the winner's value, and each has a conflict record keeping the losing
 * value (two CMS never silently hold different values for one object).
 */
export function conflictConverged(
  views: ReadonlyArray<AdminView>,
  object: string,
  expected: { winner: CmsName; value: string; lost: string },
): Sentence[] {
  return views.map((view) => {
    const held = view.objects[object]?.value;
    const record = view.conflicts.find((c) => c.object === object);
    const ok =
      held === expected.value && record?.lost === expected.lost && record.winner === expected.winner && !view.unresolved.includes(object);
    const recordWords = record ? `a conflict record keeping "${record.lost}" (winner ${record.winner})` : 'no conflict record';
    return {
      ok,
      text: `${view.node} holds "${object}" = ${held === undefined ? 'nothing' : `"${held}"`} with ${recordWords}${view.unresolved.includes(object) ? ', still unresolved' : ''}; expected "${expected.value}" from ${expected.winner}, keeping "${expected.lost}"`,
    };
  });
}

/** `node` runs `version`, as its status says. */
export function runsVersion(status: StandinStatus, version: string): Sentence {
  return {
    ok: status.version === version,
    text: `${status.node} runs version ${status.version ?? 'unknown'}; expected ${version}`,
  };
}

/** `node` raised `alarm` after `startNs` and did not clear it until `atNs`. */
export function keptRaised(tl: Timeline, node: NodeName, alarm: AlarmName, startNs: bigint, atNs: bigint): Sentence {
  const raised = tl.first(is.alarm(alarm, true, node), { afterNs: startNs });
  if (!raised) return { ok: false, text: `${node} never raised ${alarm}; expected it raised throughout` };
  const cleared = tl.first((e) => is.alarm(alarm, false, node)(e) && e.ns <= atNs, { afterNs: raised.ns + 1n });
  return cleared
    ? {
        ok: false,
        text: `${node} cleared ${alarm} ${instantWords(cleared.ns, startNs, { ns: raised.ns, label: 'it was raised' })}; expected it raised throughout`,
      }
    : {
        ok: true,
        text: `${node} kept ${alarm} raised from ${instantWords(raised.ns, startNs)} for ${formatDurationMs(nsToMs(atNs - raised.ns))}`,
      };
}
