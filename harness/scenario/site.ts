// A started CMS HA site for one scenario test: the topology, an observer feeding one timeline, the test's
// evidence (faults, windows, measurements, logs) and the steady state every scenario starts from.

import type { HaRole, NodeName, Policy, StandinStatus, Timers } from '../../images/protocol/index.js';
import { loadRunConfig, type RunConfig } from '../core/run-config.js';
import type { WindowConfig } from '../expect/windows.js';
import { Evidence, expectedWindow, type WindowBounds } from '../observe/evidence.js';
import { Observer } from '../observe/observer.js';
import { notYet, waitFor } from '../core/poll.js';
import type { Timeline } from '../observe/timeline.js';
import type { ExpectedWindow } from '../core/model.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { scalePolicy, scaleTimers } from '../topology/spec.js';
import { Topology, type StartedTopology } from '../topology/topology.js';

export interface SiteOptions {
  /** Scenario family, as the report groups it (e.g. "primary-down"). */
  scenario: string;
  /** Timer overrides (real time) for this scenario, on top of the run configuration. */
  timers?: Partial<Timers>;
  policy?: Partial<Policy>;
  /**
   * Overrides given to the STAND-INS ONLY, not to the expected windows: a deliberately wrong site, used to prove
   * that a scenario fails when the site does not behave as configured. Default none.
   */
  misconfigure?: { timers?: Partial<Timers>; policy?: Partial<Policy> };
}

export class Site {
  /** Run configuration (real-time timers) the suite expects. */
  readonly config: RunConfig;
  /** Scaled timers and policy: what the windows are computed from. */
  readonly windows: WindowConfig;
  readonly evidence: Evidence;

  private constructor(
    readonly topology: StartedTopology,
    readonly observer: Observer,
    config: RunConfig,
  ) {
    this.config = config;
    this.windows = { timers: scaleTimers(config.timers, config.timeScale), policy: scalePolicy(config.policy, config.timeScale) };
    this.evidence = new Evidence(
      topology.spec.name,
      { timeScale: config.timeScale, timers: config.timers, policy: config.policy },
      {
        timeline: observer.timeline,
        fullTimeline: true,
      },
    );
    topology.faultLog.listen({
      applied: (record) => this.evidence.addFault(record),
      removed: (record) => this.evidence.faultRemoved(record.id, BigInt(record.removedNs!)),
    });
  }

  /** Starts the site and waits for its steady state (see `waitSteady`). A failure removes what was made. */
  static async start(options: SiteOptions): Promise<Site> {
    const run = loadRunConfig();
    const config: RunConfig = {
      timeScale: run.timeScale,
      timers: { ...run.timers, ...options.timers },
      policy: { ...run.policy, ...options.policy },
    };
    const spec = {
      ...cmsHaTopology({ name: options.scenario }),
      timeScale: config.timeScale,
      timers: { ...config.timers, ...options.misconfigure?.timers },
      policy: { ...config.policy, ...options.misconfigure?.policy },
    };
    const topology = await new Topology(spec).start();
    let observer: Observer | undefined;
    try {
      observer = await new Observer(topology.controlUrls).start();
      const site = new Site(topology, observer, config);
      await site.waitSteady();
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

  /** Scaled timers (what the stand-ins run with). */
  get timers(): Timers {
    return this.windows.timers;
  }

  status(node: NodeName): Promise<StandinStatus> {
    return this.observer.status(node);
  }

  /**
   * The sunny-day state every scenario starts from: primary ACTIVE, secondary STANDBY, both CMS in data transfer
   * with the main CM, the ESS in STANDBY, the supervisor logged in. Deadline: a whole Dual-IP cycle plus two
   * heartbeat periods, from the configuration.
   */
  async waitSteady(): Promise<void> {
    const t = this.timers;
    const deadlineMs =
      (t.mainAttempts + t.essAttempts) * t.linkRetryMs + t.pumpupMs + 2 * (t.heartbeatIntervalMs + t.heartbeatTimeoutMs) + 10_000;
    await waitFor(
      async () => {
        const [primary, secondary, ess, supervisor] = (await Promise.all(
          (['cms-primary', 'cms-secondary', 'ess', 'supervisor'] as const).map((n) => this.status(n)),
        )) as [StandinStatus, StandinStatus, StandinStatus, StandinStatus];
        const ok =
          primary.role === 'ACTIVE' &&
          secondary.role === 'STANDBY' &&
          primary.acd?.state === 'DATA_TRANSFER' &&
          primary.acd.target === 'cm' &&
          secondary.acd?.state === 'DATA_TRANSFER' &&
          secondary.acd.target === 'cm' &&
          ess.ess?.state === 'STANDBY' &&
          supervisor.loggedInTo === 'cms-primary';
        return (
          ok ||
          notYet(
            `primary ${primary.role}/${primary.acd?.state}, secondary ${secondary.role}/${secondary.acd?.state}, ` +
              `ess ${ess.ess?.state}, supervisor on ${supervisor.loggedInTo ?? 'nothing'}`,
          )
        );
      },
      { deadlineMs, label: 'the sunny-day steady state (primary ACTIVE, secondary STANDBY, both CMS linked to cm)' },
    );
  }

  /** An expected window anchored at an instant (a fault's), recorded in the evidence. */
  window(
    name: string,
    bounds: WindowBounds,
    anchor: { anchorNs: bigint | string; anchorLabel: string; description?: string },
  ): ExpectedWindow {
    const window = expectedWindow(name, bounds, anchor);
    this.evidence.addWindow(window);
    return window;
  }

  /** Waits until `node` has `role`, recording nothing (assertions do); deadline counted from `anchorNs`. */
  async waitForRole(node: NodeName, role: HaRole, options: { afterNs: bigint; deadlineMs: number }): Promise<void> {
    await this.timeline.waitFor((e) => e.node === node && e.type === 'role' && e.role === role && BigInt(e.atNs) >= options.afterNs, {
      deadlineMs: options.deadlineMs,
      anchorNs: options.afterNs,
      label: `${node} to become ${role}`,
    });
  }

  /** Makes an administration change on the primary; resolves with its sequence number and when the primary made it. */
  async adminChange(change: string): Promise<{ seq: number; changedNs: bigint }> {
    const { seq } = await this.observer.control('cms-primary', { action: 'admin-change', change });
    if (seq === undefined) throw new Error('cms-primary acknowledged an admin change without a sequence number');
    const changed = await this.timeline.waitFor(
      (e) => e.node === 'cms-primary' && e.type === 'admin' && e.action === 'changed' && e.changeSeq === seq,
      { deadlineMs: 5_000, label: `change ${seq} on cms-primary` },
    );
    return { seq, changedNs: BigInt(changed.atNs) };
  }

  /**
   * Makes a change on the primary and waits (until the end of the expected lag window, plus slack) for the
   * secondary to apply it. Returns the change's number and the window anchored at the change, for the assertion.
   */
  async pushAdminChange(change: string, windowName: string, lag: WindowBounds): Promise<{ seq: number; window: ExpectedWindow }> {
    const { seq, changedNs } = await this.adminChange(change);
    const window = this.window(windowName, lag, { anchorNs: changedNs, anchorLabel: `change ${seq} made on the primary` });
    await this.timeline
      .waitFor((e) => e.node === 'cms-secondary' && e.type === 'admin' && e.action === 'applied' && e.changeSeq === seq, {
        deadlineMs: window.toMs + 2_000,
        anchorNs: changedNs,
        label: `change ${seq} applied on cms-secondary`,
      })
      .catch(() => undefined); // the assertion that follows says what was (not) seen, in words
    return { seq, window };
  }

  /** Lets the site run for `durationMs` of observation (the stand-ins keep being polled), then returns its span ends. */
  async observeFor(durationMs: number, label: string): Promise<{ fromNs: bigint; toNs: bigint }> {
    const fromNs = process.hrtime.bigint();
    // Waiting for the observation window to close is the condition itself: the observer's clock passing its end.
    await waitFor(() => (process.hrtime.bigint() - fromNs >= BigInt(Math.round(durationMs * 1e6)) ? true : notYet('observing')), {
      deadlineMs: durationMs + 1_000,
      label,
      intervalsMs: [Math.max(20, Math.min(500, durationMs / 10))],
    });
    const toNs = process.hrtime.bigint();
    // Every answering node's events up to toNs are on the timeline after this; a node that is down (killed,
    // paused) cannot answer, and its observation simply ends where it stopped answering.
    await this.observer.flush().catch(() => undefined);
    return { fromNs, toNs };
  }

  /** Ends the test: last container log lines, evidence attached to the mocha test, site removed. Idempotent. */
  async finish(test: Mocha.Runnable | undefined): Promise<void> {
    try {
      await this.observer.flush().catch(() => undefined);
      const logs = await this.topology.logs(40);
      for (const [node, lines] of Object.entries(logs)) this.evidence.setLogs(node as NodeName, lines ?? []);
      this.evidence.finish();
      this.evidence.attachTo(test);
    } finally {
      await this.observer.stop();
      await this.topology.stop();
    }
  }
}

/**
 * One fresh site per test of a describe block: started before each test, finished (evidence attached,
 * containers removed) after it, whatever the outcome.
 */
export function sitePerTest(options: SiteOptions | (() => SiteOptions)): { readonly site: Site } {
  const holder: { site: Site | undefined } = { site: undefined };
  beforeEach(async function () {
    holder.site = await Site.start(typeof options === 'function' ? options() : options);
  });
  afterEach(async function () {
    const site = holder.site;
    holder.site = undefined;
    await site?.finish(this.currentTest);
  });
  return {
    get site(): Site {
      if (!holder.site) throw new Error('the site is only available inside a test');
      return holder.site;
    },
  };
}
