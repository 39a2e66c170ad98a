// The ESS takeover and return: the ESS going ACTIVE after its no-service timeout, the CMS moving to it at their
// Dual-IP step and staying there (no pre-emptive return), never linked to both switches, and the way back to the CM.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs } from '../core/clock.js';
import { cycleStart, essLoss } from '../check/anchors.js';
import { essShows, neverLinkedBoth, stayedEssActive, stayedOnEss } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { is } from '../observe/site-state.js';
import type { Stamped } from '../observe/timeline.js';
import { acdLinkOf } from './acd-link.js';
import type { Expectations, FromFault } from './context.js';
import { eventWithin, holdsThroughout, stateNow } from './shapes.js';

/** The ESS becomes ACTIVE: its no-service timeout after its own loss of the main CM, and from the fault. */
export async function toActivateEss(x: Expectations, options: FromFault = {}): Promise<bigint> {
  const fault = x.trigger('the ESS takeover', options.from);
  const fact = 'the ESS became ACTIVE';
  const active = await eventWithin(x, is.ess('ACTIVE'), {
    what: 'the ESS to become ACTIVE',
    afterNs: fault.ns,
    windows: [w.essActiveFromFault(x.scaled, fault)],
    fact,
    never: 'the ESS never became ACTIVE',
    also: (event) => {
      const loss = essLoss(x.tl, fault.ns);
      if (loss) return [x.measure(w.essActiveFromLoss(x.scaled, loss), event, fact)];
      return [{ ok: false, text: 'the ESS became ACTIVE without first timing the main CM’s loss (no NO_SERVICE_TIMING)' }];
    },
  });
  return active.ns;
}

/** `node` is in data transfer with the ESS at the first ESS step of its Dual-IP grid after the ESS went ACTIVE. */
export async function toMoveToEss(x: Expectations, node: CmsName, essActiveNs: bigint, options: FromFault = {}): Promise<void> {
  const fault = x.trigger('the move to the ESS', options.from);
  const begun = cycleStart(x.tl, node, fault.ns) ?? x.fail(`${node} began no Dual-IP cycle after the fault`, null);
  const budget = x.budget('ESS takeover budget', 'the CMS is in data transfer with the ESS', 'essTakeoverMs', fault);
  await eventWithin(x, is.acdLink(node, 'DATA_TRANSFER', 'ess'), {
    what: `${node} in data transfer with the ESS`,
    afterNs: fault.ns,
    windows: [w.cmsReachesEss(x.scaled, begun, nsToMs(essActiveNs - begun.ns)), ...budget],
    fact: `${node} in data transfer with the ESS`,
    never: `${node} never reached data transfer with the ESS`,
  });
}

/**
 * No pre-emptive return: `node`, on the ESS, stays there while its ESS link is up, even once the main CM is back;
 * watched from the last heal (the CM back; else from now) for a Dual-IP cycle and a pump-up (w.noPreemptiveReturnMs),
 * or until the end of the scenario.
 */
export async function toStayOnEss(x: Expectations, node: CmsName, options: { until?: 'observation' | 'end' } = {}): Promise<void> {
  const heal = x.site.lastHeal;
  await holdsThroughout(x, {
    ...options,
    start: heal ? { ns: heal.ns + msToNs(heal.requestMs), label: heal.label } : { ns: nowNs(), label: 'the start of the observation' },
    lengthMs: w.noPreemptiveReturnMs(x.scaled),
    judge: (span) => [stayedOnEss(x.tl, node, span, x.ev.startNs)],
  });
}

/** Over the whole test, by the servers' own sessions, no CMS was ever linked to the main CM and the ESS at once. */
export async function toNeverLinkBoth(x: Expectations): Promise<void> {
  await stateNow(x, () => neverLinkedBoth(x.tl, x.ev.startNs));
}

/** When the ESS resets it drops its CMS links: `node` begins a new cycle at the main CM, in data transfer one pump-up later. */
export async function toReturnToCm(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const loss = await leftEss(x, node, x.faultNs(options.from) ?? x.ev.startNs);
  await eventWithin(x, is.acdLink(node, 'DATA_TRANSFER', 'cm'), {
    what: `${node} in data transfer with cm`,
    afterNs: loss.ns,
    windows: [w.pumpup(x.scaled, { ns: loss.ns, label: `${node} lost the ESS and began a new cycle at cm` }, acdLinkOf(node))],
    fact: `${node} back in data transfer with cm`,
    never: `${node} never returned to data transfer with cm`,
  });
}

/** The ESS began resetting (after the forced takeover or the heal) and `node` lost it, beginning a new cycle at cm. */
async function leftEss(x: Expectations, node: CmsName, sinceNs: bigint): Promise<Stamped> {
  // After a forced takeover the ESS resets at once; after a heal, at its next redial: one keepaliveInterval.
  const heal = x.site.lastHeal;
  const cause = x.site.lastOperator?.ns ?? (heal ? heal.ns + msToNs(heal.requestMs) : nowNs());
  const resetting = await eventWithin(x, is.ess('RESETTING'), {
    what: 'the ESS to begin resetting',
    afterNs: sinceNs,
    untilNs: cause + msToNs(x.t.keepaliveIntervalMs + w.SCHEDULING_MS),
    never: `${node} cannot return to the main CM: the ESS never began resetting`,
  });
  return eventWithin(x, is.cycleStart(node), {
    what: `${node} to leave the ESS`,
    afterNs: resetting.ns,
    untilNs: resetting.ns + msToNs(w.SCHEDULING_MS + x.t.keepaliveMisses * x.t.keepaliveIntervalMs),
    never: `${node} never left the ESS after it began resetting`,
  });
}

/** The ESS resets after the forced takeover and is back in STANDBY after its reset time. */
export async function toResetEss(x: Expectations): Promise<void> {
  const op = x.site.lastOperator ?? x.fail('toResetEss needs the forced takeover first', null);
  const resetting = await eventWithin(x, is.ess('RESETTING'), {
    what: 'the ESS to begin resetting',
    afterNs: op.ns,
    untilNs: op.ns + msToNs(x.t.keepaliveIntervalMs),
    never: 'the ESS never began resetting after the forced takeover',
  });
  await eventWithin(x, is.ess('STANDBY'), {
    what: 'the ESS back in STANDBY',
    afterNs: resetting.ns,
    windows: [w.essReset(x.scaled, { ns: resetting.ns, label: 'the ESS began resetting' })],
    fact: 'the ESS was back in STANDBY',
    never: 'the ESS never returned to STANDBY',
  });
}

/** The ESS is in `state` now, serving exactly these CMS. */
export async function toShowEss(x: Expectations, state: 'STANDBY' | 'ACTIVE', options: { serving: CmsName[] }): Promise<void> {
  await stateNow(x, async () => [essShows(await x.site.status('ess'), state, options.serving)]);
}

/** A scheduled ESS return does not fire while the main CM is unreachable: still ACTIVE one redial period past it. */
export async function toKeepEssActivePastItsSchedule(x: Expectations, essActiveNs: bigint): Promise<void> {
  const scheduleMs = x.scaled.policy.essAutoReturnMs ?? x.fail('toKeepEssActivePastItsSchedule needs policy.essAutoReturnMs', null);
  const untilNs = essActiveNs + msToNs(scheduleMs + x.t.keepaliveIntervalMs + w.SCHEDULING_MS);
  await x.untilObserved(untilNs);
  x.verdicts([stayedEssActive(x.tl, essActiveNs, untilNs, scheduleMs, x.ev.startNs)]);
}

/** Once the main CM is back, the ESS, past its schedule, begins its return at its next redial. */
export async function toReturnEssOnceCmIsBack(x: Expectations): Promise<void> {
  const heal = x.site.lastHeal ?? x.fail('toReturnEssOnceCmIsBack needs the main CM back (a heal) first', null);
  await eventWithin(x, is.ess('RESETTING'), {
    what: 'the ESS to begin its return',
    afterNs: heal.ns,
    windows: [w.essReturnOnceCmBack(x.scaled, { ...heal, label: 'the main CM was back' })],
    fact: 'the ESS began its scheduled return',
    never: 'the ESS never began its return',
  });
}
