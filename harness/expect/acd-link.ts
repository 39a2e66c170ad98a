// ACD links and data: a link lost, kept or back after a heal, the Dual-IP step at which the ESS is tried, a link down
// now, the data both CMS receive, and the data gaps that must or must not be counted.

import type { CmsName, LinkName } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import { cycleStart } from '../check/anchors.js';
import { acdLinkDown, countedGap, countedOneGapWhileMoving, keptAcdLink, noAcdGap, sameData } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { windowWords } from '../check/words.js';
import { is } from '../observe/site-state.js';
import type { Expectations, FromFault, ObserveOptions } from './context.js';
import { eventWithin, holdsThroughout, stateNow } from './shapes.js';

export const acdLinkOf = (node: CmsName): LinkName => (node === 'cms-primary' ? 'acd-primary' : 'acd-secondary');

/** `node` declares its ACD link lost: at once for a refused link, after keep-alive silence for a silent one. */
export async function toLoseAcdLink(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const fault = x.trigger('a link loss', options.from);
  await eventWithin(x, is.acdLink(node, 'CONNECTING'), {
    what: `${node} to declare its ACD link lost`,
    afterNs: fault.ns,
    windows: [fault.mode === 'silent' ? w.silentLinkLoss(x.scaled, fault) : w.resetLinkLoss(fault)],
    fact: `${node} declared its ACD link lost`,
    never: `${node} never declared its ACD link lost`,
  });
}

/** `node` stays in data transfer with the main CM, with no data gap, throughout the no-failover observation. */
export async function toKeepAcdLink(x: Expectations, node: CmsName, options: ObserveOptions = {}): Promise<void> {
  await holdsThroughout(x, { ...options, judge: (span) => [keptAcdLink(x.tl, node, span, x.ev.startNs)] });
}

/** After the last heal `node` is back in data transfer with the main CM within one Dual-IP slot and a pump-up. */
export async function toRestoreAcdLink(x: Expectations, node: CmsName): Promise<void> {
  const heal = x.site.lastHeal ?? x.fail(`toRestoreAcdLink(${node}) needs a heal first`, null);
  await eventWithin(x, is.acdLink(node, 'DATA_TRANSFER', 'cm'), {
    what: `${node} back in data transfer with cm`,
    afterNs: heal.ns,
    windows: [w.acdLinkBack(x.scaled, heal, acdLinkOf(node))],
    fact: `${node} back in data transfer with cm`,
    never: `${node} never returned to data transfer with cm`,
  });
}

/** `node` had no ACD data gap during the test so far. */
export async function toHaveNoAcdGap(x: Expectations, node: CmsName): Promise<void> {
  await stateNow(x, () => [noAcdGap(x.tl, node, x.ev.startNs)]);
}

/** `node` counts the time without data while it moved to another source as one gap, as long as the silence. */
export async function toCountOneGapWhileMoving(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  await x.site.flush();
  const fault = x.trigger('a data gap', options.from);
  const moved = x.tl.first(is.acdLink(node, 'DATA_TRANSFER', 'ess'), { afterNs: fault.ns });
  // The gap is counted on the first event of the new stream: at most one event period after the data transfer
  // began, and one hop.
  if (moved)
    await x.waitEvent(
      is.gap(node),
      fault.ns,
      moved.ns + msToNs(1000 / x.t.acdEventRateHz + w.SCHEDULING_MS),
      `${node} to count the data gap`,
    );
  x.verdicts([countedOneGapWhileMoving(x.tl, node, fault, moved, x.t.acdEventRateHz)]);
}

/**
 * A gap that must exist: `node` counted one gap after the fault (the scenario's, or the one named), whose `missing` is
 * the silence from the fault to its data transfer again times the rate (w.gapMissing). Call it once data flows again.
 */
export async function toCountGap(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  await x.site.flush();
  const fault = x.trigger('a data gap', options.from);
  // Data flows again at the link's next Dual-IP slot and pump-up after the heal (a restarted node's life began then).
  const heal = x.site.lastHeal;
  const link = node === 'cms-primary' ? 'acd-primary' : 'acd-secondary';
  const untilNs = heal && heal.ns >= fault.ns ? x.end(w.acdLinkBack(x.scaled, { ...heal, label: 'the heal' }, link)) : fault.ns;
  const resumed =
    (await x.waitEvent(is.acdLink(node, 'DATA_TRANSFER'), fault.ns, untilNs, `${node} in data transfer again`)) ??
    x.fail(`${node} was not in data transfer again after ${fault.label}: its gap is counted once data flows`, null);
  // As above: counted on the first event of the resumed stream.
  await x.waitEvent(
    is.gap(node),
    fault.ns,
    resumed.ns + msToNs(1000 / x.t.acdEventRateHz + w.SCHEDULING_MS),
    `${node} to count the data gap`,
  );
  x.verdicts([countedGap(x.tl, node, fault, resumed, x.scaled)]);
}

/** `node` tries the ESS first at attempt mainAttempts + 1 of the Dual-IP cycle it began when it lost its link. */
export async function toTryEssAtItsStep(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const attempt = x.t.mainAttempts + 1;
  const begun = await cycleBegun(x, node, x.trigger('a Dual-IP cycle', options.from));
  const window = w.dualIpAttempt(x.scaled, begun, attempt);
  await eventWithin(x, is.attemptStart(node, 'ess'), {
    what: `${node} to try the ESS`,
    afterNs: begun.ns,
    windows: [window],
    fact: (event) => `${node} first tried the ESS (attempt ${event.attempt})`,
    never: `${node} never tried the ESS`,
    expected: `at attempt ${attempt}, ${windowWords(window)}`,
    also: (event) => {
      const text = `${node}'s first ESS attempt was attempt ${event.attempt} of its cycle; expected attempt ${attempt}, after ${x.t.mainAttempts} at the main CM`;
      return [{ ok: event.attempt === attempt, text }];
    },
  });
}

/** The Dual-IP cycle `node` began when it lost its link after the fault, waited for until the latest it can begin. */
async function cycleBegun(x: Expectations, node: CmsName, fault: w.FaultAnchor): Promise<w.Anchor> {
  await eventWithin(x, is.cycleStart(node), {
    what: `${node} to begin a Dual-IP cycle`,
    afterNs: fault.ns,
    untilNs: fault.ns + msToNs(w.cycleStartBoundMs(x.scaled, fault)),
    never: `${node} began no Dual-IP cycle after the fault`,
  });
  return cycleStart(x.tl, node, fault.ns)!;
}

/** `node`'s ACD link is down now (it is cycling through Dual-IP) and it raised ACD_LINK_DOWN. */
export async function toShowAcdLinkDown(x: Expectations, node: CmsName): Promise<void> {
  await stateNow(x, (atNs) => acdLinkDown(x.tl, node, atNs, x.ev.startNs));
}

/** Both CMS receive the one ACD stream of the main CM: the same sequence numbers, read a moment apart. */
export async function toFeedBothCmsTheSameData(x: Expectations): Promise<void> {
  await holdsThroughout(x, {
    from: 'now',
    judge: async () => {
      const [primary, secondary] = await Promise.all([x.site.status('cms-primary'), x.site.status('cms-secondary')]);
      return [sameData(primary, secondary, x.t.acdEventRateHz)];
    },
  });
}
