// The protocol events that start each timing, found on the timeline: the first unanswered heartbeat, the start of a
// Dual-IP cycle, the ESS's own loss of the main CM, the first heartbeat a returning primary hears. Windows count from these.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import type { EventOfType } from '../core/model.js';
import { is } from '../observe/site-state.js';
import type { Stamped, Timeline } from '../observe/timeline.js';
import type { Anchor } from './windows.js';

/**
 * The slot of a heartbeat on the secondary's fixed grid: when it was due, not when its timer fired. The beats after
 * it stay on the grid, so the protocol's timings count from the slot; a late timer is late, never early.
 */
export function beatSlot(sent: Stamped<EventOfType<'heartbeat'>>, label: string): Anchor {
  const lateMs = sent.lateMs ?? 0;
  return {
    ns: sent.ns - msToNs(lateMs),
    label: lateMs >= 1 ? `${label} (its slot; the beat went out ${Math.round(lateMs)} ms late)` : label,
  };
}

/**
 * The first heartbeat the secondary sent that went unanswered, at or after `afterNs` (the fault): the beat whose
 * `missed` is the first at or after it. A beat in flight when the fault hit counts: it is the first unanswered one.
 */
export function firstUnansweredBeat(timeline: Timeline, afterNs: bigint): (Anchor & { beat: number }) | null {
  const miss = timeline.first(is.heartbeat('missed', 'cms-secondary'), { afterNs });
  if (!miss) return null;
  const sent = timeline.last(is.heartbeat('sent', 'cms-secondary', miss.beat), { atOrBeforeNs: miss.ns });
  if (!sent) return null;
  return { ...beatSlot(sent, `the first unanswered heartbeat (beat ${miss.beat})`), beat: miss.beat };
}

/** The start of the Dual-IP cycle a CMS began when it lost its link at or after `afterNs`: attempt 1 of that cycle. */
export function cycleStart(
  timeline: Timeline,
  node: CmsName,
  afterNs: bigint,
): (Anchor & { event: Stamped<EventOfType<'acd-link'>> }) | null {
  const event = timeline.first(is.cycleStart(node), { afterNs });
  if (!event) return null;
  return { ns: event.ns, label: `${node}'s Dual-IP cycle ${event.cycle} began`, event };
}

/** The ESS's own loss of the main CM: it starts its no-service timing. */
export function essLoss(timeline: Timeline, afterNs: bigint): Anchor | null {
  const event = timeline.first(is.ess('NO_SERVICE_TIMING'), { afterNs });
  return event ? { ns: event.ns, label: 'the ESS lost the main CM (no-service timing began)' } : null;
}

/** The first heartbeat the primary received after `afterNs` from a secondary that took over. */
export function firstTakeoverBeatHeard(
  timeline: Timeline,
  afterNs: bigint,
): (Anchor & { event: Stamped<EventOfType<'heartbeat'>> }) | null {
  const event = timeline.first(is.takeoverHeard(), { afterNs });
  return event
    ? {
        ns: event.ns,
        label: `the first heartbeat the primary heard from the secondary that took over (beat ${event.beat})`,
        event,
      }
    : null;
}

/**
 * Where an automatic failback's handover counts from: the heartbeat on which the primary took the role back, when
 * its answer could still reach the secondary. A beat the secondary had already counted missed (one queued while the
 * primary was paused, read on its resume) gets an answer nobody waits for: the demand rides on the answer to the
 * next beat the secondary sends, so the handover counts from that beat's slot. Null while that beat is not yet seen.
 */
export function handoverStart(timeline: Timeline, heard: Stamped<EventOfType<'heartbeat'>>, label: string): Anchor | null {
  const sent = timeline.last(is.heartbeat('sent', 'cms-secondary', heard.beat), { atOrBeforeNs: heard.ns });
  const missed = sent && timeline.first(is.heartbeat('missed', 'cms-secondary', heard.beat), { afterNs: sent.ns });
  if (!missed || missed.ns > heard.ns) return { ns: heard.ns, label };
  const next = timeline.first(is.heartbeat('sent', 'cms-secondary'), { afterNs: heard.ns });
  return next
    ? beatSlot(
        next,
        `the next heartbeat (beat ${next.beat}): beat ${heard.beat}, heard after the secondary counted it missed, could not carry the demand`,
      )
    : null;
}

/**
 * When the supervisor could first log in to `node`: the later of `node` becoming ACTIVE and the supervisor losing
 * its session, both at or after `afterNs`.
 */
export function supervisorReady(timeline: Timeline, node: CmsName, afterNs: bigint): Anchor | null {
  const active = timeline.first(is.role(node, 'ACTIVE'), { afterNs });
  const lost = timeline.first(is.clientLost(), { afterNs });
  if (!active || !lost) return null;
  const [ns, label] = active.ns >= lost.ns ? [active.ns, `${node} became ACTIVE`] : [lost.ns, 'the supervisor lost its session'];
  return { ns, label: `${label} (the later of the switch and the session loss)` };
}
