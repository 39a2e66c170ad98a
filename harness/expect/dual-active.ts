// Dual-active: both CMS ACTIVE at once (measured, bounded or forbidden), the DUAL_ACTIVE alarm raised and cleared, and
// alarms that must not be raised.

import type { AlarmName, CmsName } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs } from '../core/clock.js';
import { dualActiveAfter, noDualActive, notRaised, showedDualActive, type DualActiveStretch } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { is } from '../observe/site-state.js';
import type { Expectations, FromFault } from './context.js';
import { eventWithin, stateNow } from './shapes.js';

/**
 * Both CMS were ACTIVE at some point after the scenario's fault (or the one named); every stretch is measured once it
 * is over. Returns the stretches so far (one still going has no end and no length yet), for a scenario to count or bound.
 */
export async function toShowDualActive(x: Expectations, options: FromFault = {}): Promise<DualActiveStretch[]> {
  await x.site.flush();
  const fromNs = x.faultNs(options.from) ?? x.ev.startNs;
  const stretches = dualActiveAfter(x.tl, fromNs);
  x.verdicts([showedDualActive(stretches, fromNs, x.ev.startNs)]);
  x.ev.atFinish(() => measureOnceOver(x, fromNs));
  return stretches;
}

/**
 * Each stretch is measured once it is over, when the test ends: one still open now would measure only how long the
 * harness took to look, and one open at the end is not measured at all.
 */
function measureOnceOver(x: Expectations, fromNs: bigint): void {
  for (const s of dualActiveAfter(x.tl, fromNs)) {
    if (s.toNs === null) continue;
    x.ev.addMeasurement({
      name: 'dual-active span',
      description: 'cms-primary and cms-secondary both ACTIVE',
      valueMs: nsToMs(s.toNs - s.fromNs),
      anchorNs: s.fromNs.toString(),
      atNs: s.toNs.toString(),
      window: null,
      withinWindow: null,
    });
  }
}

/** Never were both CMS ACTIVE (each counted while observable) during the test so far. */
export async function toHaveNoDualActive(x: Expectations): Promise<void> {
  await stateNow(x, () => [noDualActive(x.tl, x.ev.startNs, x.tl.observedUntilNs ?? nowNs())]);
}

/** `node` raises DUAL_ACTIVE once it has taken over and learns, over Admin-Sync, that its peer is ACTIVE too. */
export async function toRaiseDualActive(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const failover =
    x.tl.first(is.role('cms-secondary', 'ACTIVE'), { afterNs: x.trigger('the alarm', options.from).ns }) ??
    x.fail('DUAL_ACTIVE cannot be raised: cms-secondary never became ACTIVE', null);
  await eventWithin(x, is.alarm('DUAL_ACTIVE', true, node), {
    what: `${node} to raise DUAL_ACTIVE`,
    afterNs: failover.ns,
    windows: [w.alarmAfterFailover(x.scaled, { ns: failover.ns, label: 'cms-secondary became ACTIVE' })],
    fact: `${node} raised DUAL_ACTIVE`,
    never: `${node} never raised DUAL_ACTIVE`,
  });
}

/**
 * `node` clears DUAL_ACTIVE once one CMS is STANDBY (w.dualActiveCleared): at once when it went STANDBY itself, else
 * with the next message that tells it. The STANDBY is waited for as long as two CMS take to learn each other's role.
 */
export async function toClearDualActive(x: Expectations, node: CmsName): Promise<void> {
  await x.site.flush();
  const raised =
    x.tl.last(is.alarm('DUAL_ACTIVE', true, node)) ?? x.fail(`toClearDualActive(${node}) needs DUAL_ACTIVE raised on ${node} first`, null);
  const standby = await eventWithin(x, is.role(undefined, 'STANDBY'), {
    what: 'one CMS to go STANDBY',
    afterNs: raised.ns,
    untilNs: nowNs() + msToNs(w.learnPeerMs(x.scaled)),
    never: `DUAL_ACTIVE cannot clear on ${node}: neither CMS went STANDBY after it was raised`,
  });
  await eventWithin(x, is.alarm('DUAL_ACTIVE', false, node), {
    what: `${node} to clear DUAL_ACTIVE`,
    afterNs: standby.ns,
    windows: [w.dualActiveCleared(x.scaled, { ns: standby.ns, label: `${standby.node} went STANDBY` })],
    fact: `${node} cleared DUAL_ACTIVE`,
    never: `${node} never cleared DUAL_ACTIVE`,
  });
}

/** No node raised `alarm` during the test so far. */
export async function toNotRaise(x: Expectations, alarm: AlarmName): Promise<void> {
  await stateNow(x, () => [notRaised(x.tl, alarm, x.ev.startNs)]);
}
