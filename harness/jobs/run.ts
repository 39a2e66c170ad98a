// A run of the catalogue: select the scenarios, plan the executions (repeats, a shard), run them on isolated sites
// over the run's engines (one queue, longest first), then write the run's record and report, and add it to the
// history. Interrupted, it writes what it has as a partial report; a run killed outright leaves the history and every
// earlier report as they were.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../core/files.js';
import {
  type EngineRecord,
  type Environment,
  type ExploreSummary,
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type TestRecord,
} from '../core/model.js';
import { newSeed } from '../core/random.js';
import type { ImageSet, RunContext, StandinOverrides } from '../core/run-context.js';
import { scaleSite, type SiteConfig } from '../core/site-config.js';
import { historyEntry, runExitCode, runStats } from '../core/summary.js';
import { engineAddress } from '../docker/client.js';
import { writeRunFiles, type WrittenReport } from '../report/run-files.js';
import { firstOfEachFamily, listCatalogue, selectScenarios, type CatalogueEntry } from './catalogue.js';
import { durationsAt, readDurations } from './durations.js';
import { appendHistory, knownDurations, readHistory } from './history.js';
import { planTasks, shardOf, type Shard } from './plan.js';
import { runEnginePool, type PoolEngine } from './engine-pool.js';
import { Progress } from './progress.js';

export interface RunOptions {
  /** Families or pieces of titles; none: the whole catalogue. */
  filters: string[];
  /** Of the selected scenarios, only the first of each family (the quick form of `npm test`). */
  firstOfEachFamily?: boolean;
  timeScale: number;
  site: SiteConfig;
  /** The site file (its path for the workers, its name for the report); null: the default site. */
  siteFile: { path: string; name: string } | null;
  repeat: number;
  /** Sites at once on the one engine of a run without `engines`. */
  parallel: number;
  /** The engines the executions are dealt over, each with its capacity; default: the engine at DOCKER_HOST (or the local one) × parallel. */
  engines?: readonly PoolEngine[];
  shard: Shard | null;
  /** null: a new random one, printed and recorded so the run can be replayed. */
  seed: number | null;
  /** Where reports go (one folder per run and `latest`). */
  outDir: string;
  /** Where the history goes; null: no history. */
  historyDir: string | null;
  images: ImageSet;
  environment: Environment;
  /** Settings for the stand-ins only (a wrong site, for the sensitivity check). */
  standinOverrides?: StandinOverrides | null;
  /** What upgrade scenarios upgrade from and to (validate's candidate run: the baseline's images to the candidate's). */
  upgrade?: RunContext['upgrade'];
  /** A run id; default a timestamp. */
  runId?: string;
  /** No progress view (runs inside other jobs). */
  quiet?: boolean;
  /** Write run.json and the report. Default true; jobs that combine runs (sensitivity) write their own. */
  writeReport?: boolean;
  /**
   * Runs after the catalogue, in the run's folder, before the record is written: the nightly exploration (`cmsha run`
   * gives it). What it returns goes into the record, the report and the history.
   */
  afterCatalogue?: (dir: string, seed: number) => Promise<ExploreSummary | null>;
}

export interface RunResult {
  record: RunRecord;
  written: WrittenReport | null;
  /**
   * 0 every execution passed, 1 some failed (or the exploration found something), 3 none failed but some were
   * inconclusive (harness), 130/143 interrupted by SIGINT/SIGTERM (a partial report).
   */
  exitCode: number;
}

export async function runCatalogue(options: RunOptions): Promise<RunResult> {
  const scaled = scaleSite(options.site, options.timeScale);
  const all = await listCatalogue();
  const filtered = selectScenarios(all, options.filters);
  const selected = options.firstOfEachFamily ? firstOfEachFamily(filtered) : filtered;
  const measured = durationsAt(readDurations(), options.timeScale);
  const mine = options.shard ? shardOf(selected, scaled, options.shard, measured) : selected;
  const history = options.historyDir ? readHistory(options.historyDir) : [];
  // This machine's own history, at this scale, knows better than lengths measured elsewhere.
  const tasks = planTasks(mine, options.repeat, scaled, new Map([...measured, ...knownDurations(history, options.timeScale)]));
  const seed = options.seed ?? newSeed();
  const runId = options.runId ?? defaultRunId();
  const dir = resolve(options.outDir, runId);
  const startedAt = new Date();
  const startedMs = performance.now();
  if (!options.quiet) process.stderr.write(`cmsha: run ${runId}, seed ${seed} (replay: --seed ${seed}), time scale ${options.timeScale}\n`);

  const context: RunContext = {
    timeScale: options.timeScale,
    site: options.site,
    siteFile: options.siteFile?.name ?? 'default',
    seed,
    repeat: 0,
    repeats: options.repeat,
    images: options.images,
    standinOverrides: options.standinOverrides ?? null,
    upgrade: options.upgrade ?? null,
  };
  const engines: readonly PoolEngine[] = options.engines ?? [
    { url: engineAddress(), capacity: options.parallel, capacityWhy: `--parallel ${options.parallel}` },
  ];
  const parallel = engines.reduce((sum, e) => sum + e.capacity, 0);
  const several = engines.length > 1;
  const progress = options.quiet ? null : new Progress(tasks, parallel);
  const pool = runEnginePool(tasks, {
    engines,
    dir,
    context,
    onStart: (task, dispatch) => progress?.started(task, several ? dispatch.engine : null, dispatch.rerun),
    onPhase: (task, phase) => progress?.phase(task, phase),
    onRequeue: (task, why) => progress?.requeued(task, why),
    onDrain: (engine, reason) => progress?.drained(engine, reason),
    onDone: (task, records) =>
      progress?.finished(
        task,
        records.some((r) => r.outcome === 'failed')
          ? 'failed'
          : records.some((r) => r.outcome === 'inconclusive')
            ? 'inconclusive'
            : 'passed',
      ),
  });

  const meta: RunMeta = {
    runId,
    startedAt: startedAt.toISOString(),
    timeScale: options.timeScale,
    seed,
    repeat: options.repeat,
    parallel,
    shard: options.shard,
    engines: engines.map((e): EngineRecord => ({
      url: e.url,
      capacity: e.capacity,
      capacityWhy: e.capacityWhy ?? 'given',
      dockerVersion: e.dockerVersion ?? null,
      drained: null,
      attempts: 0,
    })),
    siteFile: options.siteFile?.name ?? 'default',
    site: options.site,
    environment: options.environment,
  };
  // Written first: a run killed outright can still be reported from it and the tests that finished (`cmsha report`).
  mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  let poolEngines: EngineRecord[] | undefined;
  const record = (tests: TestRecord[], partialReason: string | null): RunRecord =>
    buildRecord({ ...meta, engines: poolEngines ?? meta.engines }, sortTests(tests, all), partialReason, performance.now() - startedMs);

  // Ctrl-C or a SIGTERM: every worker tears its site down, then what finished is written as a partial report.
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    process.stderr.write(`\ncmsha: ${signal}: stopping the workers (each removes its site), then writing a partial report\n`);
    void pool.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const results = await pool.done;
    progress?.close();
    poolEngines = results.engines;
    const tests = [...results.records.values()].flat();
    if (interrupted) {
      const partial = record(tests, `interrupted by ${interrupted}`);
      return {
        record: partial,
        written: options.writeReport === false ? null : writeRunFiles(partial, options.outDir),
        exitCode: interrupted === 'SIGINT' ? 130 : 143,
      };
    }
    const explored = options.afterCatalogue && !interrupted ? await options.afterCatalogue(dir, seed) : null;
    const final: RunRecord = explored ? { ...record(tests, explored.partial), explored } : record(tests, null);
    if (final.partial) {
      return { record: final, written: options.writeReport === false ? null : writeRunFiles(final, options.outDir), exitCode: 130 };
    }
    if (options.historyDir) appendHistory(options.historyDir, historyEntry(final));
    const trend = options.historyDir ? readHistory(options.historyDir).filter((h) => h.timeScale === options.timeScale) : [];
    const written = options.writeReport === false ? null : writeRunFiles(final, options.outDir, { history: trend });
    return { record: final, written, exitCode: runExitCode(final.tests, explored?.findings.length ?? 0) };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** What a run is, written when it starts: a run.json without its tests. */
export type RunMeta = Omit<RunRecord, 'schema' | 'endedAt' | 'partial' | 'partialReason' | 'stats' | 'tests'>;

const META_FILE = 'run-meta.json';

export function buildRecord(meta: RunMeta, tests: TestRecord[], partialReason: string | null, durationMs: number): RunRecord {
  return {
    schema: RUN_RECORD_SCHEMA,
    ...meta,
    endedAt: new Date().toISOString(),
    partial: partialReason !== null,
    partialReason,
    stats: runStats(tests, durationMs),
    tests,
  };
}

/**
 * The record of a run folder that has no run.json (its run was killed outright): its meta and the tests that
 * finished, marked partial. Null when the folder is not a run's.
 */
export function recordFromBlobs(dir: string): RunRecord | null {
  const metaFile = join(dir, META_FILE);
  if (!existsSync(metaFile)) return null;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta;
  const blobs = join(dir, 'blobs');
  const tests = existsSync(blobs)
    ? readdirSync(blobs)
        .filter((n) => n.endsWith('.json'))
        .flatMap((n) => JSON.parse(readFileSync(join(blobs, n), 'utf8')) as TestRecord[])
    : [];
  return buildRecord(meta, tests, 'the run was killed before it ended: only the tests that finished are here', 0);
}

/** The same order in every run and every merge: the catalogue's order, then the repeat. */
export function sortTests(tests: readonly TestRecord[], catalogue: readonly CatalogueEntry[]): TestRecord[] {
  const order = new Map(catalogue.map((e, i) => [e.fullTitle, i]));
  const rank = (t: TestRecord) => order.get(t.fullTitle) ?? Number.MAX_SAFE_INTEGER;
  return [...tests].sort(
    (a, b) => rank(a) - rank(b) || (a.fullTitle < b.fullTitle ? -1 : a.fullTitle > b.fullTitle ? 1 : 0) || a.repeat - b.repeat,
  );
}

/** `2026-11-25T21-30-00Z-1a2b`: sortable, safe as a folder name on every file system. */
export function defaultRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-')}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}
