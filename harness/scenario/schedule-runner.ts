// Runs a schedule on a started site (Jepsen's nemesis: it performs and records, the checkers judge afterwards): each
// step at its phase of the heartbeat cycle or at the protocol event it names, every step recorded with when it was made.

import type { CmsName, NodeName } from '../../images/protocol/index.js';
import { msToNs, nowNs, toMonoNs, toNs, untilNs } from '../core/clock.js';
import { isHarnessError } from '../core/errors.js';
import type { ScheduleStepRecord, TimelineEvent } from '../core/model.js';
import {
  healedAtEnd,
  isAdmin,
  isFault,
  isHeal,
  isOperator,
  isWait,
  stepWords,
  type FaultStep,
  type Placement,
  type PlacementEvent,
  type Schedule,
} from '../core/schedule.js';
import { factsOf } from '../check/facts.js';
import { settledByNs } from '../check/invariants.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { is, linkAt } from '../observe/site-state.js';
import type { Stamped, Timeline } from '../observe/timeline.js';
import { blackhole, cut, isolate, kill, latency, pause, stop, type FaultSpec } from './faults.js';
import type { Site } from './site.js';

/** How many heartbeat cycles an event placement waits for its event by default before the step is made anyway. */
export const DEFAULT_WITHIN_CYCLES = 40;

/** Runs the steps of `schedule` on `site`, every fault still in force healed at the end; records them in the evidence. */
export async function runSchedule(site: Site, schedule: Schedule): Promise<void> {
  const steps = healedAtEnd(schedule).steps;
  const handles = new Map<string, FaultHandle>();
  const records: ScheduleStepRecord[] = [];
  const periodMs = site.scaled.timers.heartbeatIntervalMs;
  site.evidence.setSchedule({ schedule, steps: records });
  // The earliest instant the next step may be made: each step counts from the one before it.
  let cursorNs = nowNs();
  for (const [index, step] of steps.entries()) {
    const words = stepWords(step);
    site.note(`step ${index + 1} of ${steps.length}: ${words}`);
    if (isWait(step)) {
      cursorNs += msToNs(step.wait.cycles * periodMs);
      await untilNs(cursorNs);
      records.push({ index, words, plannedNs: null, madeNs: toMonoNs(cursorNs), event: null, outcome: 'made', detail: '' });
      continue;
    }
    const handle = isHeal(step) ? handles.get(step.heal) : undefined;
    const leadMs = handle && startsAgain(handle) ? site.restartLeadMs : 0;
    const placed = await place(site, step.at, cursorNs, leadMs);
    const record = { index, words, plannedNs: placed.plannedNs === null ? null : toMonoNs(placed.plannedNs), event: placed.event };
    const atNs = placed.plannedNs ?? nowNs() + msToNs(leadMs);
    const blocked = commandBlockedBy(handles, step);
    let made: { madeNs: bigint; outcome: ScheduleStepRecord['outcome']; detail: string };
    if (isFault(step)) {
      await untilNs(atNs);
      const [applied] = await site.inject([faultSpec(step)], 'now');
      handles.set(step.fault, applied!);
      made = { madeNs: applied!.appliedNs, outcome: 'made', detail: applied!.record.id };
    } else if (isHeal(step)) {
      handles.delete(step.heal);
      made = handle
        ? { madeNs: await site.healAt([handle], atNs), outcome: 'made', detail: '' }
        : { madeNs: nowNs(), outcome: 'skipped', detail: `fault ${step.heal} was not in force` };
    } else if (blocked) {
      // An operator's command to a node the schedule killed, stopped or paused reaches nobody: the site, not the
      // harness, decides what follows, so the step is recorded as not made instead of breaking the execution.
      await untilNs(atNs);
      made = { madeNs: nowNs(), outcome: 'skipped', detail: `${blocked.record.target} was down (${blocked.record.kind} in force)` };
    } else {
      await untilNs(atNs);
      const action = isOperator(step)
        ? 'node' in step
          ? await site.act(step.node, { action: step.operator })
          : await site.act('cm', { action: 'forced-takeover' })
        : isAdmin(step)
          ? await site.act(step.admin.node, adminRequest(step.admin.object, step.admin.value), {
              object: step.admin.object,
              value: step.admin.value,
            })
          : null;
      made = action
        ? { madeNs: toNs(action.atNs), outcome: action.accepted ? 'made' : 'refused', detail: action.detail }
        : { madeNs: nowNs(), outcome: 'skipped', detail: 'unknown step' };
    }
    records.push({ ...record, madeNs: toMonoNs(made.madeNs), outcome: made.outcome, detail: made.detail });
    cursorNs = made.madeNs > cursorNs ? made.madeNs : cursorNs;
  }
}

/**
 * The fault in force that keeps an operator's or administration step from reaching its node at all: the node killed,
 * stopped or paused. Undefined for any other step, or a node that answers.
 */
export function commandBlockedBy(handles: ReadonlyMap<string, FaultHandle>, step: Schedule['steps'][number]): FaultHandle | undefined {
  const node: NodeName | null = isOperator(step) ? ('node' in step ? step.node : 'cm') : isAdmin(step) ? step.admin.node : null;
  return [...handles.values()].find(
    (h) => h.record.target === node && h.record.removedNs === null && ['kill', 'stop', 'pause'].includes(h.record.kind),
  );
}

/**
 * Observes the site until every invariant can be judged: the convergence bound after the last move, and one more
 * heartbeat round to see the settled state hold.
 */
export async function observeUntilSettled(site: Site): Promise<void> {
  await site.flush();
  const facts = factsOf(site.evidence.toJSON(), site.scaled);
  if (facts === null) return;
  const untilNs_ = settledByNs(facts);
  site.note(`observing the site settle, until ${(Number(untilNs_ - nowNs()) / 1e9).toFixed(1)} s from now`);
  await untilNs(untilNs_);
  await site.flush();
}

/** The request of an administration change. */
function adminRequest(object: string, value: string) {
  return { action: 'admin-change' as const, object, value };
}

/** The fault a step names, as the scenario form makes it. */
export function faultSpec(step: FaultStep): FaultSpec {
  const node = step.target as NodeName;
  const link = step.target as Parameters<typeof cut>[0];
  const direction = step.direction === undefined ? {} : { direction: step.direction };
  switch (step.kind) {
    case 'kill':
      return kill(node);
    case 'stop':
      return stop(node);
    case 'pause':
      return pause(node);
    case 'isolate':
      return isolate(node);
    case 'cut':
      return cut(link);
    case 'blackhole':
      return blackhole(link, direction);
    case 'latency': {
      const size = step.size ?? 0.5;
      return latency(link, (scaled) => ({ latencyMs: size * scaled.timers.heartbeatTimeoutMs, jitterMs: 0 }), direction);
    }
  }
}

function startsAgain(handle: FaultHandle): boolean {
  return handle.record.kind === 'kill' || handle.record.kind === 'stop';
}

/**
 * When a step is made: at its phase of the heartbeat cycle after the cursor (a replay lands on the same point), or as
 * soon as its protocol event is seen after the cursor (at once, or at the bound when it never comes).
 */
async function place(
  site: Site,
  at: Placement,
  cursorNs: bigint,
  leadMs: number,
): Promise<{ plannedNs: bigint | null; event: ScheduleStepRecord['event'] }> {
  if ('phase' in at) return { plannedNs: site.instantAtPhase(at.phase, cursorNs > nowNs() ? cursorNs : nowNs(), leadMs), event: null };
  const deadlineMs = (at.withinCycles ?? DEFAULT_WITHIN_CYCLES) * site.scaled.timers.heartbeatIntervalMs;
  const name = `${at.event}${at.node ? ` of ${at.node}` : ''}`;
  site.note(`waiting for ${name}`);
  try {
    const seen = await site.timeline.waitFor(placementPredicate(site.timeline, at.event, at.node), {
      afterNs: cursorNs,
      deadlineMs,
      label: name,
    });
    return { plannedNs: null, event: { name, seenNs: seen.atNs } };
  } catch (error) {
    if (!isHarnessError(error, 'TIMEOUT')) throw error;
    return { plannedNs: null, event: { name, seenNs: null } };
  }
}

/** The timeline event a placement waits for. */
export function placementPredicate(timeline: Timeline, event: PlacementEvent, node?: CmsName): (e: Stamped) => boolean {
  const ofNode = (e: TimelineEvent) => node === undefined || e.node === node;
  switch (event) {
    case 'failover':
      return is.role('cms-secondary', 'ACTIVE');
    case 'return':
      return is.takeoverHeard();
    case 'failback-handover':
      return is.autoFailback();
    case 'heartbeat-missed':
      return is.heartbeat('missed', 'cms-secondary');
    case 'dual-active':
      return (e) => is.alarm('DUAL_ACTIVE', true)(e) && ofNode(e);
    case 'link-lost':
      return (e) =>
        e.type === 'acd-link' && e.state !== 'DATA_TRANSFER' && ofNode(e) && linkAt(timeline, e.node, e.ns - 1n)?.state === 'DATA_TRANSFER';
    case 'pumpup':
      return (e) => e.type === 'acd-link' && e.state === 'TRANSLATION_PUMPUP' && ofNode(e);
    case 'dual-ip-cycle':
      return (e) => (e.node === 'cms-primary' || e.node === 'cms-secondary') && is.cycleStart(e.node)(e) && ofNode(e);
    case 'ess-timing':
      return is.ess('NO_SERVICE_TIMING');
    case 'ess-active':
      return is.ess('ACTIVE');
    case 'ess-resetting':
      return is.ess('RESETTING');
  }
}
