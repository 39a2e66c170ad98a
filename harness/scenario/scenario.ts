// How a suite states a scenario, the way the catalogue table reads: the site it starts from, the fault or faults
// injected together at a seeded phase of the heartbeat cycle (later steps at phases of their own), and the outcome.
// Each scenario is one mocha test with its own fresh site, removed whatever the outcome, its evidence for the report.

import * as chai from 'chai';
import { SCENARIO_META_KEY, type ScenarioMeta } from '../core/model.js';
import { readRunContext, type RunContext } from '../core/run-context.js';
import { stratifiedPhase } from '../core/random.js';
import { scaleSite } from '../core/site-config.js';
import { HarnessError } from '../core/errors.js';
import { connectDocker, type DockerClient } from '../docker/client.js';
import { machineryFailed } from '../topology/machinery.js';
import { TOPOLOGY_NAME } from '../topology/spec.js';
import { SiteExpect } from '../expect/site-expect.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { checkSchedule, SCHEDULE_SCHEMA, type ScheduleStep } from '../core/schedule.js';
import type { FaultSpec } from './faults.js';
import { runSchedule } from './schedule-runner.js';
import { Site, type SiteChange } from './site.js';

// A failure message carries its evidence in full: chai otherwise cuts an "actual" at 40 characters.
chai.config.truncateThreshold = 0;

export interface ScenarioSpec {
  /** The site it starts from: the run's site with these settings changed. Default: the run's site as it is. */
  site?: SiteChange;
  /**
   * The scenario upgrades the site (`site.upgrade(node)`): it starts on what the run upgrades from (in `validate`, the
   * baseline's images) and upgrades to the run's target (the candidate's). Default false.
   */
  upgrade?: boolean;
  /** Faults in force before the scenario's own, applied at once once the site is up (a precondition). */
  before?: FaultSpec | readonly FaultSpec[];
  /** Faults injected together, at a seeded phase of the heartbeat cycle. Default none (a sunny day). */
  faults?: FaultSpec | readonly FaultSpec[];
  /**
   * Steps run after the faults, each at its phase of the heartbeat cycle or at a protocol event (the form `cmsha explore`
   * writes its findings in; see harness/core/schedule.ts). Every fault still in force is healed at the end.
   */
  schedule?: ScheduleStep[];
  /** What the site must show, with the handles of the injected faults. */
  outcome(site: Site, faults: FaultHandle[]): Promise<void>;
}

/** What a scenario test needs from its process: the engine client and the run's context, made once. */
export interface ScenarioDeps {
  docker: DockerClient;
  context: RunContext;
  progress?: (test: string, phase: string) => void;
}

let deps: ScenarioDeps | undefined;

/** Set by the process that runs the suites (a worker); by default the engine at DOCKER_HOST and the environment. */
export function useScenarioDeps(given: ScenarioDeps): void {
  deps = given;
}

function scenarioDeps(): ScenarioDeps {
  deps ??= { docker: connectDocker(), context: readRunContext() };
  return deps;
}

let currentFamily: string | null = null;

/**
 * A family of scenarios, one catalogue row: `family('primary-down', 'the primary CMS fails …', () => { … })`. The id is
 * also the Docker topology name of its sites, so it is checked here, where it is written, not when a site starts.
 */
export function family(id: string, title: string, body: () => void): void {
  if (!TOPOLOGY_NAME.test(id)) {
    throw new HarnessError(
      'BAD_INPUT',
      `family id "${id}" is invalid: it is also the Docker topology name of its sites, so use 1–31 lower-case letters, digits or dashes, not starting with a dash (it has ${id.length} characters)`,
      { details: { id } },
    );
  }
  describe(`${id}: ${title}`, function () {
    const outer = currentFamily;
    currentFamily = id;
    try {
      body();
    } finally {
      currentFamily = outer;
    }
  });
}

/**
 * One scenario: a test titled with a sentence about behaviour. Its faults are injected at the phase drawn from the
 * run's seed, the test's title and its repeat (so a run replays exactly, whatever the order it runs in).
 */
export function scenario(title: string, spec: ScenarioSpec): void {
  const familyId = currentFamily;
  if (familyId === null) throw new Error(`scenario "${title}" must be declared inside family(...)`);
  const schedule = spec.schedule
    ? checkSchedule(
        { schedule: SCHEDULE_SCHEMA, steps: spec.schedule, ...(spec.site?.policy ? { site: { policy: spec.site.policy } } : {}) },
        `scenario "${title}"`,
      )
    : null;
  const test = it(title, async function () {
    const { docker, context, progress } = scenarioDeps();
    const fullTitle = this.test?.fullTitle() ?? title;
    // Each expectation owns its deadline; this only bounds a hang of the engine itself.
    this.timeout(scenarioTimeoutMs(context));
    // Each timed step draws its own phase: the faults by the title (as before steps had one), step n by "title · step n".
    const phaseOf = (name: string): number => stratifiedPhase(context.seed, name, context.repeat, context.repeats);
    const site = await Site.start(
      { scenario: familyId, ...(spec.site ? { site: spec.site } : {}), ...(spec.upgrade ? { upgrade: true } : {}) },
      {
        docker,
        context,
        progress: (phase) => progress?.(fullTitle, phase),
        stepPhase: (n) => phaseOf(`${fullTitle} · step ${n}`),
      },
    );
    try {
      const before = [spec.before ?? []].flat() as FaultSpec[];
      if (before.length > 0) await site.inject(before, 'now');
      const faults = [spec.faults ?? []].flat() as FaultSpec[];
      const handles = faults.length === 0 ? [] : await site.inject(faults, { phase: phaseOf(fullTitle) });
      if (schedule) await runSchedule(site, schedule);
      await spec.outcome(site, handles);
      // What an expectation observes until the end of the scenario is judged now, before the site goes.
      await site.checkAtEnd();
    } catch (failure) {
      // Right after a failure, before the site goes: if the harness broke under it (its engine, its Toxiproxy, a
      // container gone), the failure says nothing about the site, and the worker calls it inconclusive (harness).
      const broken = await site.checkMachinery().catch(() => null);
      await finish(site, this.test).catch(() => undefined); // the scenario's failure is the one to report
      throw broken ? machineryFailed(broken, failure) : failure;
    }
    await finish(site, this.test);
  });
  const meta: ScenarioMeta = {
    family: familyId,
    faults: [spec.before ?? [], spec.faults ?? []].flat().map((f) => ({ kind: (f as FaultSpec).kind, target: (f as FaultSpec).target })),
  };
  Object.defineProperty(test, SCENARIO_META_KEY, { value: meta, enumerable: false });
}

/**
 * Ends the test and removes its site. Removing it is the harness's own work: a failure there (its engine gone
 * mid-run) says nothing about the site, so it fails the test as the machinery's failure, and never hides the one
 * the scenario already had.
 */
async function finish(site: Site, test: Mocha.Runnable | undefined): Promise<void> {
  try {
    await site.finish(test);
  } catch (error) {
    throw machineryFailed({ part: 'engine', cause: `the site could not be removed: ${(error as Error).message}` }, error);
  }
}

/** Generous: the longest scenario (an ESS takeover and return) three times over, plus a site's start and stop. */
function scenarioTimeoutMs(context: RunContext): number {
  const t = scaleSite(context.site, context.timeScale).timers;
  const cycle = (t.mainAttempts + t.essAttempts) * t.linkRetryMs;
  return 120_000 + 3 * (t.essNoServiceTimeoutMs + 2 * cycle + t.essResetMs + 10 * t.heartbeatIntervalMs);
}

/** Expectations on a site wait for their own window (`await expect(site).toFailOver()`); anything else is chai's. */
export function expect(site: Site): SiteExpect;
export function expect<T>(value: T, message?: string): Chai.Assertion;
export function expect(value: unknown, message?: string): SiteExpect | Chai.Assertion {
  return value instanceof Site ? new SiteExpect(value) : chai.expect(value, message);
}
