// A started CMS HA site for one scenario: the topology, an observer feeding the timeline, the test's evidence, the
// sunny-day state every scenario starts from, and what a scenario does to it: inject faults at a phase of the
// heartbeat cycle, heal them, act as the operator. The expectations (harness/expect) read it.

import type { CmsName, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs, toMonoNs, untilNs } from '../core/clock.js';
import { HarnessError } from '../core/errors.js';
import { formatDurationMs } from '../core/format.js';
import type { EndState, FaultRecord } from '../core/model.js';
import { notYet, waitFor } from '../core/poll.js';
import type { ImageSet, RunContext } from '../core/run-context.js';
import { checkSite } from '../core/site-file.js';
import { scaleSite, withSite, type SiteConfig } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import type { AdminChange, ObservedSite } from '../expect/site-expect.js';
import { settleBounds } from '../expect/windows.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { Evidence } from '../observe/evidence.js';
import { Observer, pollIntervalFor } from '../observe/observer.js';
import { is } from '../observe/site-state.js';
import { waitSunnyDay } from '../observe/sunny-day.js';
import type { Timeline } from '../observe/timeline.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { Topology, type StartedTopology } from '../topology/topology.js';
import { END_STATE_NODES, endStateWords, primaryUndecided, supervisorAway, type Statuses } from './end-state.js';
import type { FaultSpec } from './faults.js';

/** The site a scenario starts from: the run's site with these settings changed (real-time values). */
export interface SiteChange {
  timers?: Partial<SiteConfig['timers']>;
  policy?: Partial<SiteConfig['policy']>;
  wan?: SiteConfig['wan'];
}

export interface SiteOptions {
  /** Scenario family, as the report groups it and containers are named ("primary-down"). */
  scenario: string;
  site?: SiteChange;
}

export interface SiteDeps {
  docker: DockerClient;
  context: RunContext;
  /** Says what the scenario is doing now ("waiting for cms-secondary to become ACTIVE, at the latest in 2.3 s"). */
  progress?: (phase: string) => void;
}

export class Site implements ObservedSite {
  readonly evidence: Evidence;
  /** The site the expectations hold it to, real time; `scaled` is the same at the run's time scale. */
  readonly config: SiteConfig;
  readonly scaled: SiteConfig;
  #injected: FaultRecord[] = [];
  #lastHeal: ObservedSite['lastHeal'] = null;
  #lastOperator: ObservedSite['lastOperator'] = null;
  readonly #handles: FaultHandle[] = [];

  private constructor(
    readonly topology: StartedTopology,
    readonly observer: Observer,
    config: SiteConfig,
    private readonly deps: SiteDeps,
    scenario: string,
  ) {
    this.config = config;
    this.scaled = scaleSite(config, deps.context.timeScale);
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
    const config = checkSite(withSite(context.site, options.site ?? {}), `scenario ${options.scenario}`);
    deps.progress?.('starting the site');
    const spec = {
      ...cmsHaTopology({ name: options.scenario, site: config, timeScale: context.timeScale }),
      standinOverrides: context.standinOverrides,
    };
    const topology = await new Topology(spec).start({ docker: deps.docker, images: images as ImageSet });
    let observer: Observer | undefined;
    try {
      const heartbeatMs = scaleSite(config, context.timeScale).timers.heartbeatIntervalMs;
      observer = await new Observer(topology.controlUrls, { pollIntervalMs: pollIntervalFor(heartbeatMs) }).start();
      const site = new Site(topology, observer, config, deps, options.scenario);
      deps.progress?.('waiting for the sunny-day state');
      await site.#waitSteady();
      return site;
    } catch (error) {
      await observer?.stop();
      await topology.stop();
      throw error;
    }
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

  /** Tells whoever runs the scenario what it is doing now. */
  note(phase: string): void {
    this.deps.progress?.(phase);
  }

  /**
   * Injects faults together at `phase` (0 ≤ phase < 1) of the heartbeat cycle: that fraction of a heartbeat interval
   * after a heartbeat the secondary sends. A real failure comes at any point of the cycle; the phase comes from the
   * run's seed, so a run replays. `'now'` injects at once (a precondition of the scenario, not its timed fault).
   */
  async inject(faults: readonly FaultSpec[], when: { phase: number } | 'now'): Promise<FaultHandle[]> {
    if (when !== 'now') {
      const periodMs = this.scaled.timers.heartbeatIntervalMs;
      await this.flush();
      const tick = this.timeline.last(is.heartbeat('sent', 'cms-secondary'));
      if (!tick) throw new HarnessError('START_FAILED', 'no heartbeat of the secondary seen yet: the cycle to inject in is unknown');
      const plannedNs = injectionInstant(BigInt(tick.atNs), nowNs(), periodMs, when.phase);
      this.evidence.setInjection({ cycle: 'heartbeat', phase: when.phase, periodMs, tickNs: tick.atNs, plannedNs: toMonoNs(plannedNs) });
      this.note(
        `injecting ${faults.map((f) => `${f.target} ${f.words}`).join(' + ')} at phase ${when.phase.toFixed(3)} of the heartbeat cycle`,
      );
      await untilNs(plannedNs);
    }
    const handles = await Promise.all(faults.map((fault) => fault.apply(this.topology, this.scaled)));
    this.#handles.push(...handles);
    if (when !== 'now' || this.#injected.length === 0) this.#injected = handles.map((h) => h.record);
    return handles;
  }

  /**
   * Heals faults (default: every one still in force) together; resolves once the heals are in effect (a killed node
   * runs again and takes connections). The expectations count a return from the heal: from its first request's start,
   * widened by the time until the last was in effect, since each took effect somewhere within its request.
   */
  async heal(handles: readonly FaultHandle[] = this.#handles.filter((h) => h.record.removedNs === null)): Promise<void> {
    this.note(`healing ${handles.map((h) => `${h.record.kind} ${h.record.target}`).join(' + ')}`);
    await Promise.all(handles.map((h) => h.remove()));
    const removed = handles.map((h) => BigInt(h.record.removedNs!));
    const healed = handles.map((h) => BigInt(h.record.healedNs!));
    const fromNs = removed.reduce((a, b) => (b < a ? b : a));
    const toNs = healed.reduce((a, b) => (b > a ? b : a));
    this.#lastHeal = { ns: fromNs, requestMs: nsToMs(toNs - fromNs), label: handles.map((h) => `${h.record.target} back`).join(' and ') };
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
        () =>
          this.observer.control('cm', { action: 'forced-takeover' }).then(
            () => true,
            (e: Error) => notYet(e.message),
          ),
        { deadlineMs, label: 'the main CM to accept the forced takeover (the ESS registered again)' },
      );
      this.#lastOperator = { node: 'cm', ns: sentNs, action: 'forced-takeover' };
    },
    /** An administration change on `node` (whichever CMS is ACTIVE accepts it). */
    adminChange: async (node: CmsName, change: string): Promise<AdminChange> => {
      const { seq } = await this.observer.control(node, { action: 'admin-change', change });
      if (seq === undefined) throw new HarnessError('CONTROL_FAILED', `${node} acknowledged an admin change without a sequence number`);
      const changed = await this.timeline.waitFor(is.admin(node, 'changed', seq, node), {
        deadlineMs: 5_000,
        label: `change ${seq} recorded on ${node}`,
      });
      return { origin: node, seq, changedNs: BigInt(changed.atNs) };
    },
  };

  async #act(node: CmsName, action: 'set-active' | 'set-standby', request: { action: 'set-active' | 'set-standby' }): Promise<void> {
    const sentNs = nowNs();
    await this.observer.control(node, request);
    this.#lastOperator = { node, ns: sentNs, action };
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

  /** Ends the test: end state, last container log lines, evidence attached to the mocha test, site removed. */
  async finish(test: Mocha.Runnable | undefined): Promise<void> {
    try {
      // A node that cannot answer now shows as unobservable in the end state; the evidence so far is kept.
      await this.flush().catch(() => undefined);
      this.evidence.setEndState(await this.#settledEndState());
      const logs = await this.topology.logs(40);
      for (const [node, lines] of Object.entries(logs)) this.evidence.setLogs(node as NodeName, lines ?? []);
      this.evidence.finish();
      this.evidence.attachTo(test);
    } finally {
      this.note('removing the site');
      await this.observer.stop();
      await this.topology.stop();
    }
  }
}

/**
 * The next instant at `phase` of a cycle of `periodMs` that began at `tickNs`, counting whole cycles on from it, that
 * is still at least `leadMs` after `atNs`: an instant closer than that could not be kept, and the fault would be late.
 */
export function injectionInstant(tickNs: bigint, atNs: bigint, periodMs: number, phase: number, leadMs = 5): bigint {
  const cycles = Math.max(0, Math.ceil((nsToMs(atNs - tickNs) + leadMs) / periodMs - phase));
  return tickNs + msToNs((cycles + phase) * periodMs);
}

function noImages(): HarnessError {
  return new HarnessError(
    'SETUP_FAILED',
    'No images for the site: this process was started without the set-up (CMSHA_IMAGES is empty). Run the scenarios through `npx cmsha run` or `npm test`, which set up first.',
  );
}
