// `cmsha explore`: runs generated schedules against real sites for a budget, checks every finished execution against
// the invariants, and shrinks each new way of breaking one to a minimal schedule that still breaks it, with the file,
// the replay command and the scenario form of it. `cmsha replay` runs given schedules the same way, repeatedly.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDurationMs } from '../core/format.js';
import type { CoverageRow, ExploreSummary, Finding, InvariantId } from '../core/model.js';
import { runContextEnv, type ImageSet, type RunContext } from '../core/run-context.js';
import { scheduleYaml, type Schedule } from '../core/schedule.js';
import type { SiteConfig } from '../core/site-config.js';
import { INVARIANT_NAMES } from '../check/invariants.js';
import { connectDocker, pingEngine } from '../docker/client.js';
import type { PoolEngine } from '../jobs/engine-pool.js';
import { spawnWorker } from '../jobs/worker-process.js';
import { coverageOf, policyWords, tally } from './coverage.js';
import { EXPLORE_TASK_ENV, type ExploreExecution, type ExploreTask } from './execution.js';
import { generatedSchedule } from './generate.js';
import { scenarioForm } from './scenario-form.js';
import { faultCount, Shrinker } from './shrink.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface ExploreOptions {
  /** How long to explore (wall time); no new execution starts that would not end within it. */
  budgetMs: number;
  seed: number;
  /** Sites at once (on the engine at DOCKER_HOST, else the local one), when no `engines` are given. */
  parallel: number;
  /**
   * The engines to explore on: one lane per site each holds, each lane's workers on its engine with its images. A
   * lane whose engine stops answering stops; the others go on.
   */
  engines?: readonly PoolEngine[];
  timeScale: number;
  site: SiteConfig;
  siteFile: string;
  images: ImageSet;
  /** The run's folder: explore/ goes in it. */
  dir: string;
  /** A candidate counts as still failing once it failed `needed` of up to `runs` runs. */
  shrink: { runs: number; needed: number };
  /** Say each execution as it ends. Default true. */
  verbose?: boolean;
}

/** What explore and replay share: the run's context, the folder, the workers running, and the summary so far. */
class Executions {
  readonly summary: ExploreSummary;
  readonly out: string;
  readonly #context: RunContext;
  readonly #coverage: Array<Omit<CoverageRow, 'count'>> = [];
  readonly #durations: number[] = [];
  readonly #running = new Set<ReturnType<typeof spawnWorker>['process']>();
  readonly #say: (line: string) => void;
  readonly #deadlineMs: number;
  readonly #startedMs = performance.now();
  stopping: string | null = null;

  constructor(private readonly options: ExploreOptions) {
    this.out = join(options.dir, 'explore');
    for (const sub of ['executions', 'logs', 'findings']) mkdirSync(join(this.out, sub), { recursive: true });
    this.#context = {
      timeScale: options.timeScale,
      site: options.site,
      siteFile: options.siteFile,
      seed: options.seed,
      repeat: 0,
      repeats: 1,
      images: options.images,
      standinOverrides: null,
    };
    this.#deadlineMs = this.#startedMs + options.budgetMs;
    this.#say = options.verbose === false ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
    this.summary = {
      seed: options.seed,
      timeScale: options.timeScale,
      budgetMs: options.budgetMs,
      elapsedMs: 0,
      parallel: options.parallel,
      shrinkRule: options.shrink,
      executions: [],
      coverage: [],
      invariants: (Object.keys(INVARIANT_NAMES) as InvariantId[]).map((invariant) => ({
        invariant,
        name: INVARIANT_NAMES[invariant],
        judged: 0,
        violated: 0,
        void: 0,
      })),
      findings: [],
      partial: null,
    };
  }

  say(line: string): void {
    this.#say(line);
  }

  /** Whether another execution fits in the budget: the median execution so far must end before the deadline. */
  fits(): boolean {
    if (this.stopping) return false;
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const typicalMs = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return performance.now() + typicalMs <= this.#deadlineMs;
  }

  /**
   * Runs one schedule in a worker process of its own, on `engine` when given (else the engine at DOCKER_HOST); its
   * record, or an inconclusive one if the worker died.
   */
  async execute(id: string, purpose: ExploreExecution['purpose'], schedule: Schedule, engine?: PoolEngine): Promise<ExploreExecution> {
    const outFile = join(this.out, 'executions', `${id}.json`);
    const task: ExploreTask = { id, purpose, schedule, outFile };
    const context = engine?.images ? { ...this.#context, images: engine.images } : this.#context;
    const worker = spawnWorker(WORKER, {
      env: { ...runContextEnv(context), [EXPLORE_TASK_ENV]: JSON.stringify(task), ...(engine ? { DOCKER_HOST: engine.url } : {}) },
      log: join(this.out, 'logs', `${id}.log`),
    });
    this.#running.add(worker.process);
    const result = await worker.done;
    this.#running.delete(worker.process);
    const record: ExploreExecution = existsSync(outFile)
      ? (JSON.parse(readFileSync(outFile, 'utf8')) as ExploreExecution)
      : {
          id,
          purpose,
          schedule,
          verdict: 'inconclusive',
          keys: [],
          durationMs: 0,
          error: `the worker ${result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode ?? '?'}`} before writing its record; see explore/logs/${id}.log`,
          evidence: null,
        };
    this.#account(record, engine?.url);
    return record;
  }

  /**
   * Whether a lane may go on after an execution on `engine`: not when it came back inconclusive and the engine no
   * longer answers (its sites are gone with it); the lane then stops, saying so, and the others go on.
   */
  async laneGoesOn(record: ExploreExecution, engine: PoolEngine | undefined): Promise<boolean> {
    if (record.verdict !== 'inconclusive' || engine === undefined) return true;
    try {
      await pingEngine(connectDocker(engine.url));
      return true;
    } catch (error) {
      this.say(`cmsha explore: engine ${engine.url} stopped answering (${(error as Error).message.split('\n')[0]}): its lane stops`);
      return false;
    }
  }

  #account(record: ExploreExecution, engine: string | undefined): void {
    if (record.verdict !== 'inconclusive') this.#durations.push(record.durationMs);
    this.summary.executions.push({
      ...(engine ? { engine } : {}),
      id: record.id,
      purpose: record.purpose,
      verdict: record.verdict,
      keys: record.keys,
      durationMs: record.durationMs,
      ...(record.phasesMs ? { phasesMs: record.phasesMs } : {}),
      error: record.error,
      title: record.schedule.title ?? record.id,
    });
    const verdicts = record.evidence?.invariants ?? [];
    for (const row of this.summary.invariants) {
      const v = verdicts.find((x) => x.invariant === row.invariant);
      if (!v) continue;
      row.judged += 1;
      if (v.violations.some((x) => x.void === null)) row.violated += 1;
      else if (v.violations.length > 0) row.void += 1;
    }
    if (record.evidence)
      this.#coverage.push(...coverageOf(record.schedule, record.evidence, policyWords(record.schedule, this.options.site.policy)));
    const left = Math.max(0, this.#deadlineMs - performance.now());
    this.say(
      `[${this.summary.executions.length}] ${record.id} ${record.verdict}${record.keys.length ? `: ${record.keys.join(', ')}` : ''}${record.error ? ` (${record.error.split('\n')[0]})` : ''} in ${formatDurationMs(record.durationMs)}; ${this.summary.findings.length} finding(s), ${formatDurationMs(left)} left`,
    );
  }

  /**
   * Runs a loop per lane side by side until each returns: one per site of each engine given, else `parallel` on the
   * engine at DOCKER_HOST. A signal stops them, each worker removing its site.
   */
  async run(lane: (engine: PoolEngine | undefined) => Promise<void>): Promise<void> {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) return;
      this.stopping = `interrupted by ${signal}`;
      this.say(`\ncmsha explore: ${signal}: stopping the workers (each removes its site), then writing what was found`);
      for (const worker of this.#running) worker.kill('SIGTERM');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const engines = this.options.engines ?? [];
      const lanes: Array<PoolEngine | undefined> =
        engines.length > 0
          ? engines.flatMap((e) => Array<PoolEngine>(e.capacity).fill(e))
          : Array(Math.max(1, this.options.parallel)).fill(undefined);
      await Promise.all(lanes.map((engine) => lane(engine)));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  /** Writes the findings' files and explore.json; the summary is final. */
  finish(): ExploreSummary {
    const summary = this.summary;
    summary.partial = this.stopping;
    summary.elapsedMs = performance.now() - this.#startedMs;
    summary.coverage = tally(this.#coverage);
    summary.findings.forEach((finding, i) => writeFinding(finding, i + 1, this.out, this.options));
    writeFileSync(join(this.out, 'explore.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  }
}

/** Explores for the budget; resolves with the summary (also written to explore/explore.json in the run's folder). */
export async function explore(options: ExploreOptions): Promise<ExploreSummary> {
  const runs = new Executions(options);
  const findings = new Map<string, Finding>();
  const shrinkers = new Map<string, Shrinker>();

  const noteFindings = (record: ExploreExecution): void => {
    for (const key of record.keys) {
      if (findings.has(key)) continue;
      const violation = record.evidence?.invariants?.flatMap((v) => v.violations).find((v) => v.key === key && v.void === null);
      const finding: Finding = {
        key,
        invariant: (violation?.invariant ?? key.split(' ')[0]) as InvariantId,
        message: violation?.message ?? key,
        foundBy: record.id,
        original: record.schedule,
        minimal: record.schedule,
        faults: faultCount(record.schedule),
        shrinkSteps: 0,
        shrinkRuns: 0,
        status: 'stopped by the budget',
        files: { schedule: '', scenario: '' },
        scenarioForm: '',
        replay: '',
        evidence: record.evidence,
      };
      findings.set(key, finding);
      runs.summary.findings.push(finding);
      shrinkers.set(key, new Shrinker(record.schedule, options.shrink));
      runs.say(`new finding: ${key}: ${finding.message.split('\n')[0]}`);
    }
  };

  /**
   * One lane's next run: shrinking and exploring take turns, so a finding with a long shrink does not stop the search
   * for others (and a new finding does not wait for the budget's end to be shrunk). A shrinker runs one candidate run
   * at a time, its decisions in order.
   */
  let nextIndex = 0;
  let turn = 0;
  const busy = new Set<Finding>();
  await runs.run(async (engine) => {
    while (runs.fits()) {
      // Fair turns: a finding still over three faults first, then the one that has had the fewest runs.
      const finding = runs.summary.findings
        .filter((f) => f.status !== 'minimal' && !busy.has(f))
        .sort((a, b) => Number(b.faults > 3) - Number(a.faults > 3) || a.shrinkRuns - b.shrinkRuns)[0];
      if (finding && turn++ % 2 === 0) {
        busy.add(finding);
        const goesOn = await shrinkOnce(finding, engine);
        busy.delete(finding);
        if (!goesOn) return;
        continue;
      }
      const index = nextIndex++;
      const record = await runs.execute(`s${index + 1}`, 'explore', generatedSchedule(options.seed, index), engine);
      noteFindings(record);
      if (!(await runs.laneGoesOn(record, engine))) return;
    }
  });
  return runs.finish();

  /** One run of a finding's shrinking, and what it decides; false when the lane's engine no longer answers. */
  async function shrinkOnce(finding: Finding, engine: PoolEngine | undefined): Promise<boolean> {
    const shrinker = shrinkers.get(finding.key)!;
    const job = shrinker.next();
    if (!job) {
      finding.status = 'minimal';
      return true;
    }
    const record = await runs.execute(
      `${finding.foundBy}-shrink-${job.run}`,
      'shrink',
      {
        ...job.schedule,
        title: `${finding.key}: shrinking ${finding.foundBy}, candidate ${job.run}`,
      },
      engine,
    );
    noteFindings(record);
    // Void and inconclusive runs say nothing about the site.
    const silent = record.verdict === 'void' || record.verdict === 'inconclusive';
    const decision = shrinker.report(silent ? null : record.keys.includes(finding.key) ? 'fails' : 'passes');
    if (decision === 'accepted') finding.evidence = record.evidence;
    finding.minimal = shrinker.current;
    finding.faults = faultCount(shrinker.current);
    finding.shrinkSteps = shrinker.accepted;
    finding.shrinkRuns = shrinker.spent;
    if (shrinker.done) finding.status = 'minimal';
    return runs.laneGoesOn(record, engine);
  }
}

export interface ReplayResult {
  summary: ExploreSummary;
  /** Each invariant key broken, and in how many of the runs. */
  reproduced: Array<{ key: string; runs: number }>;
  runs: number;
}

/** Runs a schedule `repeat` times (as `cmsha replay` does); how often each invariant broke. */
export async function replay(options: ExploreOptions, schedule: Schedule, repeat: number): Promise<ReplayResult> {
  const runs = new Executions({ ...options, budgetMs: Number.MAX_SAFE_INTEGER });
  let next = 0;
  const counts = new Map<string, number>();
  await runs.run(async (engine) => {
    for (let i = next++; i < repeat && !runs.stopping; i = next++) {
      const record = await runs.execute(`replay-${i + 1}`, 'replay', schedule, engine);
      for (const key of record.keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!(await runs.laneGoesOn(record, engine))) return;
    }
  });
  const summary = runs.finish();
  return { summary, reproduced: [...counts].map(([key, n]) => ({ key, runs: n })), runs: summary.executions.length };
}

/** The minimal schedule's file, its scenario form, and the command that replays it. */
function writeFinding(finding: Finding, n: number, out: string, options: ExploreOptions): void {
  const slug = `${n}-${finding.key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
  const minimal: Schedule = { ...finding.minimal, title: `${finding.key} (found by ${finding.foundBy}, explore seed ${options.seed})` };
  finding.files = { schedule: join(out, 'findings', `${slug}.yaml`), scenario: join(out, 'findings', `${slug}.scenario.ts`) };
  writeFileSync(finding.files.schedule, scheduleYaml(minimal));
  finding.scenarioForm = scenarioForm(minimal, finding.key);
  writeFileSync(finding.files.scenario, finding.scenarioForm);
  finding.replay = `npx cmsha replay ${finding.files.schedule} --time-scale ${options.timeScale} --repeat 10`;
}
