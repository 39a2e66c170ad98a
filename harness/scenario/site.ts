// A started CMS HA site for one scenario: the topology, an observer feeding the timeline, the test's evidence, the
// sunny-day state every scenario starts from, and what a scenario does to it: inject faults at a phase of the
// heartbeat cycle, heal them, act as the operator. The expectations (harness/expect) read it.

import { AssertionError } from 'chai';
import type { AdminView, CmsName, ControlRequest, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs, toMonoNs, toNs, untilNs } from '../core/clock.js';
import { HarnessError, isHarnessError } from '../core/errors.js';
import { formatDurationMs } from '../core/format.js';
import type { ActionRecord, EndState, FaultRecord, HarnessFault, Injection, TimedStep } from '../core/model.js';
import { notYet, waitFor } from '../core/poll.js';
import type { ImageSet, RunContext } from '../core/run-context.js';
import { checkSite } from '../core/site-file.js';
import { scaleSite, siteImageOf, withSite, type ScaledSite, type SiteConfig } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import type { AdminChange } from '../check/timeline-checks.js';
import type { ObservedSite } from '../expect/context.js';
import { SCHEDULING_MS, settleBounds, type HealAnchor } from '../check/windows.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { Evidence } from '../observe/evidence.js';
import { Observer, pollIntervalFor } from '../observe/observer.js';
import { is } from '../observe/site-state.js';
import { waitSunnyDay } from '../observe/sunny-day.js';
import type { Timeline } from '../observe/timeline.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { standinImage } from '../topology/standin.js';
import { machineryFailed } from '../topology/machinery.js';
import { Topology, type StartedTopology } from '../topology/topology.js';
import { END_STATE_NODES, endStateWords, primaryUndecided, supervisorAway, type Statuses } from './end-state.js';
import { kill, stop, type FaultSpec } from './faults.js';

/** The site a scenario starts from: the run's site with these settings changed (real-time values). */
export interface SiteChange {
  timers?: Partial<SiteConfig['timers']>;
  policy?: Partial<SiteConfig['policy']>;
  wan?: SiteConfig['wan'];
  /** The version a node reports instead of its image's (DESIGN §1 "Versions"). */
  versions?: SiteConfig['versions'];
}

/** What an upgraded node runs: another image, another version, or both (default: the run's upgrade target). */
export interface UpgradeTarget {
  image?: string;
  version?: string;
}

/**
 * When a timed injection goes in: at a phase of the heartbeat cycle the scenario gives, at the seeded phase of the
 * scenario's next timed step (a repeated fault: flapping), or at once (a precondition, not a timed fault).
 */
export type InjectTiming = { phase: number } | 'seeded' | 'now';

/**
 * When a heal is made: at the seeded phase of the scenario's next timed step (default), at once, or at a seeded phase
 * at least `held` heartbeat cycles after the (latest) fault healed was applied: a fault held for a set length.
 */
export type HealTiming = 'seeded' | 'now' | { held: number };

/** How a node is restarted: SIGKILL (default), or gracefully, SIGTERM through the stop fault. */
export interface RestartOptions {
  graceful?: boolean;
}

export interface SiteOptions {
  /** Scenario family, as the report groups it and containers are named ("primary-down"). */
  scenario: string;
  site?: SiteChange;
  /** The scenario upgrades the site: it starts on the run's upgrade's images (`validate`: the baseline's). */
  upgrade?: boolean;
}

export interface SiteDeps {
  docker: DockerClient;
  context: RunContext;
  /** Says what the scenario is doing now ("waiting for cms-secondary to become ACTIVE, at the latest in 2.3 s"). */
  progress?: (phase: string) => void;
  /** The seeded phase of the heartbeat cycle of the scenario's n-th timed step after its injection (from 1). */
  stepPhase: (n: number) => number;
}

export class Site implements ObservedSite {
  readonly evidence: Evidence;
  /** The site the expectations hold it to, real time; `scaled` is the same at the run's time scale, scaled once. */
  readonly config: SiteConfig;
  readonly scaled: ScaledSite;
  #injected: FaultRecord[] = [];
  #lastHeal: ObservedSite['lastHeal'] = null;
  /** Timed steps so far, and the latest instant an expectation saw the site reach (what the next step counts from). */
  #steps = 0;
  #reachedNs: bigint | null = null;
  #lastOperator: ObservedSite['lastOperator'] = null;
  readonly #handles: FaultHandle[] = [];
  readonly #endChecks: Array<() => Promise<void>> = [];

  private constructor(
    readonly topology: StartedTopology,
    readonly observer: Observer,
    config: SiteConfig,
    scaled: ScaledSite,
    private readonly deps: SiteDeps,
    scenario: string,
  ) {
    this.config = config;
    this.scaled = scaled;
    this.evidence = new Evidence(
      scenario,
      { site: config, timeScale: deps.context.timeScale, overrides: deps.context.standinOverrides },
      { timeline: observer.timeline },
    );
    topology.faultLog.listen({
      applied: (record) => this.evidence.addFault(record),
      removed: (record) => this.evidence.faultRemoved(record),
    });
  }

  /** Starts the site and waits for its sunny-day state. A failure removes what was made, then rethrows. */
  static async start(options: SiteOptions, deps: SiteDeps): Promise<Site> {
    const { context } = deps;
    const images = context.images;
    if (images === null) throw noImages();
    const changed = withSite(context.site, options.site ?? {});
    // An upgrade starts on the images it upgrades from (validate's baseline); every other scenario on the run's own.
    const from = options.upgrade && context.upgrade ? { ...changed, images: { ...changed.images, ...context.upgrade.from } } : changed;
    const config = checkSite(from, `scenario ${options.scenario}`);
    deps.progress?.('starting the site');
    const scaled = scaleSite(config, context.timeScale);
    const spec = { ...cmsHaTopology({ name: options.scenario, site: config, scaled }), standinOverrides: context.standinOverrides };
    const topology = await new Topology(spec).start({ docker: deps.docker, images: images as ImageSet });
    let observer: Observer | undefined;
    try {
      observer = await new Observer(topology.controlUrls, { pollIntervalMs: pollIntervalFor(scaled.timers.heartbeatIntervalMs) }).start();
      const site = new Site(topology, observer, config, scaled, deps, options.scenario);
      deps.progress?.('waiting for the sunny-day state');
      await site.#waitSteady();
      await Promise.all(spec.nodes.filter((n) => n.image === 'standin').map((n) => site.#recordRun(n.name, standinImage(spec, n, images))));
      return site;
    } catch (error) {
      // A site that never reached its sunny day because its machinery broke is the harness's failure: say which part.
      const broken = await topology.checkMachinery().catch(() => null);
      await observer?.stop();
      await topology.stop();
      throw broken ? machineryFailed(broken, error) : error;
    }
  }

  /**
   * Whether the site's own machinery still works (its engine, its Toxiproxy, every stand-in and holder a fault of the
   * scenario did not stop): the first broken part, or null. The scenario form asks it right after a failure.
   */
  checkMachinery(): Promise<HarnessFault | null> {
    return this.topology.checkMachinery();
  }

  get timeline(): Timeline {
    return this.observer.timeline;
  }

  get injected(): readonly FaultRecord[] {
    return this.#injected;
  }

  get lastHeal(): ObservedSite['lastHeal'] {
    return this.#lastHeal;
  }

  get lastOperator(): ObservedSite['lastOperator'] {
    return this.#lastOperator;
  }

  flush(): Promise<void> {
    return this.observer.flush();
  }

  status(node: NodeName): Promise<StandinStatus> {
    return this.observer.status(node);
  }

  /** The administration changes the operator made on `origin` so far and the site accepted, oldest first. */
  adminChanges(origin: CmsName): AdminChange[] {
    return this.evidence.actions
      .filter((a) => a.action === 'admin-change' && a.accepted && a.node === origin && a.changeSeq !== undefined)
      .map((a) => {
        const changed = this.timeline.first(is.admin(origin, 'changed', a.changeSeq, origin), { afterNs: toNs(a.atNs) });
        return { origin, seq: a.changeSeq!, changedNs: changed?.ns ?? toNs(a.atNs) };
      });
  }

  /** What a CMS holds of the administration: each object's value, the conflict records, its queue (GET /admin). */
  adminView(node: CmsName): Promise<AdminView> {
    return this.observer.adminView(node);
  }

  /** Tells whoever runs the scenario what it is doing now. */
  note(phase: string): void {
    this.deps.progress?.(phase);
  }

  /** Leaves a check for the end of the scenario (an expectation observing "until the end"); see checkAtEnd. */
  atEnd(check: () => Promise<void>): void {
    this.#endChecks.push(check);
  }

  /**
   * Runs the checks left for the end of the scenario, once its outcome is over and before the site is removed (the
   * scenario form calls it): each records its sentences; the failures are thrown together, failing the test here.
   */
  async checkAtEnd(): Promise<void> {
    await runEndChecks(this.#endChecks.splice(0));
  }

  /**
   * Injects faults together at `phase` (0 ≤ phase < 1) of the heartbeat cycle (see #plan). A real failure comes at any
   * point of the cycle; the phase comes from the run's seed, so a run replays. `'seeded'` makes the injection the
   * scenario's next timed step (a fault that comes again, at its own seeded phase, after what the site last did);
   * `'now'` injects at once (a precondition of the scenario, not its timed fault). A timed injection becomes the one
   * the expectations count from.
   */
  async inject(faults: readonly FaultSpec[], when: InjectTiming): Promise<FaultHandle[]> {
    if (when === 'seeded') {
      if (faults.length === 0) return [];
      let handles: FaultHandle[] = [];
      await this.#timed('inject', faults.map((f) => `${f.target} ${f.words}`).join(' + '), 0, async (atNs) => {
        await untilNs(atNs);
        handles = await this.#apply(faults);
        this.#injected = handles.map((h) => h.record);
        return handles.map((h) => h.appliedNs).reduce((a, b) => (b < a ? b : a));
      });
      return handles;
    }
    if (when !== 'now') {
      const { plan } = this.#plan(when.phase, 0);
      this.note(
        `injecting ${faults.map((f) => `${f.target} ${f.words}`).join(' + ')} at phase ${when.phase.toFixed(3)} of the heartbeat cycle`,
      );
      this.evidence.setInjection(plan);
      await untilNs(toNs(plan.plannedNs));
    }
    const handles = await this.#apply(faults);
    if (when !== 'now' || this.#injected.length === 0) this.#injected = handles.map((h) => h.record);
    return handles;
  }

  async #apply(faults: readonly FaultSpec[]): Promise<FaultHandle[]> {
    const handles = await Promise.all(faults.map((fault) => fault.apply(this.topology, this.scaled)));
    this.#handles.push(...handles);
    return handles;
  }

  /**
   * Heals faults (default: every one still in force) together, as a timed step (see #timed), at once (`'now'`), or
   * held: at a seeded phase at least `held` heartbeat cycles after the latest of them was applied. Resolves once the
   * heals are in effect; what is timed from the heal counts from healAnchor.
   */
  async heal(
    handles: readonly FaultHandle[] = this.#handles.filter((h) => h.record.removedNs === null),
    timing: HealTiming = 'seeded',
  ): Promise<void> {
    const words = handles.map((h) => `${h.record.kind} ${h.record.target}`).join(' + ');
    if (timing === 'now') {
      this.note(`healing ${words}`);
      await this.#remove(handles, null);
      return;
    }
    const notBeforeNs = typeof timing === 'object' ? heldUntilNs(handles, timing.held, this.scaled.timers.heartbeatIntervalMs) : null;
    const leadMs = handles.some(startsAgain) ? this.#restartMs : 0;
    const held = typeof timing === 'object' ? ` (held ≥ ${timing.held} cycles)` : '';
    await this.#timed('heal', `${words}${held}`, leadMs, (atNs) => this.#remove(handles, atNs), notBeforeNs);
  }

  /**
   * Restarts a node, as a timed step: SIGKILL (or, `graceful`, SIGTERM through the stop fault), then started again at
   * once (a stand-in keeps what it saved on its volume). It is down for the engine's restart allowance and begins
   * again at the step's phase; a graceful stop that takes longer makes the step late (marked so).
   */
  /**
   * Upgrades a node, as a timed step: stopped gracefully, started again on the target's image (reporting its version),
   * keeping what it saved, and begun at the step's phase (see restart). The target defaults to the run's upgrade (the
   * candidate's images in `validate`), else the node's own image: an upgrade to the same software.
   */
  async upgrade(node: CmsName, to: UpgradeTarget = {}): Promise<FaultHandle> {
    const target = this.upgradeTarget(node, to);
    let handle: FaultHandle | undefined;
    await this.#timed(
      'upgrade',
      `${node} to ${target.image}${target.version ? ` (${target.version})` : ''}`,
      this.#restartMs,
      async (atNs) => {
        await untilNs(atNs - msToNs(this.#restartMs));
        const down = await this.topology.nodes.upgrade(node, target, 1);
        handle = down;
        this.#handles.push(down);
        const begun = await this.#remove([down], atNs);
        await this.#recordRun(node, target.image);
        return begun;
      },
    );
    return handle!;
  }

  /** What `upgrade(node, to)` starts the node on: the given image and version, else the run's upgrade target's. */
  upgradeTarget(node: CmsName, to: UpgradeTarget = {}): { image: string; version?: string } {
    const upgrade = this.deps.context.upgrade;
    const image =
      to.image ??
      (upgrade ? siteImageOf(upgrade.to, node) : undefined) ??
      siteImageOf(this.config.images, node) ??
      this.topology.images.standin;
    const version = to.version ?? upgrade?.versions?.[node];
    return version === undefined ? { image } : { image, version };
  }

  async restart(node: NodeName, options: RestartOptions = {}): Promise<void> {
    const words = options.graceful ? `${node} gracefully` : node;
    await this.#timed('restart', words, this.#restartMs, async (atNs) => {
      await untilNs(atNs - msToNs(this.#restartMs));
      const [down] = await this.inject([options.graceful ? stop(node) : kill(node)], 'now');
      return this.#remove([down!], atNs);
    });
  }

  /**
   * An expectation saw the site get this far: an event it waited for, the end of an observation. The harness's next
   * timed step counts its cycle from the latest such instant (see #plan).
   */
  reached(ns: bigint): void {
    if (this.#reachedNs === null || ns > this.#reachedNs) this.#reachedNs = ns;
  }

  /**
   * The first instant at `phase` (0 ≤ phase < 1) of the heartbeat cycle at least `leadMs` after `afterNs`: how a
   * schedule's step is placed (a replay lands on the same point of the cycle).
   */
  instantAtPhase(phase: number, afterNs: bigint, leadMs = 0): bigint {
    const tick = this.timeline.last(is.heartbeat('sent', 'cms-secondary'));
    if (!tick) throw new HarnessError('START_FAILED', 'no heartbeat of the secondary seen yet: the cycle to act in is unknown');
    return injectionInstant(tick.ns, afterNs, this.scaled.timers.heartbeatIntervalMs, phase, LEAD_MS + leadMs);
  }

  /**
   * Heals at `atNs`: a link or a frozen node then; a killed or stopped node is started at once and begins its life then
   * (call it at least `restartLeadMs` ahead). Resolves with the instant the heal took effect.
   */
  healAt(handles: readonly FaultHandle[], atNs: bigint): Promise<bigint> {
    return this.#remove(handles, atNs);
  }

  /** How long before its instant a heal that starts a node again must be asked for (see #restartMs). */
  get restartLeadMs(): number {
    return this.#restartMs;
  }

  /**
   * Asks `node` for `request` as the operator; a refusal (a STANDBY CMS refuses administration, a role it has already)
   * is an answer, recorded with its reason, not an error. No answer at all is the harness's failure and throws.
   */
  async act(node: NodeName, request: ControlRequest, what: { object?: string; value?: string } = {}): Promise<ActionRecord> {
    const sentNs = nowNs();
    const action = request.action as ActionRecord['action'];
    let record: ActionRecord;
    try {
      const answer = await this.observer.control(node, request);
      record = {
        action,
        node,
        atNs: toMonoNs(sentNs),
        doneNs: toMonoNs(nowNs()),
        accepted: true,
        detail: answer.seq === undefined ? 'acknowledged' : `change ${answer.seq} of ${answer.origin ?? node}`,
        ...what,
        ...(answer.seq === undefined ? {} : { changeSeq: answer.seq }),
      };
    } catch (error) {
      const status = isHarnessError(error, 'CONTROL_FAILED') ? (error.details?.['status'] as number | null) : null;
      if (status === null || status === undefined || status < 400 || status >= 500) throw error;
      record = {
        action,
        node,
        atNs: toMonoNs(sentNs),
        doneNs: toMonoNs(nowNs()),
        accepted: false,
        detail: (error as Error).message,
        ...what,
      };
    }
    this.evidence.addAction(record);
    if (record.accepted) {
      // What a role command or a takeover is timed from; administration times from its own `changed` event.
      if (action !== 'admin-change') this.#lastOperator = { node, ns: sentNs, action, requestMs: nsToMs(toNs(record.doneNs) - sentNs) };
      this.reached(sentNs);
    }
    return record;
  }

  /**
   * Heals at `atNs` (null: at once): a link or a frozen node then; a killed or stopped node is started at once and
   * begins its life then. Returns when the heal took effect (healAnchor), and records it as the last heal.
   */
  async #remove(handles: readonly FaultHandle[], atNs: bigint | null): Promise<bigint> {
    const gate = atNs === null ? undefined : () => untilNs(atNs);
    await Promise.all(handles.map((h) => (startsAgain(h) || !gate ? h.remove(gate) : gate().then(() => h.remove()))));
    // A restarted node's `begun` event is what its heal counts from: read it in.
    if (handles.some(startsAgain)) await this.flush();
    const anchor = healAnchor(handles.map((h) => this.#healEffect(h)));
    this.#lastHeal = anchor;
    this.reached(anchor.ns + msToNs(anchor.requestMs));
    return anchor.ns;
  }

  /**
   * When a heal took effect, as its timings count it: a restarted node's life begins at its own `begun` event (the
   * engine's start latency is the harness's, not the site's); any other heal took effect within its request.
   */
  #healEffect(handle: FaultHandle): HealEffect {
    const { target, removedNs, healedNs } = handle.record;
    const requestNs = { fromNs: toNs(removedNs!), toNs: toNs(healedNs!) };
    if (!startsAgain(handle)) return { ...requestNs, label: `${target} back` };
    const begun = this.timeline.first(is.begun(target as NodeName), { afterNs: requestNs.fromNs });
    if (!begun) return { ...requestNs, label: `${target} restarted` };
    return { fromNs: begun.ns, toNs: begun.ns, label: `${target} began again` };
  }

  /**
   * How long before its phase a timed step that starts a node again begins: the engine's restart (start, listeners
   * up) took 160–890 ms here with up to 8 sites at once. A step needing longer is late, and marked so. Kept under a
   * third of the failover time, so a restarted primary is never down long enough for a failover.
   */
  get #restartMs(): number {
    const t = this.scaled.timers;
    return Math.min(2_000, (t.heartbeatMisses * t.heartbeatIntervalMs) / 3);
  }

  /**
   * A step of the harness after the injection (a heal, a restart, an operator's action), made at a phase of the
   * heartbeat cycle drawn from the run's seed, the test and the step's number (see #plan). A repair or an operator
   * comes at any point of the cycle too, and a seeded one makes what is timed from it replay with the seed, as the
   * faults do. `act` makes the step take effect at the planned instant, at least `leadMs` ahead, and says when it did.
   */
  async #timed(
    kind: string,
    words: string,
    leadMs: number,
    act: (atNs: bigint) => Promise<bigint>,
    notBeforeNs: bigint | null = null,
  ): Promise<void> {
    this.#steps += 1;
    const phase = this.deps.stepPhase(this.#steps);
    const { plan, late, reachedNs } = this.#plan(phase, leadMs, notBeforeNs);
    this.note(`${kind} ${words} at phase ${phase.toFixed(3)} of the heartbeat cycle`);
    const madeNs = await act(toNs(plan.plannedNs));
    // Made later than the scheduling tolerance (an engine slower than its restart allowance): a replay may differ.
    const madeLate = madeNs - toNs(plan.plannedNs) > msToNs(SCHEDULING_MS);
    this.evidence.addStep({
      ...plan,
      step: `${kind} ${this.#steps}: ${words}`,
      madeNs: toMonoNs(madeNs),
      late: late || madeLate,
      reachedNs,
    });
  }

  /**
   * The instant at `phase` (0 ≤ phase < 1) of the heartbeat cycle: that fraction of a heartbeat interval after a
   * heartbeat the secondary sends, at least `leadMs` ahead. The cycle is the first whose instant at the phase comes
   * `leadMs` after what the site last did plus the harness's margin to see that and act (two polls and the scheduling
   * tolerance), not after whenever the harness got here: so a replay chooses the same cycle. A harness later than
   * that counts from its arrival (`late`).
   */
  #plan(phase: number, leadMs: number, notBeforeNs: bigint | null = null): { plan: Injection } & Pick<TimedStep, 'late' | 'reachedNs'> {
    const periodMs = this.scaled.timers.heartbeatIntervalMs;
    // Any heartbeat seen will do: whole cycles are counted on from it.
    const tick = this.timeline.last(is.heartbeat('sent', 'cms-secondary'));
    if (!tick) throw new HarnessError('START_FAILED', 'no heartbeat of the secondary seen yet: the cycle to act in is unknown');
    const { plannedNs, late } = planStep({
      tickNs: tick.ns,
      periodMs,
      phase,
      leadMs: LEAD_MS + leadMs,
      reachedNs: this.#reachedNs === null ? null : this.#reachedNs + msToNs(2 * this.observer.pollIntervalMs + SCHEDULING_MS),
      notBeforeNs,
      nowNs: nowNs(),
    });
    return {
      plan: { cycle: 'heartbeat', phase, periodMs, tickNs: tick.atNs, plannedNs: toMonoNs(plannedNs) },
      late,
      reachedNs: this.#reachedNs === null ? null : toMonoNs(this.#reachedNs),
    };
  }

  /** The operator's actions on the site (the manual procedures of the seed). */
  readonly operator = {
    setActive: (node: CmsName) => this.#act(node, 'set-active', { action: 'set-active' }),
    setStandby: (node: CmsName) => this.#act(node, 'set-standby', { action: 'set-standby' }),
    /** Orders the ESS back to STANDBY through the main CM; the ESS must have registered with it (it redials). */
    forcedTakeover: async (): Promise<void> => {
      const deadlineMs =
        this.scaled.timers.keepaliveMisses * this.scaled.timers.keepaliveIntervalMs + this.scaled.timers.keepaliveIntervalMs;
      this.note('waiting for the ESS to register with the main CM, to order the forced takeover');
      const sentNs = nowNs();
      await waitFor(
        async () => {
          const record = await this.act('cm', { action: 'forced-takeover' });
          return record.accepted ? true : notYet(record.detail);
        },
        { deadlineMs, label: 'the main CM to accept the forced takeover (the ESS registered again)' },
      );
      this.#lastOperator = { node: 'cm', ns: sentNs, action: 'forced-takeover', requestMs: nsToMs(nowNs() - sentNs) };
    },
    /**
     * An administration change on `node` (whichever CMS is ACTIVE accepts it): `object` takes `value` (default: the
     * object's own name, for a change whose value does not matter).
     */
    adminChange: async (node: CmsName, object: string, value: string = object): Promise<AdminChange> => {
      const record = await this.act(node, { action: 'admin-change', object, value }, { object, value });
      if (!record.accepted) throw new HarnessError('CONTROL_FAILED', record.detail);
      const seq = record.changeSeq;
      if (seq === undefined) throw new HarnessError('CONTROL_FAILED', `${node} acknowledged an admin change without a sequence number`);
      const changed = await this.timeline.waitFor(is.admin(node, 'changed', seq, node), {
        deadlineMs: 5_000,
        label: `change ${seq} recorded on ${node}`,
      });
      this.reached(changed.ns);
      return { origin: node, seq, changedNs: changed.ns };
    },
  };

  /** A role command of the operator, as a timed step: an operator acts at any point of the heartbeat cycle too. */
  async #act(node: CmsName, action: 'set-active' | 'set-standby', request: { action: 'set-active' | 'set-standby' }): Promise<void> {
    await this.#timed('operator', `${action} ${node}`, 0, async (atNs) => {
      await untilNs(atNs);
      const record = await this.act(node, request);
      if (!record.accepted) throw new HarnessError('CONTROL_FAILED', record.detail);
      return toNs(record.atNs);
    });
  }

  /** Records the image a node's stand-in runs now and the version it reports (the report says what actually ran). */
  async #recordRun(node: NodeName, image: string): Promise<void> {
    const status = await this.status(node);
    const plants = status.plants && status.plants.length > 0 ? { plants: status.plants } : {};
    this.evidence.addNodeRun(node, { image, version: status.version ?? 'unknown', ...plants, sinceNs: toMonoNs(nowNs()) });
  }

  async #waitSteady(): Promise<void> {
    await waitSunnyDay((node) => this.status(node), this.scaled.timers);
  }

  async #statuses(): Promise<Statuses> {
    const read = await Promise.all(END_STATE_NODES.map(async (node) => [node, await this.status(node).catch(() => undefined)] as const));
    return Object.fromEntries(read.filter(([, status]) => status !== undefined));
  }

  /** The state each node ended in, once the site settled within the bounds its timers set (see end-state.ts). */
  async #settledEndState(): Promise<EndState> {
    const bounds = settleBounds(this.scaled);
    let statuses = await this.#statuses();
    statuses = await this.#settle(statuses, 'the returning primary to decide its role', bounds.primaryDecidesMs, primaryUndecided);
    statuses = await this.#settle(statuses, 'the supervisor to log in to the ACTIVE CMS', bounds.supervisorLogsInMs, supervisorAway);
    return endStateWords(statuses);
  }

  /**
   * The statuses once `pending` says nothing is pending (at once, from those given, when it already holds); a site not
   * settled by the bound ends as it is then.
   */
  async #settle(statuses: Statuses, label: string, deadlineMs: number, pending: (s: Statuses) => string | null): Promise<Statuses> {
    if (pending(statuses) === null) return statuses;
    this.note(`waiting for ${label} before reading the end state, at the latest in ${formatDurationMs(deadlineMs)}`);
    try {
      const settled = await waitFor(
        async () => {
          const now = await this.#statuses();
          const why = pending(now);
          return why === null ? now : notYet(why);
        },
        { deadlineMs, label },
      );
      return settled.value;
    } catch (error) {
      if (!(error instanceof HarnessError && error.code === 'TIMEOUT')) throw error;
      return this.#statuses();
    }
  }

  /** Ends the test: end state, last container log lines, evidence attached to the mocha test (if any), site removed. */
  async finish(test?: Mocha.Runnable): Promise<void> {
    try {
      // A node that cannot answer now shows as unobservable in the end state; the evidence so far is kept.
      await this.flush().catch(() => undefined);
      this.evidence.setEndState(await this.#settledEndState());
      const logs = await this.topology.logs(40);
      for (const [node, lines] of Object.entries(logs)) this.evidence.setLogs(node as NodeName, lines ?? []);
      this.evidence.finish();
      if (test !== undefined) this.evidence.attachTo(test);
    } finally {
      this.note('removing the site');
      await this.observer.stop();
      await this.topology.stop();
    }
  }
}

/** How far ahead an instant must be for the harness to keep it. */
const LEAD_MS = 5;

/** A heal that starts the node again (after a kill or a stop): its life begins anew. */
function startsAgain(handle: FaultHandle): boolean {
  return handle.record.kind === 'kill' || handle.record.kind === 'stop';
}

/**
 * The next instant at `phase` of a cycle of `periodMs` that began at `tickNs`, counting whole cycles on from it, that
 * is still at least `leadMs` after `atNs`: an instant closer than that could not be kept, and the fault would be late.
 */
export function injectionInstant(tickNs: bigint, atNs: bigint, periodMs: number, phase: number, leadMs = LEAD_MS): bigint {
  const cycles = Math.max(0, Math.ceil((nsToMs(atNs - tickNs) + leadMs) / periodMs - phase));
  return tickNs + msToNs((cycles + phase) * periodMs);
}

/**
 * Runs every check left for the end of a scenario, each whatever the others did, then throws: a lone failure as it
 * is, several as one AssertionError of all their sentences.
 */
export async function runEndChecks(checks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  const failures: unknown[] = [];
  for (const check of checks) await check().catch((error: unknown) => failures.push(error));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AssertionError(failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n'));
}

/**
 * Where a timed step goes (see Site.#plan): at `phase` of the cycle, `leadMs` ahead of whichever is later, what the site
 * last did (`reachedNs`, margin included: so a replay chooses the same cycle) and `notBeforeNs` (a fault held for a
 * set length); `late` when the harness came after that instant, and then from now (still not before `notBeforeNs`).
 */
export function planStep(p: {
  tickNs: bigint;
  periodMs: number;
  phase: number;
  leadMs: number;
  reachedNs: bigint | null;
  notBeforeNs: bigint | null;
  nowNs: bigint;
}): { plannedNs: bigint; late: boolean } {
  const later = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);
  const base = later(p.reachedNs, p.notBeforeNs);
  const replayed = base === null ? null : injectionInstant(p.tickNs, base, p.periodMs, p.phase, p.leadMs);
  const late = replayed !== null && replayed < p.nowNs + msToNs(p.leadMs);
  if (replayed !== null && !late) return { plannedNs: replayed, late };
  return { plannedNs: injectionInstant(p.tickNs, later(p.nowNs, p.notBeforeNs)!, p.periodMs, p.phase, p.leadMs), late };
}

/** The earliest a heal of faults held `held` heartbeat cycles may come: that long after the latest was applied. */
export function heldUntilNs(handles: readonly Pick<FaultHandle, 'appliedNs'>[], held: number, heartbeatIntervalMs: number): bigint {
  if (!(Number.isFinite(held) && held > 0))
    throw new HarnessError('BAD_INPUT', `site.heal: option "held" must be a number of heartbeat cycles above 0, got ${held}`, {
      details: { option: 'held', value: held },
    });
  const applied = handles.map((h) => h.appliedNs).reduce((a, b) => (b > a ? b : a), 0n);
  return applied + msToNs(held * heartbeatIntervalMs);
}

/** When one heal took effect: between two instants (the same one when a protocol event says it exactly). */
export interface HealEffect {
  fromNs: bigint;
  toNs: bigint;
  label: string;
}

/**
 * What the timings after heals made together count from: the earliest instant one took effect, widened by the time
 * until the last surely had.
 */
export function healAnchor(effects: readonly HealEffect[]): HealAnchor {
  if (effects.length === 0) throw new HarnessError('BAD_INPUT', 'a heal needs at least one fault to heal');
  const fromNs = effects.map((e) => e.fromNs).reduce((a, b) => (b < a ? b : a));
  const toNs = effects.map((e) => e.toNs).reduce((a, b) => (b > a ? b : a));
  return { ns: fromNs, requestMs: nsToMs(toNs - fromNs), label: effects.map((e) => e.label).join(' and ') };
}

function noImages(): HarnessError {
  return new HarnessError(
    'SETUP_FAILED',
    'No images for the site: this process was started without the set-up (its run context has no images). Run the scenarios through `npx cmsha run` or `npm test`, which set up first.',
  );
}
