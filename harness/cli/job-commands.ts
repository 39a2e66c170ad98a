// The commands that read, merge and compare runs (report, compare, validate, durations) and the sensitivity check:
// each prints where its result is and returns the exit code a pipeline gates on.

import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HarnessError } from '../core/errors.js';
import { formatDurationMs, formatLongDurationMs } from '../core/format.js';
import type { Comparison, Environment, RunRecord, TestRecord } from '../core/model.js';
import type { ImageSet } from '../core/run-context.js';
import type { SiteConfig } from '../core/site-config.js';
import { runExitCode, runStats } from '../core/summary.js';
import { listCatalogue } from '../jobs/catalogue.js';
import type { PoolEngine } from '../jobs/engine-pool.js';
import { compareRuns, type CompareOptions } from '../jobs/compare.js';
import type { TimingJudgement } from '../stats/judge.js';
import { alphaPerLook, nextRepeats } from '../stats/repeats.js';
import { DURATIONS_FILE, durationsFromRun, writeDurations } from '../jobs/durations.js';
import { readHistory } from '../jobs/history.js';
import { defaultRunId, recordFromBlobs, runCatalogue, sortTests } from '../jobs/run.js';
import { runSensitivity, sensitivityHolds, type SensitivityOptions } from '../jobs/sensitivity.js';
import { readRunFile, writeRunFiles } from '../report/run-files.js';

/** A run folder's record: its run.json, or for a run that was killed before writing one, what finished (partial). */
function readRun(dir: string): RunRecord {
  if (existsSync(join(dir, 'run.json'))) return readRunFile(dir);
  const partial = recordFromBlobs(dir);
  if (partial) return partial;
  throw new HarnessError(
    'BAD_INPUT',
    `${dir} is not the folder of a run (no run.json, no run-meta.json): give a folder under reports/, e.g. reports/latest.`,
    { details: { dir } },
  );
}

/** Merges the records of shards (or re-renders one): the tests of all, in the catalogue's order, as one run. */
export async function reportCommand(dirs: string[], outDir: string, historyDir: string): Promise<number> {
  const records = dirs.map(readRun);
  const first = records[0]!;
  const catalogue = await listCatalogue().catch(() => []);
  let record: RunRecord;
  if (records.length === 1) record = first;
  else {
    for (const r of records) {
      if (r.seed !== first.seed || r.timeScale !== first.timeScale || r.siteFile !== first.siteFile) {
        throw new HarnessError(
          'BAD_INPUT',
          `${r.runId} ran with seed ${r.seed}, time scale ${r.timeScale}, site ${r.siteFile}; ${first.runId} with ${first.seed}, ${first.timeScale}, ${first.siteFile}: only shards of one run merge.`,
        );
      }
    }
    const tests: TestRecord[] = sortTests(
      records.flatMap((r) => r.tests),
      catalogue,
    );
    record = {
      ...first,
      runId: `merged-${defaultRunId()}`,
      startedAt: records.map((r) => r.startedAt).sort()[0]!,
      endedAt:
        records
          .map((r) => r.endedAt ?? '')
          .sort()
          .at(-1) || null,
      partial: records.some((r) => r.partial),
      partialReason: records.find((r) => r.partial)?.partialReason ?? null,
      shard: null,
      // Shards (each with its own engines) and pools merge alike: every engine that ran a part is listed.
      ...(records.some((r) => r.engines) ? { engines: records.flatMap((r) => r.engines ?? []) } : {}),
      tests,
      stats: runStats(tests, Math.max(...records.map((r) => r.stats.durationMs))),
    };
  }
  const history = readHistory(historyDir).filter((h) => h.timeScale === record.timeScale);
  const written = writeRunFiles(record, outDir, { history });
  process.stdout.write(`Report: ${written.indexHtml}\n`);
  return runExitCode(record.tests);
}

/** Writes the scenarios' real-time lengths from a passing real-time run, for the order of runs with no history. */
export function durationsCommand(dir: string, path = DURATIONS_FILE): number {
  const file = durationsFromRun(readRun(dir));
  writeDurations(file, path);
  const longest = Object.entries(file.durationsMs).sort(([, a], [, b]) => b - a)[0]!;
  process.stdout.write(
    `${Object.keys(file.durationsMs).length} scenario lengths from ${file.measured.runId} written to ${path}; the longest is ${formatLongDurationMs(longest[1])}: ${longest[0]}\n`,
  );
  return 0;
}

/** Compares two runs; writes the candidate's report with the comparison; 1 when any regression. */
export async function compareCommand(baselineDir: string, candidateDir: string, outDir: string, options: CompareOptions): Promise<number> {
  return compareAndReport(readRun(baselineDir), readRun(candidateDir), outDir, options);
}

/**
 * 0 every timing equivalent (or better), 1 any regression, 4 nothing regressed but some timing stayed undecided, 3
 * all decided but executions were left out as inconclusive (harness): the harness kept the comparison from all of them.
 */
export function comparisonExitCode(comparison: Comparison): number {
  if (comparison.regressions.length > 0) return 1;
  if ((comparison.inconclusive?.length ?? 0) > 0) return 4;
  return comparison.leftOut ? 3 : 0;
}

function compareAndReport(baseline: RunRecord, candidate: RunRecord, outDir: string, options: CompareOptions): number {
  const comparison = compareRuns(baseline, candidate, options);
  const record = { ...candidate, runId: `compare-${basename(candidate.runId)}-vs-${basename(baseline.runId)}`.slice(0, 120) };
  const written = writeRunFiles(record, outDir, { comparison });
  for (const line of comparison.regressions) process.stdout.write(`REGRESSION    ${line}\n`);
  for (const s of comparison.scenarios)
    for (const t of s.timings.filter((x) => x.verdict === 'inconclusive'))
      process.stdout.write(
        `inconclusive  ${s.fullTitle}: ${t.name}: ${t.why ?? ''}${t.smallestDetectableShiftMs === undefined || t.smallestDetectableShiftMs === Infinity ? '' : `; smallest detectable shift ${formatDurationMs(t.smallestDetectableShiftMs)}`}\n`,
      );
  const overloaded = comparison.scenarios.flatMap((s) =>
    s.timings
      .filter((t) => t.overloaded)
      .map(
        (t) =>
          `${s.fullTitle}: ${t.name} ${t.overloaded!.judged ? 'judged without' : 'not judged:'} ${t.overloaded!.baseline} + ${t.overloaded!.candidate} execution(s) with a stand-in timer late past the tolerance (host overloaded)`,
      ),
  );
  for (const line of overloaded) process.stdout.write(`overloaded    ${line}\n`);
  if (comparison.leftOut)
    process.stdout.write(
      `left out      ${comparison.leftOut.baseline} + ${comparison.leftOut.candidate} execution(s) inconclusive (harness): they say nothing about either site\n`,
    );
  const counts = (verdict: string) => comparison.scenarios.flatMap((s) => s.timings).filter((t) => t.verdict === verdict).length;
  const code = comparisonExitCode(comparison);
  process.stdout.write(
    `${comparison.regressions.length === 0 ? 'No regression' : `${comparison.regressions.length} regression(s)`}: ${counts('equivalent')} timing(s) equivalent, ${counts('improvement')} better, ${counts('inconclusive')} inconclusive, ${counts('regression')} regressed (exit ${code}). Report: ${written.indexHtml}\n`,
  );
  return code;
}

export interface ValidateOptions {
  filters: string[];
  baseline: { site: SiteConfig; timeScale: number; siteFile: { path: string; name: string } | null };
  candidate: { site: SiteConfig; timeScale: number; siteFile: { path: string; name: string } | null };
  /** Repeats of the first round. */
  repeat: number;
  /** The most repeats a scenario gets when its timings stay inconclusive. */
  maxRepeat: number;
  parallel: number;
  /** The pool both runs deal their executions over (each engine with its images and capacity). */
  engines?: readonly PoolEngine[];
  seed: number | null;
  outDir: string;
  images: ImageSet;
  environment: Environment;
  compare: CompareOptions;
}

/**
 * Runs the baseline site and the candidate site with the same seed and phases, compares them, and while some timing
 * stays inconclusive runs more repeats of those scenarios on both (a new seed per round, the same on both sides),
 * up to the cap. Every look is judged at α divided by the number of looks the doubling can take, so the whole
 * sequence keeps its level.
 */
export async function validateCommand(options: ValidateOptions): Promise<number> {
  const firstSeed = options.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const alpha = alphaPerLook(options.compare.alpha ?? 0.05, options.repeat, options.maxRepeat);
  const compare = { ...options.compare, alpha };
  const run = (which: 'baseline' | 'candidate', filters: string[], repeat: number, seed: number) => {
    const side = options[which];
    process.stderr.write(`cmsha validate: the ${which} site (${side.siteFile?.name ?? 'default'}), ${repeat} repeat(s), seed ${seed}\n`);
    // Upgrade scenarios start on the baseline's images and upgrade to this side's: the candidate's in its run.
    const upgrade = {
      from: options.baseline.site.images,
      to: side.site.images,
      ...(side.site.versions ? { versions: side.site.versions } : {}),
    };
    return runCatalogue({
      ...side,
      upgrade,
      filters,
      repeat,
      parallel: options.parallel,
      ...(options.engines ? { engines: options.engines } : {}),
      shard: null,
      seed,
      outDir: options.outDir,
      historyDir: null,
      images: options.images,
      environment: options.environment,
      runId: `${which}-${defaultRunId()}`,
    });
  };
  let repeats = options.repeat;
  let baseline = (await run('baseline', options.filters, repeats, firstSeed)).record;
  let candidate = (await run('candidate', options.filters, repeats, firstSeed)).record;
  for (let round = 2; ; round += 1) {
    const comparison = compareRuns(baseline, candidate, compare);
    if (comparison.regressions.length > 0) break;
    const judged = comparison.scenarios.flatMap((s) => s.timings.map((t) => ({ scenario: s.fullTitle, t })));
    const advice = nextRepeats(
      judged.map(
        ({ t }) =>
          ({ verdict: t.verdict ?? 'inconclusive', name: t.name, minimumRepeats: t.minimumRepeats ?? Infinity }) as TimingJudgement,
      ),
      { repeats, maxRepeats: options.maxRepeat },
    );
    process.stderr.write(`cmsha validate: ${advice.why}\n`);
    if (!advice.more) break;
    const titles = [...new Set(judged.filter(({ t }) => t.verdict === 'inconclusive').map(({ scenario }) => scenario))];
    const seed = (firstSeed + round) >>> 0;
    const more = advice.repeats - repeats;
    const [b, c] = [await run('baseline', titles, more, seed), await run('candidate', titles, more, seed)];
    baseline = merged(baseline, b.record, repeats);
    candidate = merged(candidate, c.record, repeats);
    repeats = advice.repeats;
  }
  return compareAndReport(baseline, candidate, options.outDir, compare);
}

/** A round's tests added to the run before it, their repeats numbered on after the ones it had. */
function merged(record: RunRecord, round: RunRecord, offset: number): RunRecord {
  const tests = [...record.tests, ...round.tests.map((t) => ({ ...t, repeat: t.repeat + offset }))];
  return {
    ...record,
    tests,
    repeat: Math.max(record.repeat, offset + round.repeat),
    stats: runStats(tests, record.stats.durationMs + round.stats.durationMs),
  };
}

/** The sensitivity check; 0 only when every wrong site was caught at every phase and the right one always passed. */
export async function sensitivityCommand(options: SensitivityOptions): Promise<number> {
  const { table, record } = await runSensitivity(options);
  const written = writeRunFiles(record, options.outDir, { sensitivity: table });
  for (const row of table.rows)
    process.stdout.write(
      `${row.caught === row.phases ? 'caught' : 'MISSED'}  ${row.change.padEnd(34)} ${row.caught}/${row.phases}  ${row.scenario}\n`,
    );
  process.stdout.write(`right site: ${table.correct.passed}/${table.correct.runs} passed. Report: ${written.indexHtml}\n`);
  return sensitivityHolds(table) ? 0 : 1;
}
