// Web-first expectations on a running site, as Playwright's `await expect(locator).toHaveText()`: each waits by
// itself until what it expects is seen or its window closes, then checks outcome and timing against windows from
// the configuration, records every window, measurement and sentence for the report, and fails with what it saw.

import { AssertionError } from 'chai';
import type { AlarmName, CmsName, HaRole, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs, toNs } from '../core/clock.js';
import { isHarnessError } from '../core/errors.js';
import { formatDurationMs } from '../core/format.js';
import type { EventOfType, FaultKind, FaultRecord, Window } from '../core/model.js';
import { notYet, waitFor } from '../core/poll.js';
import type { ScaledSite, SiteConfig } from '../core/site-config.js';
import type { Evidence } from '../observe/evidence.js';
import { activeAt, alarmAt, CMS_NODES, dualActiveSpans, is, linkAt, roleAt, sessionSpans, worstLateTimer } from '../observe/site-state.js';
import { clipSpans, overlapSpans } from '../observe/spans.js';
import type { Stamped, Timeline } from '../observe/timeline.js';
import { factsOf } from '../check/facts.js';
import { checkInvariants, settledByNs } from '../check/invariants.js';
import { beatSlot, cycleStart, essLoss, firstTakeoverBeatHeard, firstUnansweredBeat, supervisorReady } from '../check/anchors.js';
import * as w from '../check/windows.js';
import { instantWords, measuredWords, windowWords } from '../check/words.js';

/** What the expectations need from a running site (the scenario's Site implements it). */
export interface ObservedSite {
  readonly timeline: Timeline;
  readonly evidence: Evidence;
  /** The site as the stand-ins run it, scaled: every window is computed from it. */
  readonly scaled: ScaledSite;
  /** The faults of the scenario's last injection (applied together), oldest first. */
  readonly injected: readonly FaultRecord[];
  /**
   * The last heal (the primary's return, a link restored): when its request began, and how long until it was in
   * effect; null before any.
   */
  readonly lastHeal: w.HealAnchor | null;
  /** When the operator's last request was sent (its effect comes during the request), on which node, what. */
  readonly lastOperator: { node: NodeName; ns: bigint; action: string } | null;
  /** Resolves once the timeline holds every event the stand-ins recorded up to now. */
  flush(): Promise<void>;
  /** An expectation saw the site get this far (an event it waited for, an observation's end); see Site.reached. */
  reached(ns: bigint): void;
  /** Says what the scenario is waiting for (the terminal's progress view). */
  note(phase: string): void;
  status(node: NodeName): Promise<StandinStatus>;
}

/** An administration change as the site made it. */
export interface AdminChange {
  origin: CmsName;
  seq: number;
  changedNs: bigint;
}

const FAULT_WORDS: Partial<Record<FaultKind, string>> = {
  kill: 'killed',
  stop: 'stopped',
  pause: 'paused',
  isolate: 'isolated',
  cut: 'cut',
  blackhole: 'blackholed',
  latency: 'slowed',
};

/** One checked sentence of an expectation. */
interface Check {
  ok: boolean;
  text: string;
}

const peerOf = (node: CmsName): CmsName => (node === 'cms-primary' ? 'cms-secondary' : 'cms-primary');

export class SiteExpect {
  constructor(private readonly site: ObservedSite) {}

  private get tl(): Timeline {
    return this.site.timeline;
  }

  private get ev(): Evidence {
    return this.site.evidence;
  }

  private get t(): SiteConfig['timers'] {
    return this.site.scaled.timers;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Failover and roles

  /** The secondary becomes ACTIVE: from the fault (the operator's view) and from the first unanswered heartbeat. */
  async toFailOver(): Promise<void> {
    const fault = this.trigger('a failover');
    const fromFault = w.failoverFromFault(this.site.scaled, fault);
    const event = await this.waitEvent(is.role('cms-secondary', 'ACTIVE'), fault.ns, this.end(fromFault), 'cms-secondary to become ACTIVE');
    if (!event) return this.fail(`cms-secondary never became ACTIVE; expected it ${this.expectedWords(fromFault)}`, fromFault);
    const firstMiss = firstUnansweredBeat(this.tl, fault.ns);
    const checks = [this.measure(fromFault, event, 'cms-secondary became ACTIVE')];
    if (firstMiss)
      checks.push(this.measure(w.failoverFromFirstMiss(this.site.scaled, firstMiss, fault.mode), event, 'cms-secondary became ACTIVE'));
    else
      checks.push(
        this.record(
          false,
          'cms-secondary became ACTIVE, but no unanswered heartbeat was seen after the fault: the failover was not the heartbeat’s',
        ),
      );
    this.verdicts(checks);
  }

  /**
   * The nodes keep the given roles throughout the observation that proves no failover comes: twice the latest a
   * failover could come, from the scenario's fault (or from now without one). Waits for that window to close.
   */
  async toKeepRoles(roles: Partial<Record<CmsName, HaRole>>, options: { from?: 'fault' | 'now' } = {}): Promise<void> {
    const span = await this.observation(options.from ?? 'fault');
    const checks: Check[] = [];
    for (const [node, role] of Object.entries(roles) as Array<[CmsName, HaRole]>) {
      const start = roleAt(this.tl, node, span.fromNs);
      const change = this.tl.first((e) => is.role(node)(e) && e.role !== role && e.ns <= span.toNs, {
        afterNs: span.fromNs + 1n,
      });
      const words = `the observation ${formatDurationMs(nsToMs(span.toNs - span.fromNs))} long after ${span.label}`;
      if (start !== role)
        checks.push(this.record(false, `${node} was ${start ?? 'of no known role'} at the start of ${words}; expected ${role} throughout`));
      else if (change)
        checks.push(
          this.record(
            false,
            `${node} became ${(change as EventOfType<'role'>).role} ${instantWords(change.ns, this.ev.startNs, span)}; expected ${role} throughout ${words}`,
          ),
        );
      else checks.push(this.record(true, `${node} stayed ${role} throughout ${words}`));
    }
    this.verdicts(checks);
  }

  /** Heartbeats kept being answered throughout the no-failover observation: not one missed. */
  async toKeepAnsweringHeartbeats(): Promise<void> {
    const span = await this.observation();
    const within = (e: Stamped) => e.ns >= span.fromNs && e.ns <= span.toNs;
    const missed = this.tl.events((e) => is.heartbeat('missed', 'cms-secondary')(e) && within(e));
    const answered = this.tl.events((e) => is.heartbeat('answered', 'cms-secondary')(e) && within(e));
    const expected = Math.floor(nsToMs(span.toNs - span.fromNs) / this.t.heartbeatIntervalMs) - 1;
    this.verdicts([
      this.record(
        missed.length === 0 && answered.length >= expected,
        `${answered.length} heartbeats answered and ${missed.length} missed during the observation after ${span.label}; expected at least ${expected} answered (one per ${formatDurationMs(this.t.heartbeatIntervalMs)}) and none missed`,
      ),
    ]);
  }

  /** Exactly one observable CMS is ACTIVE now (`node` when given). */
  async toHaveExactlyOneActive(node?: CmsName): Promise<void> {
    await this.site.flush();
    const at = nowNs();
    const { active, unobservable } = activeAt(this.tl, at);
    const excluded = unobservable.length === 0 ? '' : ` (${unobservable.join(' and ')} unobservable, not counted)`;
    const ok = active.length === 1 && (node === undefined || active[0] === node);
    const fact = active.length === 0 ? 'no CMS was ACTIVE' : `${active.join(' and ')} ${active.length === 1 ? 'was' : 'were'} ACTIVE`;
    this.verdicts([
      this.record(ok, `${fact} ${instantWords(at, this.ev.startNs)}${excluded}; expected exactly one${node ? `: ${node}` : ''}`),
    ]);
  }

  /** Both CMS were ACTIVE at some point after the scenario's fault; every stretch is measured once it is over. */
  async toShowDualActive(): Promise<void> {
    await this.site.flush();
    const fromNs = this.site.injected[0] ? toNs(this.site.injected[0].appliedNs) : this.ev.startNs;
    const spans = dualActiveSpans(this.tl).filter((span) => span.toNs === null || span.toNs > fromNs);
    const first = spans[0];
    if (!first) {
      this.verdicts([
        this.record(
          false,
          `cms-primary and cms-secondary were never both ACTIVE after ${instantWords(fromNs, this.ev.startNs)}; expected a dual-active stretch`,
        ),
      ]);
      throw new Error('unreachable');
    }
    // Each stretch is measured once it is over, when the test ends: one still open now would measure only how long
    // the harness took to look, and one open at the end is not measured at all.
    this.ev.atFinish(() => {
      for (const span of dualActiveSpans(this.tl)) {
        if (span.toNs === null || span.toNs <= fromNs) continue;
        const startNs = span.fromNs > fromNs ? span.fromNs : fromNs;
        this.ev.addMeasurement({
          name: 'dual-active span',
          description: 'cms-primary and cms-secondary both ACTIVE',
          valueMs: nsToMs(span.toNs - startNs),
          anchorNs: startNs.toString(),
          atNs: span.toNs.toString(),
          window: null,
          withinWindow: null,
        });
      }
    });
    const start = first.fromNs > fromNs ? first.fromNs : fromNs;
    const length =
      first.toNs === null ? 'still so when checked (measured once it is over)' : `for ${formatDurationMs(nsToMs(first.toNs - start))}`;
    this.verdicts([
      this.record(
        true,
        `cms-primary and cms-secondary were both ACTIVE from ${instantWords(start, this.ev.startNs)}, ${length}${spans.length > 1 ? `, and in ${spans.length - 1} more stretch(es)` : ''}`,
      ),
    ]);
  }

  /** Never were both CMS ACTIVE (each counted while observable) during the test so far. */
  async toHaveNoDualActive(): Promise<void> {
    await this.site.flush();
    const spans = clipSpans(dualActiveSpans(this.tl), this.ev.startNs, this.tl.observedUntilNs ?? nowNs());
    const first = spans[0];
    this.verdicts([
      this.record(
        first === undefined,
        first === undefined
          ? 'cms-primary and cms-secondary were never both ACTIVE'
          : `cms-primary and cms-secondary were both ACTIVE for ${formatDurationMs(nsToMs(first.toNs - first.fromNs))} from ${instantWords(first.fromNs, this.ev.startNs)}; expected never`,
      ),
    ]);
  }

  /** `node` raises DUAL_ACTIVE once it has taken over and learns, over Admin-Sync, that its peer is ACTIVE too. */
  async toRaiseDualActive(node: CmsName): Promise<void> {
    const failover = this.tl.first(is.role('cms-secondary', 'ACTIVE'), { afterNs: this.trigger('the alarm').ns });
    if (!failover) return this.fail('DUAL_ACTIVE cannot be raised: cms-secondary never became ACTIVE', null);
    const window = w.alarmAfterFailover(this.site.scaled, { ns: failover.ns, label: 'cms-secondary became ACTIVE' });
    const event = await this.waitEvent(is.alarm('DUAL_ACTIVE', true, node), failover.ns, this.end(window), `${node} to raise DUAL_ACTIVE`);
    if (!event) return this.fail(`${node} never raised DUAL_ACTIVE; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, `${node} raised DUAL_ACTIVE`)]);
  }

  /** No node raised `alarm` during the test so far. */
  async toNotRaise(alarm: AlarmName): Promise<void> {
    await this.site.flush();
    const raised = this.tl.first(is.alarm(alarm, true), { afterNs: this.ev.startNs });
    this.verdicts([
      this.record(
        raised === undefined,
        raised
          ? `${raised.node} raised ${alarm} ${instantWords(raised.ns, this.ev.startNs)}; expected no ${alarm}`
          : `no node raised ${alarm}`,
      ),
    ]);
  }

  /** `node` takes `role` at the acknowledgement of the operator's last action on it. */
  async toTakeRole(node: CmsName, role: HaRole): Promise<void> {
    const op = this.site.lastOperator;
    if (!op) return this.fail(`toTakeRole(${node}, ${role}) needs an operator action first`, null);
    const window = w.manualSwitch({ ns: op.ns, label: `the operator asked ${op.node} to ${op.action}` });
    const event = await this.waitEvent(is.role(node, role), op.ns, this.end(window), `${node} to become ${role}`);
    if (!event) return this.fail(`${node} never became ${role}; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, `${node} became ${role}`)]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The supervisor

  /**
   * The supervisor logs in to `node`: within one retry round of the later of the switch and its session loss;
   * after a fault also within the window from the fault and the site's outage budget.
   */
  async toMoveSupervisorTo(node: CmsName): Promise<void> {
    const fault = this.site.lastOperator ? null : this.trigger('the supervisor’s move');
    const since = fault?.ns ?? this.site.lastOperator!.ns;
    const windows: Window[] = [];
    if (fault) {
      windows.push(w.loginFromFault(this.site.scaled, fault));
      const budget = this.site.scaled.budgets.supervisorOutageMs;
      if (budget !== undefined) windows.push(w.budget('supervisor outage budget', 'the supervisor logs in again', budget, fault));
    }
    const untilNs = windows.length > 0 ? this.end(...windows) : this.readyBound(node, since);
    const event = await this.waitEvent(is.login(node), since, untilNs, `the supervisor to log in to ${node}`);
    if (!event)
      return this.fail(`the supervisor never logged in to ${node} after ${instantWords(since, this.ev.startNs)}`, windows[0] ?? null);
    const ready = supervisorReady(this.tl, node, since);
    const checks = windows.map((window) => this.measure(window, event, `the supervisor logged in to ${node}`));
    if (ready) checks.push(this.measure(w.loginFromReady(this.site.scaled, ready), event, `the supervisor logged in to ${node}`));
    this.verdicts(checks);
  }

  // -------------------------------------------------------------------------------------------------------------
  // ACD links

  /** `node` declares its ACD link lost: at once for a refused link, after keep-alive silence for a silent one. */
  async toLoseAcdLink(node: CmsName): Promise<void> {
    const fault = this.trigger('a link loss');
    const window = fault.mode === 'silent' ? w.silentLinkLoss(this.site.scaled, fault) : w.resetLinkLoss(fault);
    const event = await this.waitEvent(is.acdLink(node, 'CONNECTING'), fault.ns, this.end(window), `${node} to declare its ACD link lost`);
    if (!event) return this.fail(`${node} never declared its ACD link lost; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, `${node} declared its ACD link lost`)]);
  }

  /** `node` stays in data transfer with the main CM, with no data gap, throughout the no-failover observation. */
  async toKeepAcdLink(node: CmsName): Promise<void> {
    const span = await this.observation();
    const link = linkAt(this.tl, node, span.fromNs);
    const change = this.tl.first((e) => is.type('acd-link', node)(e) && e.ns <= span.toNs, { afterNs: span.fromNs + 1n });
    const gap = this.tl.first((e) => is.gap(node)(e) && e.ns <= span.toNs, { afterNs: span.fromNs });
    const ok = link?.state === 'DATA_TRANSFER' && link.target === 'cm' && !change && !gap;
    const fact = !ok
      ? change
        ? `${node}'s ACD link went ${(change as EventOfType<'acd-link'>).state} ${instantWords(change.ns, this.ev.startNs, span)}`
        : gap
          ? `${node} had an ACD data gap ${instantWords(gap.ns, this.ev.startNs, span)}`
          : `${node}'s ACD link was ${link?.state ?? 'unknown'} with ${link?.target ?? 'nothing'} at ${span.label}`
      : `${node} stayed in data transfer with cm, with no data gap`;
    this.verdicts([
      this.record(
        ok,
        `${fact} (observation of ${formatDurationMs(nsToMs(span.toNs - span.fromNs))} after ${span.label}); expected data transfer with cm throughout, no gap`,
      ),
    ]);
  }

  /** `node` had no ACD data gap during the test so far. */
  async toHaveNoAcdGap(node: CmsName): Promise<void> {
    await this.site.flush();
    const gaps = this.tl.events(is.gap(node));
    const missing = gaps.reduce((sum, g) => sum + g.missing, 0);
    this.verdicts([
      this.record(
        gaps.length === 0,
        gaps.length === 0
          ? `${node} had no ACD data gap`
          : `${node} had ${gaps.length} ACD data gap(s), ${missing} event(s) missing, the first ${instantWords(gaps[0]!.ns, this.ev.startNs)} (${gaps[0]!.cause}); expected none`,
      ),
    ]);
  }

  /** `node` counts the time without data while it moved to another source as one gap, as long as the silence. */
  async toCountOneGapWhileMoving(node: CmsName): Promise<void> {
    await this.site.flush();
    const fault = this.trigger('a data gap');
    const moved = this.tl.first(is.acdLink(node, 'DATA_TRANSFER', 'ess'), { afterNs: fault.ns });
    const silenceMs = moved ? nsToMs(moved.ns - fault.ns) : null;
    const period = 1000 / this.t.acdEventRateHz;
    // The gap is counted on the first event of the new stream: at most one event period after the data transfer
    // began, and one hop.
    if (moved) await this.waitEvent(is.gap(node), fault.ns, moved.ns + msToNs(period + w.SCHEDULING_MS), `${node} to count the data gap`);
    const gaps = this.tl.events(is.gap(node)).filter((e) => e.ns >= fault.ns);
    const gap = gaps[0];
    const ok =
      gaps.length === 1 && gap!.cause === 'source-switch' && silenceMs !== null && gap!.silentMs >= silenceMs - period - w.SCHEDULING_MS;
    this.verdicts([
      this.record(
        ok,
        gap
          ? `${node} counted ${gaps.length} gap(s) after the fault, the first ${gap.missing} event(s) over ${formatDurationMs(gap.silentMs)} (${gap.cause}); expected one source-switch gap of at least the ${silenceMs === null ? '?' : formatDurationMs(silenceMs)} without data`
          : `${node} counted no data gap after the fault; expected one for the ${silenceMs === null ? '?' : formatDurationMs(silenceMs)} without data while it moved to the ESS`,
      ),
    ]);
  }

  /** `node` tries the ESS first at attempt mainAttempts + 1 of the Dual-IP cycle it began when it lost its link. */
  async toTryEssAtItsStep(node: CmsName): Promise<void> {
    const fault = this.trigger('a Dual-IP cycle');
    const attempt = this.t.mainAttempts + 1;
    const startBound = fault.ns + msToNs(fault.requestMs + this.t.keepaliveMisses * this.t.keepaliveIntervalMs + w.SCHEDULING_MS);
    await this.waitEvent(is.cycleStart(node), fault.ns, startBound, `${node} to begin a Dual-IP cycle`);
    const begun = cycleStart(this.tl, node, fault.ns);
    if (!begun) return this.fail(`${node} began no Dual-IP cycle after the fault`, null);
    const window = w.dualIpAttempt(this.site.scaled, begun, attempt);
    const event = await this.waitEvent(is.attemptStart(node, 'ess'), begun.ns, this.end(window), `${node} to try the ESS`);
    if (!event) return this.fail(`${node} never tried the ESS; expected it at attempt ${attempt}, ${this.expectedWords(window)}`, window);
    const tried = (event as EventOfType<'acd-link'>).attempt;
    this.verdicts([
      this.measure(window, event, `${node} first tried the ESS (attempt ${tried})`),
      this.record(
        tried === attempt,
        `${node}'s first ESS attempt was attempt ${tried} of its cycle; expected attempt ${attempt}, after ${this.t.mainAttempts} at the main CM`,
      ),
    ]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // ESS takeover

  /** The ESS becomes ACTIVE: its no-service timeout after its own loss of the main CM, and from the fault. */
  async toActivateEss(): Promise<bigint> {
    const fault = this.trigger('the ESS takeover');
    const fromFault = w.essActiveFromFault(this.site.scaled, fault);
    const event = await this.waitEvent(is.ess('ACTIVE'), fault.ns, this.end(fromFault), 'the ESS to become ACTIVE');
    if (!event) {
      this.fail(`the ESS never became ACTIVE; expected it ${this.expectedWords(fromFault)}`, fromFault);
      throw new Error('unreachable');
    }
    const loss = essLoss(this.tl, fault.ns);
    const checks = [this.measure(fromFault, event, 'the ESS became ACTIVE')];
    checks.push(
      loss
        ? this.measure(w.essActiveFromLoss(this.site.scaled, loss), event, 'the ESS became ACTIVE')
        : this.record(false, 'the ESS became ACTIVE without first timing the main CM’s loss (no NO_SERVICE_TIMING)'),
    );
    this.verdicts(checks);
    return event.ns;
  }

  /** `node` is in data transfer with the ESS at the first ESS step of its Dual-IP grid after the ESS went ACTIVE. */
  async toMoveToEss(node: CmsName, essActiveNs: bigint): Promise<void> {
    const fault = this.trigger('the move to the ESS');
    const begun = cycleStart(this.tl, node, fault.ns);
    if (!begun) return this.fail(`${node} began no Dual-IP cycle after the fault`, null);
    const window = w.cmsReachesEss(this.site.scaled, begun, nsToMs(essActiveNs - begun.ns));
    const windows: Window[] = [window];
    const budget = this.site.scaled.budgets.essTakeoverMs;
    if (budget !== undefined) windows.push(w.budget('ESS takeover budget', 'the CMS is in data transfer with the ESS', budget, fault));
    const event = await this.waitEvent(
      is.acdLink(node, 'DATA_TRANSFER', 'ess'),
      fault.ns,
      this.end(...windows),
      `${node} in data transfer with the ESS`,
    );
    if (!event) return this.fail(`${node} never reached data transfer with the ESS; expected it ${this.expectedWords(window)}`, window);
    this.verdicts(windows.map((win) => this.measure(win, event, `${node} in data transfer with the ESS`)));
  }

  /** Over the whole test, by the servers' own sessions, no CMS was ever linked to the main CM and the ESS at once. */
  async toNeverLinkBoth(): Promise<void> {
    await this.site.flush();
    const checks = CMS_NODES.map((node) => {
      const both = overlapSpans(sessionSpans(this.tl, 'cm', node), sessionSpans(this.tl, 'ess', node))[0];
      const sessions = this.tl.events((e) => e.type === 'acd-session' && e.cms === node).length;
      return this.record(
        both === undefined,
        both
          ? `${node} had a session with cm and one with ess at once, from ${instantWords(both.fromNs, this.ev.startNs)}`
          : `${node} never had a session with cm and ess at once (${sessions} session events of the two servers)`,
      );
    });
    this.verdicts(checks);
  }

  /** When the ESS resets it drops its CMS links: `node` begins a new cycle at the main CM, in data transfer one pump-up later. */
  async toReturnToCm(node: CmsName): Promise<void> {
    const since = this.site.injected[0] ? toNs(this.site.injected[0].appliedNs) : this.ev.startNs;
    // After a forced takeover the ESS resets at once; after a heal, at its next redial: one keepaliveInterval.
    const heal = this.site.lastHeal;
    const cause = this.site.lastOperator?.ns ?? (heal ? heal.ns + msToNs(heal.requestMs) : nowNs());
    const resetting = await this.waitEvent(
      is.ess('RESETTING'),
      since,
      cause + msToNs(this.t.keepaliveIntervalMs + w.SCHEDULING_MS),
      'the ESS to begin resetting',
    );
    if (!resetting) return this.fail(`${node} cannot return to the main CM: the ESS never began resetting`, null);
    const loss = await this.waitEvent(
      is.cycleStart(node),
      resetting.ns,
      resetting.ns + msToNs(w.SCHEDULING_MS + this.t.keepaliveMisses * this.t.keepaliveIntervalMs),
      `${node} to leave the ESS`,
    );
    if (!loss) return this.fail(`${node} never left the ESS after it began resetting`, null);
    const window = w.pumpup(
      this.site.scaled,
      { ns: loss.ns, label: `${node} lost the ESS and began a new cycle at cm` },
      node === 'cms-primary' ? 'acd-primary' : 'acd-secondary',
    );
    const event = await this.waitEvent(
      is.acdLink(node, 'DATA_TRANSFER', 'cm'),
      loss.ns,
      this.end(window),
      `${node} in data transfer with cm`,
    );
    if (!event) return this.fail(`${node} never returned to data transfer with cm; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, `${node} back in data transfer with cm`)]);
  }

  /** The ESS resets after the forced takeover and is back in STANDBY after its reset time. */
  async toResetEss(): Promise<void> {
    const op = this.site.lastOperator;
    if (!op) return this.fail('toResetEss needs the forced takeover first', null);
    const resetting = await this.waitEvent(
      is.ess('RESETTING'),
      op.ns,
      op.ns + msToNs(this.t.keepaliveIntervalMs),
      'the ESS to begin resetting',
    );
    if (!resetting) return this.fail('the ESS never began resetting after the forced takeover', null);
    const window = w.essReset(this.site.scaled, { ns: resetting.ns, label: 'the ESS began resetting' });
    const event = await this.waitEvent(is.ess('STANDBY'), resetting.ns, this.end(window), 'the ESS back in STANDBY');
    if (!event) return this.fail(`the ESS never returned to STANDBY; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, 'the ESS was back in STANDBY')]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Admin-Sync

  /** The change is applied on the other CMS within the Admin-Sync lag (a latency toxic on the link, if any). */
  async toApplyAdminChange(change: AdminChange): Promise<void> {
    const peer = peerOf(change.origin);
    const slowed = this.ev.faults.find((f) => f.kind === 'latency' && f.target === 'admin-sync' && f.removedNs === null);
    const toxic = slowed
      ? { latencyMs: Number(slowed.attributes['latency']), jitterMs: Number(slowed.attributes['jitter'] ?? 0) }
      : undefined;
    const window = w.adminSyncLag(
      this.site.scaled,
      { ns: change.changedNs, label: `change ${change.seq} made on ${change.origin}` },
      toxic,
    );
    const windows = [window];
    const budget = this.site.scaled.budgets.adminSyncLagMs;
    if (budget !== undefined)
      windows.push(
        w.budget('Admin-Sync lag budget', 'the change is applied on the peer', budget, {
          ns: change.changedNs,
          label: `change ${change.seq} made on ${change.origin}`,
        }),
      );
    const event = await this.waitEvent(
      is.admin(peer, 'applied', change.seq, change.origin),
      change.changedNs,
      this.end(...windows),
      `change ${change.seq} applied on ${peer}`,
    );
    if (!event)
      return this.fail(
        `change ${change.seq} of ${change.origin} was never applied on ${peer}; expected it ${this.expectedWords(window)}`,
        window,
      );
    this.verdicts(windows.map((win) => this.measure(win, event, `change ${change.seq} applied on ${peer}`)));
  }

  /** While the link is down the changes are held, none applied, and ADMIN_SYNC_LAG is raised at the first of them. */
  async toHoldAdminChanges(changes: readonly AdminChange[]): Promise<void> {
    await this.site.flush();
    const first = changes[0];
    if (!first) return this.fail('toHoldAdminChanges needs at least one change', null);
    const peer = peerOf(first.origin);
    const applied = this.tl
      .events(is.admin(peer, 'applied', undefined, first.origin))
      .filter((e) => changes.some((c) => c.seq === e.changeSeq));
    const window = w.adminLagAlarm({ ns: first.changedNs, label: `change ${first.seq} queued on ${first.origin}` });
    const alarm = this.tl.first(is.alarm('ADMIN_SYNC_LAG', true, first.origin), { afterNs: first.changedNs - msToNs(w.SCHEDULING_MS) });
    this.verdicts([
      this.record(
        applied.length === 0,
        applied.length === 0
          ? `none of ${changes.length} change(s) reached ${peer} while the link was down`
          : `${applied.length} change(s) reached ${peer} while the link was down; expected none`,
      ),
      alarm
        ? this.measure(window, alarm, `${first.origin} raised ADMIN_SYNC_LAG`)
        : this.record(false, `${first.origin} never raised ADMIN_SYNC_LAG; expected it ${this.expectedWords(window)}`),
    ]);
  }

  /**
   * After the link is healed: it is up again within the sender's redial period, every held change is applied on the
   * other CMS at once, in order, none twice, and ADMIN_SYNC_LAG clears.
   */
  async toDrainAdminChanges(changes: readonly AdminChange[]): Promise<void> {
    const heal = this.site.lastHeal;
    const first = changes[0];
    if (heal === null || !first) return this.fail('toDrainAdminChanges needs held changes and a heal', null);
    const origin = first.origin;
    const peer = peerOf(origin);
    const back = w.adminSyncReconnect(this.site.scaled, { ...heal, label: 'the admin-sync link was healed' });
    const up = await this.waitEvent(is.adminLink(origin, true), heal.ns, this.end(back), `${origin}'s admin-sync link to come back up`);
    if (!up) return this.fail(`the admin-sync link of ${origin} never came back up; expected it ${this.expectedWords(back)}`, back);
    const checks = [this.measure(back, up, 'the admin-sync link was up again')];
    const drain = w.adminSyncDrain(this.site.scaled, { ns: up.ns, label: 'the admin-sync link came back up' });
    for (const change of changes) {
      const event = await this.waitEvent(
        is.admin(peer, 'applied', change.seq, origin),
        up.ns,
        this.end(drain),
        `held change ${change.seq} applied on ${peer}`,
      );
      checks.push(
        event
          ? this.measure(drain, event, `held change ${change.seq} applied on ${peer}`)
          : this.record(false, `held change ${change.seq} was never applied on ${peer}; expected it ${this.expectedWords(drain)}`),
      );
    }
    const cleared = await this.waitEvent(
      is.alarm('ADMIN_SYNC_LAG', false, origin),
      heal.ns,
      this.end(drain),
      `${origin} to clear ADMIN_SYNC_LAG`,
    );
    checks.push(
      this.record(
        cleared !== undefined,
        cleared
          ? `${origin} cleared ADMIN_SYNC_LAG ${instantWords(cleared.ns, this.ev.startNs, { ns: heal.ns, label: 'the heal' })}`
          : `${origin} never cleared ADMIN_SYNC_LAG after the drain`,
      ),
    );
    const applied = this.tl.events(is.admin(peer, 'applied', undefined, origin)).map((e) => e.changeSeq);
    const inOrder = applied.every((seq, i) => i === 0 || seq === applied[i - 1]! + 1);
    checks.push(
      this.record(inOrder, `${peer} applied the changes of ${origin} in the order ${applied.join(', ')}; expected each once, in order`),
    );
    this.verdicts(checks);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Return of the primary

  /**
   * The returning primary applies the site's failback policy on the first heartbeat it hears from the secondary that
   * took over; with automatic failback both are ACTIVE at most one heartbeat exchange. The roles then hold.
   */
  async toFailBack(): Promise<string> {
    const back = this.site.lastHeal;
    if (back === null) return this.fail('toFailBack needs the primary’s return (a heal) first', null) as never;
    const policy = this.site.scaled.policy;
    const fromReturn = w.failbackFromReturn(this.site.scaled, { ...back, label: 'the primary returned' });
    const heard = await this.waitEvent(
      is.takeoverHeard(),
      back.ns,
      this.end(fromReturn),
      'the returning primary to hear the secondary that took over',
    );
    if (!heard)
      return this.fail(
        `the returning primary never heard the secondary that took over; expected it ${this.expectedWords(fromReturn)}`,
        fromReturn,
      ) as never;
    const anchor = firstTakeoverBeatHeard(this.tl, back.ns)!;
    const checks = [this.measure(fromReturn, heard, 'the primary heard the secondary that took over')];
    const decision = w.failbackDecision(this.site.scaled, anchor);
    const [primary, secondary]: [HaRole, HaRole] = policy.autoFailback
      ? ['ACTIVE', 'STANDBY']
      : policy.returningPrimary === 'hold-standby'
        ? ['STANDBY', 'ACTIVE']
        : ['ACTIVE', 'ACTIVE'];
    const settle = anchor.ns + msToNs(decision.toMs + (policy.autoFailback ? this.t.heartbeatTimeoutMs : 0));
    await this.untilObserved(settle);
    checks.push(this.roleAtCheck('cms-primary', primary, anchor.ns + msToNs(decision.toMs), anchor));
    if (policy.autoFailback) {
      // The handover: from the heartbeat on which the primary took the role back to the secondary's STANDBY.
      const standby = this.tl.first(is.role('cms-secondary', 'STANDBY'), { afterNs: anchor.ns - msToNs(w.SCHEDULING_MS) });
      if (!standby)
        checks.push(
          this.record(
            false,
            'cms-secondary never went STANDBY after the primary took the ACTIVE role back; expected it within one heartbeat exchange',
          ),
        );
      else {
        checks.push(
          this.measure(w.handoverDualActive(this.site.scaled, anchor), standby, 'cms-secondary went STANDBY, ending the handover'),
        );
        const span = clipSpans(dualActiveSpans(this.tl), back.ns, standby.ns).at(-1);
        const budget = this.site.scaled.budgets.dualActiveMs;
        if (span && budget !== undefined) {
          checks.push(
            this.measure(
              w.budget('dual-active budget', 'both CMS ACTIVE around the return', budget, {
                ns: span.fromNs,
                label: 'both CMS were ACTIVE',
              }),
              standby,
              'both CMS ACTIVE until the handover',
            ),
          );
        }
      }
    } else {
      checks.push(this.roleAtCheck('cms-secondary', secondary, settle, anchor));
    }
    if (!policy.autoFailback && policy.returningPrimary === 'stay-active') {
      // Raised on the heartbeat that told it, or earlier over Admin-Sync when only the heartbeat path was cut.
      const at = anchor.ns + msToNs(w.SCHEDULING_MS);
      const raised = alarmAt(this.tl, 'cms-primary', 'DUAL_ACTIVE', at);
      checks.push(
        this.record(
          raised,
          raised
            ? `cms-primary had DUAL_ACTIVE raised ${instantWords(at, this.ev.startNs, anchor)}`
            : `cms-primary had no DUAL_ACTIVE raised ${instantWords(at, this.ev.startNs, anchor)}, staying ACTIVE beside the ACTIVE secondary`,
        ),
      );
    }
    // The decision holds: one more heartbeat round without a role change.
    const holdUntil = settle + msToNs(this.t.heartbeatIntervalMs + this.t.heartbeatTimeoutMs);
    await this.untilObserved(holdUntil);
    for (const [node, role] of [
      ['cms-primary', primary],
      ['cms-secondary', secondary],
    ] as const) {
      const flip = this.tl.first((e) => is.role(node)(e) && e.role !== role && e.ns <= holdUntil, { afterNs: settle });
      checks.push(
        this.record(
          !flip,
          flip
            ? `${node} flipped to ${(flip as EventOfType<'role'>).role} ${instantWords(flip.ns, this.ev.startNs, anchor)}`
            : `${node} held ${role} for a heartbeat round after the decision`,
        ),
      );
    }
    this.verdicts(checks);
    return `${policy.autoFailback ? 'automatic failback' : policy.returningPrimary}: cms-primary ${primary}, cms-secondary ${secondary}`;
  }

  /** The secondary beats on a fixed grid: every period between two heartbeats over an observation is one interval. */
  async toBeatAtThePeriod(): Promise<void> {
    const span = await this.observation('now');
    const sent = this.tl.events(is.heartbeat('sent', 'cms-secondary')).filter((e) => e.ns >= span.fromNs && e.ns <= span.toNs);
    const checks: Check[] = [];
    for (let i = 1; i < sent.length; i += 1) {
      const window = w.heartbeatPeriod(this.site.scaled, beatSlot(sent[i - 1]!, `heartbeat ${sent[i - 1]!.beat} was due`));
      checks.push(this.measure(window, sent[i]!, `heartbeat ${sent[i]!.beat} was sent`));
    }
    const expected = Math.floor(nsToMs(span.toNs - span.fromNs) / this.t.heartbeatIntervalMs);
    checks.push(
      this.record(
        sent.length >= expected,
        `${sent.length} heartbeats sent in ${formatDurationMs(nsToMs(span.toNs - span.fromNs))}; expected at least ${expected}`,
      ),
    );
    this.verdicts(checks);
  }

  /** Both CMS receive the one ACD stream of the main CM: the same sequence numbers, read a moment apart. */
  async toFeedBothCmsTheSameData(): Promise<void> {
    await this.observation('now');
    const [primary, secondary] = await Promise.all([this.site.status('cms-primary'), this.site.status('cms-secondary')]);
    // Read one after the other, the two last sequence numbers differ by at most the events of one status round trip.
    const slack = Math.ceil(this.t.acdEventRateHz / 2) + 1;
    const a = primary.acdData;
    const b = secondary.acdData;
    const ok = a !== undefined && b !== undefined && a.received > 0 && b.received > 0 && Math.abs(a.lastSeq - b.lastSeq) <= slack;
    this.verdicts([
      this.record(
        ok,
        `cms-primary received ${a?.received ?? 0} events up to ${a?.lastSeq ?? '?'}, cms-secondary ${b?.received ?? 0} up to ${b?.lastSeq ?? '?'}; expected both fed, within ${slack} events of each other`,
      ),
    ]);
  }

  /** The ESS is in `state` now, serving exactly these CMS. */
  async toShowEss(state: 'STANDBY' | 'ACTIVE', options: { serving: CmsName[] }): Promise<void> {
    const ess = await this.site.status('ess');
    const serving = [...(ess.linkedCms ?? [])].sort();
    const ok = ess.ess?.state === state && JSON.stringify(serving) === JSON.stringify([...options.serving].sort());
    this.verdicts([
      this.record(
        ok,
        `the ESS was ${ess.ess?.state ?? 'of no known state'} serving ${serving.join(', ') || 'no CMS'}; expected ${state} serving ${options.serving.join(', ') || 'no CMS'}`,
      ),
    ]);
  }

  /** `node`'s ACD link is down now (it is cycling through Dual-IP) and it raised ACD_LINK_DOWN. */
  async toShowAcdLinkDown(node: CmsName): Promise<void> {
    await this.site.flush();
    const link = linkAt(this.tl, node, nowNs());
    const alarm = this.tl.first(is.alarm('ACD_LINK_DOWN', true, node), { afterNs: this.ev.startNs });
    this.verdicts([
      this.record(link !== null && link.state !== 'DATA_TRANSFER', `${node}'s ACD link was ${link?.state ?? 'unknown'}; expected it down`),
      this.record(
        alarm !== undefined,
        alarm ? `${node} raised ACD_LINK_DOWN ${instantWords(alarm.ns, this.ev.startNs)}` : `${node} never raised ACD_LINK_DOWN`,
      ),
    ]);
  }

  /** A scheduled ESS return does not fire while the main CM is unreachable: still ACTIVE one redial period past it. */
  async toKeepEssActivePastItsSchedule(essActiveNs: bigint): Promise<void> {
    const scheduleMs = this.site.scaled.policy.essAutoReturnMs;
    if (scheduleMs === null) return this.fail('toKeepEssActivePastItsSchedule needs policy.essAutoReturnMs', null);
    const untilNs = essActiveNs + msToNs(scheduleMs + this.t.keepaliveIntervalMs + w.SCHEDULING_MS);
    await this.untilObserved(untilNs);
    const left = this.tl.first((e) => is.type('ess')(e) && e.state !== 'ACTIVE' && e.ns <= untilNs, {
      afterNs: essActiveNs + 1n,
    });
    this.verdicts([
      this.record(
        left === undefined,
        left
          ? `the ESS went ${(left as EventOfType<'ess'>).state} ${instantWords(left.ns, this.ev.startNs, { ns: essActiveNs, label: 'it went ACTIVE' })} while the main CM was still down; expected it to wait for the CM`
          : `the ESS stayed ACTIVE ${formatDurationMs(nsToMs(untilNs - essActiveNs))} after going ACTIVE, past its scheduled return at ${formatDurationMs(scheduleMs)}, while the main CM was down`,
      ),
    ]);
  }

  /** Once the main CM is back, the ESS, past its schedule, begins its return at its next redial. */
  async toReturnEssOnceCmIsBack(): Promise<void> {
    const heal = this.site.lastHeal;
    if (heal === null) return this.fail('toReturnEssOnceCmIsBack needs the main CM back (a heal) first', null);
    const window = w.essReturnOnceCmBack(this.site.scaled, { ...heal, label: 'the main CM was back' });
    const event = await this.waitEvent(is.ess('RESETTING'), heal.ns, this.end(window), 'the ESS to begin its return');
    if (!event) return this.fail(`the ESS never began its return; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, event, 'the ESS began its scheduled return')]);
  }

  /** After a restart of `origin`'s peer, `origin`'s admin-sync link is up again within the redial period. */
  async toReconnectAdminSync(origin: CmsName): Promise<void> {
    const heal = this.site.lastHeal;
    if (heal === null) return this.fail('toReconnectAdminSync needs a heal first', null);
    const window = w.adminSyncReconnect(this.site.scaled, { ...heal, label: 'the restart' });
    const up = await this.waitEvent(is.adminLink(origin, true), heal.ns, this.end(window), `${origin}'s admin-sync link to come back up`);
    if (!up) return this.fail(`${origin}'s admin-sync link never came back up; expected it ${this.expectedWords(window)}`, window);
    this.verdicts([this.measure(window, up, `${origin}'s admin-sync link was up again`)]);
  }

  /** Over the whole test, the other CMS applied each of these changes exactly once. */
  async toApplyEachOnce(changes: readonly AdminChange[]): Promise<void> {
    await this.site.flush();
    const checks = changes.map((change) => {
      const peer = peerOf(change.origin);
      const applied = this.tl.events(is.admin(peer, 'applied', change.seq, change.origin)).length;
      return this.record(
        applied === 1,
        `change ${change.seq} of ${change.origin} was applied ${applied} time(s) on ${peer}; expected once`,
      );
    });
    this.verdicts(checks);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Invariants

  /**
   * Every invariant of DESIGN §1 (I1–I7) holds over the whole test: judged over the finished timeline once the site
   * had its convergence bound after the last fault healed or step made, and one more heartbeat round to hold.
   */
  async toHoldInvariants(): Promise<void> {
    await this.site.flush();
    const before = factsOf(this.ev.toJSON(), this.site.scaled);
    if (before === null) return this.fail('the invariants need a site the test observed', null);
    await this.untilObserved(settledByNs(before));
    const verdicts = checkInvariants(factsOf(this.ev.toJSON(), this.site.scaled)!);
    this.ev.setInvariants(verdicts);
    this.verdicts(
      verdicts.map((v) => {
        const broken = v.violations.filter((x) => x.void === null);
        const voided = v.violations.filter((x) => x.void !== null);
        if (broken.length > 0) return this.record(false, `${v.invariant} ${v.name}: ${broken.map((x) => x.message).join('; ')}`);
        if (voided.length > 0)
          return this.record(false, `${v.invariant} ${v.name}: ${voided.map((x) => `${x.message}; meanwhile ${x.void}`).join('; ')}`);
        return this.record(true, `${v.invariant} ${v.name}: held`);
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Machinery

  /** The scenario's triggering fault as a window anchor. */
  private trigger(what: string): w.FaultAnchor {
    const fault = this.site.injected[0];
    if (!fault) throw new AssertionError(`expected ${what}, but the scenario injected no fault`);
    const mode = w.failureMode(fault.kind) ?? 'silent';
    const applied = toNs(fault.appliedNs);
    const label = this.site.injected.map((f) => `${f.target} ${FAULT_WORDS[f.kind] ?? f.kind}`).join(' and ');
    return { ns: applied, label, requestMs: nsToMs(toNs(fault.confirmedNs) - applied), mode };
  }

  /** The no-failover observation: from the scenario's fault (or now), twice the latest failover; waits for its end. */
  private async observation(from: 'fault' | 'now' = 'fault'): Promise<{ fromNs: bigint; toNs: bigint } & w.Anchor> {
    const fault = from === 'fault' ? this.site.injected[0] : undefined;
    const fromNs = fault ? toNs(fault.appliedNs) : nowNs();
    const toNsEnd = fromNs + msToNs(w.noFailoverObservationMs(this.site.scaled));
    await this.untilObserved(toNsEnd);
    return { fromNs, toNs: toNsEnd, ns: fromNs, label: fault ? this.trigger('an observation').label : 'the start of the observation' };
  }

  /** Waits until the clock passes `ns` and the timeline holds everything up to then. */
  private async untilObserved(ns: bigint): Promise<void> {
    const remainingMs = nsToMs(ns - nowNs());
    if (remainingMs > 0) {
      await waitFor(() => (nowNs() >= ns ? true : notYet(`${formatDurationMs(nsToMs(ns - nowNs()))} of the window left`)), {
        deadlineMs: remainingMs + 1_000,
        label: 'the end of the observation window',
        intervalsMs: [Math.max(5, Math.min(250, remainingMs / 4))],
      });
    }
    await this.site.flush();
    this.site.reached(ns);
  }

  /** Waits for the first matching event at or after `afterNs`, until `untilNs` (absolute); undefined if none came. */
  private async waitEvent(pred: (e: Stamped) => boolean, afterNs: bigint, untilNs: bigint, what: string): Promise<Stamped | undefined> {
    const found = await this.findEvent(pred, afterNs, untilNs, what);
    // What came, or the end of the wait, is how far the site got.
    this.site.reached(found ? found.ns : untilNs);
    return found;
  }

  private async findEvent(pred: (e: Stamped) => boolean, afterNs: bigint, untilNs: bigint, what: string): Promise<Stamped | undefined> {
    const present = this.tl.first(pred, { afterNs });
    if (present) return present;
    const remainingMs = nsToMs(untilNs - nowNs());
    if (remainingMs > 0) {
      this.site.note(`waiting for ${what}, at the latest in ${formatDurationMs(remainingMs)}`);
      try {
        return await this.tl.waitFor(pred, { afterNs, deadlineMs: remainingMs, label: what });
      } catch (error) {
        if (!isHarnessError(error, 'TIMEOUT')) throw error;
      }
    }
    await this.site.flush();
    return this.tl.first(pred, { afterNs });
  }

  /** The absolute end of the latest of some windows. */
  private end(...windows: Window[]): bigint {
    return windows.reduce((latest, win) => {
      const end = toNs(win.anchorNs) + msToNs(win.toMs);
      return end > latest ? end : latest;
    }, 0n);
  }

  /** Without a window from a fault (a manual switch), how long the supervisor may take: one retry round after ready. */
  private readyBound(node: CmsName, since: bigint): bigint {
    void node;
    return since + msToNs(2 * this.t.keepaliveIntervalMs + w.SCHEDULING_MS);
  }

  private roleAtCheck(node: CmsName, role: HaRole, ns: bigint, anchor: w.Anchor): Check {
    const actual = roleAt(this.tl, node, ns);
    return this.record(
      actual === role,
      `${node} was ${actual ?? 'of no known role'} ${instantWords(ns, this.ev.startNs, anchor)}; expected ${role}`,
    );
  }

  private expectedWords(window: Window): string {
    return windowWords(window);
  }

  /**
   * Records the measurement against the window and its sentence. A timing outside its window while a stand-in's
   * timer fired later than the windows allow says so: the host was overloaded, and that is the reason named.
   */
  private measure(window: Window, event: Stamped, fact: string): Check {
    const m = this.ev.measure(window, event.atNs, fact);
    const words = measuredWords(fact, window, event.ns);
    if (m.withinWindow === true) return this.record(true, words);
    const late = worstLateTimer(this.tl.events(), this.site.injected, toNs(window.anchorNs), event.ns, w.SCHEDULING_MS);
    if (!late) return this.record(false, words);
    return this.record(
      false,
      `${words}; meanwhile a timer of ${late.node} (${late.machine}) fired ${formatDurationMs(late.lateMs)} late, more than the ` +
        `${w.SCHEDULING_MS} ms the windows allow: the host was overloaded (fewer sites at once, --parallel, or a quieter machine)`,
    );
  }

  private record(ok: boolean, text: string): Check {
    this.ev.addAssertion(text, ok);
    return { ok, text };
  }

  /** Throws the failed sentences once every check of the expectation has been recorded. */
  private verdicts(checks: Check[]): void {
    const failed = checks.filter((c) => !c.ok).map((c) => c.text);
    if (failed.length > 0) throw new AssertionError(failed.join('\n'));
  }

  private fail(text: string, window: Window | null): void {
    if (window) this.ev.addWindow(window);
    this.record(false, text);
    throw new AssertionError(text);
  }
}
