// Web-first expectations on a running site, as Playwright's `await expect(locator).toHaveText()`: each waits by
// itself until what it expects is seen or its window closes, then checks outcome and timing against windows from
// the configuration, records every window, measurement and sentence for the report, and fails with what it saw.
// Each is stated in its family's module (failover, dual-active, supervisor, acd-link, ess, admin-sync, failback,
// invariants) from the shapes of shapes.ts; this class is the one object a scenario calls them on.

import type { AlarmName, CmsName, HaRole, NodeName } from '../../images/protocol/index.js';
import type { AdminChange, DualActiveStretch } from '../check/timeline-checks.js';
import * as acdLink from './acd-link.js';
import * as adminSync from './admin-sync.js';
import { Expectations, type FromFault, type ObservedSite, type ObserveOptions } from './context.js';
import * as dualActive from './dual-active.js';
import * as ess from './ess.js';
import * as failback from './failback.js';
import * as failover from './failover.js';
import * as invariants from './invariants.js';
import * as siteModel from './site-model.js';
import * as supervisor from './supervisor.js';

export type { AdminChange, DualActiveStretch } from '../check/timeline-checks.js';
export type { FromFault, ObservedSite, ObserveOptions } from './context.js';

export class SiteExpect {
  readonly #x: Expectations;

  constructor(site: ObservedSite) {
    this.#x = new Expectations(site);
  }

  // Failover and roles (failover.ts) ------------------------------------------------------------------------------

  /** The secondary becomes ACTIVE: from the fault (the operator's view) and from the first unanswered heartbeat. */
  toFailOver(options?: FromFault): Promise<void> {
    return failover.toFailOver(this.#x, options);
  }

  /** The nodes keep these roles throughout the no-failover observation (or until the end of the scenario). */
  toKeepRoles(roles: Partial<Record<CmsName, HaRole>>, options?: ObserveOptions): Promise<void> {
    return failover.toKeepRoles(this.#x, roles, options);
  }

  /** Heartbeats keep being answered, not one missed, throughout the observation (or until the end of the scenario). */
  toKeepAnsweringHeartbeats(options?: ObserveOptions): Promise<void> {
    return failover.toKeepAnsweringHeartbeats(this.#x, options);
  }

  /** Exactly one observable CMS is ACTIVE now (`node` when given). */
  toHaveExactlyOneActive(node?: CmsName): Promise<void> {
    return failover.toHaveExactlyOneActive(this.#x, node);
  }

  /** `node` takes `role` at the acknowledgement of the operator's last action on it. */
  toTakeRole(node: CmsName, role: HaRole): Promise<void> {
    return failover.toTakeRole(this.#x, node, role);
  }

  /** The secondary beats on a fixed grid: one interval between every two heartbeats of an observation. */
  toBeatAtThePeriod(): Promise<void> {
    return failover.toBeatAtThePeriod(this.#x);
  }

  /** The restarted (or upgraded) primary decides `role` on the first heartbeat it hears, by its no-secondary deadline. */
  toRejoinAs(role: HaRole): Promise<void> {
    return failover.toRejoinAs(this.#x, role);
  }

  /** A primary started again while it hears no secondary decides ACTIVE alone at its no-secondary deadline. */
  toDecideActiveAlone(): Promise<void> {
    return failover.toDecideActiveAlone(this.#x);
  }

  // Dual-active (dual-active.ts) ------------------------------------------------------------------------------------

  /** Both CMS were ACTIVE after the fault; returns the stretches (each measured once it is over). */
  toShowDualActive(options?: FromFault): Promise<DualActiveStretch[]> {
    return dualActive.toShowDualActive(this.#x, options);
  }

  /** Never were both CMS ACTIVE during the test so far. */
  toHaveNoDualActive(): Promise<void> {
    return dualActive.toHaveNoDualActive(this.#x);
  }

  /** `node` raises DUAL_ACTIVE once it has taken over and learns its peer is ACTIVE too. */
  toRaiseDualActive(node: CmsName, options?: FromFault): Promise<void> {
    return dualActive.toRaiseDualActive(this.#x, node, options);
  }

  /** `node` clears DUAL_ACTIVE within its window once one CMS is STANDBY. */
  toClearDualActive(node: CmsName): Promise<void> {
    return dualActive.toClearDualActive(this.#x, node);
  }

  /** No node raised `alarm` during the test so far. */
  toNotRaise(alarm: AlarmName): Promise<void> {
    return dualActive.toNotRaise(this.#x, alarm);
  }

  // The supervisor (supervisor.ts) ----------------------------------------------------------------------------------

  /** The supervisor logs in to `node` within its windows (from the fault, or after the operator's switch). */
  toMoveSupervisorTo(node: CmsName, options?: FromFault): Promise<void> {
    return supervisor.toMoveSupervisorTo(this.#x, node, options);
  }

  // ACD links and data (acd-link.ts) --------------------------------------------------------------------------------

  /** `node` declares its ACD link lost: at once for a refused link, after keep-alive silence for a silent one. */
  toLoseAcdLink(node: CmsName, options?: FromFault): Promise<void> {
    return acdLink.toLoseAcdLink(this.#x, node, options);
  }

  /** `node` stays in data transfer with the main CM, with no gap, throughout the observation. */
  toKeepAcdLink(node: CmsName, options?: ObserveOptions): Promise<void> {
    return acdLink.toKeepAcdLink(this.#x, node, options);
  }

  /** After the last heal `node` is back in data transfer with the main CM within one Dual-IP slot and a pump-up. */
  toRestoreAcdLink(node: CmsName): Promise<void> {
    return acdLink.toRestoreAcdLink(this.#x, node);
  }

  /** `node` had no ACD data gap during the test so far. */
  toHaveNoAcdGap(node: CmsName): Promise<void> {
    return acdLink.toHaveNoAcdGap(this.#x, node);
  }

  /** `node` counts the time without data while it moved to the ESS as one gap, as long as the silence. */
  toCountOneGapWhileMoving(node: CmsName, options?: FromFault): Promise<void> {
    return acdLink.toCountOneGapWhileMoving(this.#x, node, options);
  }

  /** `node` counted one gap after the fault whose `missing` is the silence times the rate. */
  toCountGap(node: CmsName, options?: FromFault): Promise<void> {
    return acdLink.toCountGap(this.#x, node, options);
  }

  /** `node` tries the ESS first at attempt mainAttempts + 1 of the Dual-IP cycle it began at the link loss. */
  toTryEssAtItsStep(node: CmsName, options?: FromFault): Promise<void> {
    return acdLink.toTryEssAtItsStep(this.#x, node, options);
  }

  /** `node`'s ACD link is down now and it raised ACD_LINK_DOWN. */
  toShowAcdLinkDown(node: CmsName): Promise<void> {
    return acdLink.toShowAcdLinkDown(this.#x, node);
  }

  /** Both CMS receive the one ACD stream of the main CM. */
  toFeedBothCmsTheSameData(): Promise<void> {
    return acdLink.toFeedBothCmsTheSameData(this.#x);
  }

  // The ESS (ess.ts) -------------------------------------------------------------------------------------------------

  /** The ESS becomes ACTIVE after its no-service timeout; returns when. */
  toActivateEss(options?: FromFault): Promise<bigint> {
    return ess.toActivateEss(this.#x, options);
  }

  /** `node` reaches data transfer with the ESS at the first ESS step of its Dual-IP grid after the ESS went ACTIVE. */
  toMoveToEss(node: CmsName, essActiveNs: bigint, options?: FromFault): Promise<void> {
    return ess.toMoveToEss(this.#x, node, essActiveNs, options);
  }

  /** `node` stays on the ESS while its ESS link is up, even once the main CM is back (no pre-emptive return). */
  toStayOnEss(node: CmsName, options?: { until?: 'observation' | 'end' }): Promise<void> {
    return ess.toStayOnEss(this.#x, node, options);
  }

  /** Over the whole test no CMS was linked to the main CM and the ESS at once. */
  toNeverLinkBoth(): Promise<void> {
    return ess.toNeverLinkBoth(this.#x);
  }

  /** When the ESS resets, `node` begins a new cycle at the main CM and is in data transfer one pump-up later. */
  toReturnToCm(node: CmsName, options?: FromFault): Promise<void> {
    return ess.toReturnToCm(this.#x, node, options);
  }

  /** The ESS resets after the forced takeover and is back in STANDBY after its reset time. */
  toResetEss(): Promise<void> {
    return ess.toResetEss(this.#x);
  }

  /** The ESS is in `state` now, serving exactly these CMS. */
  toShowEss(state: 'STANDBY' | 'ACTIVE', options: { serving: CmsName[] }): Promise<void> {
    return ess.toShowEss(this.#x, state, options);
  }

  /** A scheduled ESS return does not fire while the main CM is unreachable. */
  toKeepEssActivePastItsSchedule(essActiveNs: bigint): Promise<void> {
    return ess.toKeepEssActivePastItsSchedule(this.#x, essActiveNs);
  }

  /** Once the main CM is back, the ESS past its schedule begins its return at its next redial. */
  toReturnEssOnceCmIsBack(): Promise<void> {
    return ess.toReturnEssOnceCmIsBack(this.#x);
  }

  // Admin-Sync (admin-sync.ts) ----------------------------------------------------------------------------------------

  /** The change is applied on the other CMS within the Admin-Sync lag. */
  toApplyAdminChange(change: AdminChange): Promise<void> {
    return adminSync.toApplyAdminChange(this.#x, change);
  }

  /** While the link is down the changes are held and ADMIN_SYNC_LAG is raised. */
  toHoldAdminChanges(changes: readonly AdminChange[]): Promise<void> {
    return adminSync.toHoldAdminChanges(this.#x, changes);
  }

  /** After the heal the link is back, every held change applied at once, in order, none twice, the lag alarm cleared. */
  toDrainAdminChanges(changes: readonly AdminChange[]): Promise<void> {
    return adminSync.toDrainAdminChanges(this.#x, changes);
  }

  /** After a restart of `origin`'s peer, `origin`'s admin-sync link is up again within the redial period. */
  toReconnectAdminSync(origin: CmsName): Promise<void> {
    return adminSync.toReconnectAdminSync(this.#x, origin);
  }

  /** Over the whole test the other CMS applied each of these changes exactly once. */
  toApplyEachOnce(changes: readonly AdminChange[]): Promise<void> {
    return adminSync.toApplyEachOnce(this.#x, changes);
  }

  // Return of the primary (failback.ts), invariants (invariants.ts) ----------------------------------------------------

  /** The returning primary applies the failback policy; the roles then hold. Returns the outcome in words. */
  toFailBack(): Promise<string> {
    return failback.toFailBack(this.#x);
  }

  /** Every invariant of DESIGN §1 (I1–I7) holds over the whole test. */
  toHoldInvariants(): Promise<void> {
    return invariants.toHoldInvariants(this.#x);
  }

  // The site model's rules (site-model.ts) ------------------------------------------------------------------------

  /** A STANDBY primary takes the ACTIVE role back once the secondary's heartbeats stop (always an ACTIVE CMS). */
  toTakeBackActive(options?: FromFault): Promise<void> {
    return siteModel.toTakeBackActive(this.#x, options);
  }

  /** `node`, not ACTIVE, raises NO_ACTIVE_CMS the detection window after it last knew an ACTIVE CMS. */
  toRaiseNoActive(node: CmsName, options?: FromFault): Promise<void> {
    return siteModel.toRaiseNoActive(this.#x, node, options);
  }

  /** Both CMS were ACTIVE only between the operator's two commands of a switchover. */
  toKeepDualActiveBetweenCommands(): Promise<void> {
    return siteModel.toKeepDualActiveBetweenCommands(this.#x);
  }

  /** A split brain's conflict on `object` resolved on both CMS, both holding the winner's value, the loser's recorded. */
  toResolveConflict(object: string, expected: { winner: CmsName; value: string; lost: string }): Promise<void> {
    return siteModel.toResolveConflict(this.#x, object, expected);
  }

  /** Changes of a CMS on a newer version than its peer stay queued with ADMIN_SYNC_VERSION, none applied on the peer. */
  toHoldForVersion(changes: readonly AdminChange[]): Promise<void> {
    return siteModel.toHoldForVersion(this.#x, changes);
  }

  /** `node` runs `version` now. */
  toRunVersion(node: NodeName, version: string): Promise<void> {
    return siteModel.toRunVersion(this.#x, node, version);
  }

  /** `node` raised `alarm` and has kept it raised since, up to now. */
  toKeepAlarmRaised(node: NodeName, alarm: AlarmName): Promise<void> {
    return siteModel.toKeepAlarmRaised(this.#x, node, alarm);
  }

  /** `node` runs what it was upgraded to: the image, and the version when one is given. */
  toRun(node: CmsName, target: { image: string; version?: string }): Promise<void> {
    return siteModel.toRun(this.#x, node, target);
  }

  /** Both CMS hold `value` for `object`, as each says over its control API. */
  toHoldValue(object: string, value: string): Promise<void> {
    return siteModel.toHoldValue(this.#x, object, value);
  }

  /** `node`, restarted while its ACD link cannot reach data transfer, raises ACD_LINK_DOWN once the silence lasted. */
  toRaiseAcdLinkDown(node: CmsName): Promise<void> {
    return siteModel.toRaiseAcdLinkDown(this.#x, node);
  }
}
