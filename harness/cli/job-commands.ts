// The commands that read, merge and compare runs (report, compare, validate, durations) and the sensitivity check:
// each prints where its result is and returns the exit code a pipeline gates on.

import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HarnessError } from '../core/errors.js';
import { formatLongDurationMs } from '../core/format.js';
import type { Environment, RunRecord, TestRecord } from '../core/model.js';
import type { ImageSet } from '../core/run-context.js';
import type { SiteConfig } from '../core/site-config.js';
import { runStats } from '../core/summary.js';
import { listCatalogue } from '../jobs/catalogue.js';
import { compareRuns, type CompareOptions } from '../jobs/compare.js';
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
      tests,
      stats: runStats(tests, Math.max(...records.map((r) => r.stats.durationMs))),
    };
  }
  const history = readHistory(historyDir).filter((h) => h.timeScale === record.timeScale);
  const written = writeRunFiles(record, outDir, { history });
  process.stdout.write(`Report: ${written.indexHtml}\n`);
  return record.tests.some((t) => t.outcome === 'failed') ? 1 : 0;
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

function compareAndReport(baseline: RunRecord, candidate: RunRecord, outDir: string, options: CompareOptions): number {
  const comparison = compareRuns(baseline, candidate, options);
  const record = { ...candidate, runId: `compare-${basename(candidate.runId)}-vs-${basename(baseline.runId)}`.slice(0, 120) };
  const written = writeRunFiles(record, outDir, { comparison });
  for (const line of comparison.regressions) process.stdout.write(`REGRESSION  ${line}\n`);
  const shifts = comparison.scenarios.flatMap((s) =>
    s.timings
      .filter((t) => t.shifted)
      .map(
        (t) =>
          `${s.fullTitle}: ${t.name} ${t.shiftMs > 0 ? '+' : ''}${Math.round(t.shiftMs)} ms${t.pValue === null ? '' : ` (p = ${t.pValue.toPrecision(2)})`}`,
      ),
  );
  for (const line of shifts) process.stdout.write(`shift       ${line}\n`);
  const overloaded = comparison.scenarios.flatMap((s) =>
    s.timings
      .filter((t) => t.overloaded)
      .map(
        (t) =>
          `${s.fullTitle}: ${t.name} ${t.overloaded!.judged ? 'judged without' : 'not judged:'} ${t.overloaded!.baseline} + ${t.overloaded!.candidate} execution(s) with a stand-in timer late past the tolerance (host overloaded)`,
      ),
  );
  for (const line of overloaded) process.stdout.write(`overloaded  ${line}\n`);
  process.stdout.write(
    `${comparison.regressions.length === 0 ? 'No regression' : `${comparison.regressions.length} regression(s)`}. Report: ${written.indexHtml}\n`,
  );
  return comparison.regressions.length === 0 ? 0 : 1;
}

export interface ValidateOptions {
  filters: string[];
  baseline: { site: SiteConfig; timeScale: number; siteFile: { path: string; name: string } | null };
  candidate: { site: SiteConfig; timeScale: number; siteFile: { path: string; name: string } | null };
  repeat: number;
  parallel: number;
  seed: number | null;
  outDir: string;
  images: ImageSet;
  environment: Environment;
  compare: CompareOptions;
}

/** Runs the baseline site, then the candidate site, with the same seed and phases, then compares them. */
export async function validateCommand(options: ValidateOptions): Promise<number> {
  const seed = options.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const run = (which: 'baseline' | 'candidate') => {
    const side = options[which];
    process.stderr.write(`cmsha validate: the ${which} site (${side.siteFile?.name ?? 'default'})\n`);
    return runCatalogue({
      ...side,
      filters: options.filters,
      repeat: options.repeat,
      parallel: options.parallel,
      shard: null,
      seed,
      outDir: options.outDir,
      historyDir: null,
      images: options.images,
      environment: options.environment,
      runId: `${which}-${defaultRunId()}`,
    });
  };
  const baseline = await run('baseline');
  const candidate = await run('candidate');
  return compareAndReport(baseline.record, candidate.record, options.outDir, options.compare);
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
