// `cmsha explore` and `cmsha replay`: their options read and checked before anything starts, the run's folder and
// report written, the findings said on the terminal with their replay commands, the exit code a pipeline gates on.

import { readFileSync } from 'node:fs';
import parseDuration from 'parse-duration';
import { HarnessError } from '../core/errors.js';
import { type Environment, type ExploreSummary, RUN_RECORD_SCHEMA, type RunRecord } from '../core/model.js';
import { formatLongDurationMs } from '../core/format.js';
import type { ImageSet } from '../core/run-context.js';
import { parseSchedule, type Schedule } from '../core/schedule.js';
import type { SiteConfig } from '../core/site-config.js';
import { runStats } from '../core/summary.js';
import { explore, replay } from '../explore/explore.js';
import type { PoolEngine } from '../jobs/engine-pool.js';
import { defaultRunId } from '../jobs/run.js';
import { writeRunFiles } from '../report/run-files.js';
import { join, resolve } from 'node:path';

/** "30m", "2h", "90s", "1h30m": a budget given by a person. */
export function parseBudget(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === null || ms === undefined || !(ms > 0))
    throw new HarnessError('BAD_INPUT', `--budget "${raw}" is invalid: give a duration such as 30m, 2h or 90s.`, {
      details: { option: 'budget', value: raw },
    });
  return ms;
}

/** "k/r": a shrink candidate still fails when it fails r of up to k runs (1 ≤ r ≤ k). */
export function parseShrinkRule(raw: string): { runs: number; needed: number } {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const runs = Number(match?.[1]);
  const needed = Number(match?.[2]);
  if (!match || runs < 1 || needed < 1 || needed > runs)
    throw new HarnessError('BAD_INPUT', `--shrink "${raw}" is invalid: give k/r with 1 ≤ r ≤ k, e.g. 2/2 (fails both of 2 runs) or 3/2.`, {
      details: { option: 'shrink', value: raw },
    });
  return { runs, needed };
}

/** Reads and checks a schedule file; a bad one is bad input, said before anything starts. */
export function readScheduleFile(path: string): Schedule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new HarnessError(
      'BAD_INPUT',
      `${path}: cannot read the schedule (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}). Give the path of a schedule file, e.g. one \`cmsha explore\` wrote under reports/<run>/explore/findings/.`,
      { cause },
    );
  }
  return parseSchedule(text, path);
}

interface CommonOptions {
  timeScale: number;
  site: SiteConfig;
  siteFile: string;
  parallel: number;
  /** The pool to run on (`--engine`); absent: the engine at DOCKER_HOST, else the local one. */
  engines?: readonly PoolEngine[];
  images: ImageSet;
  environment: Environment;
  outDir: string;
}

/** The run record of an exploration: no catalogue tests, the exploration itself. */
function exploreRecord(runId: string, startedAt: Date, options: CommonOptions, seed: number, explored: ExploreSummary): RunRecord {
  return {
    schema: RUN_RECORD_SCHEMA,
    runId,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    partial: explored.partial !== null,
    partialReason: explored.partial,
    timeScale: options.timeScale,
    seed,
    repeat: 1,
    parallel: options.parallel,
    shard: null,
    siteFile: options.siteFile,
    site: options.site,
    environment: options.environment,
    stats: runStats([], explored.elapsedMs),
    tests: [],
    explored,
  };
}

export async function exploreCommand(
  options: CommonOptions & { budgetMs: number; seed: number; shrink: { runs: number; needed: number } },
): Promise<number> {
  const runId = `explore-${defaultRunId()}`;
  const startedAt = new Date();
  process.stderr.write(
    `cmsha explore: run ${runId}, seed ${options.seed} (replay: --seed ${options.seed}), budget ${formatLongDurationMs(options.budgetMs)}, time scale ${options.timeScale}, ${options.parallel} site(s) at once, shrink ${options.shrink.runs}/${options.shrink.needed}\n`,
  );
  const summary = await explore({ ...options, dir: resolve(options.outDir, runId) });
  const written = writeRunFiles(exploreRecord(runId, startedAt, options, options.seed, summary), options.outDir);
  for (const line of exploreLines(summary)) process.stdout.write(`${line}\n`);
  process.stdout.write(`Report: ${written.indexHtml}\n`);
  return summary.partial ? 130 : summary.findings.length > 0 ? 1 : 0;
}

/** What an exploration found, for the terminal. */
export function exploreLines(summary: ExploreSummary): string[] {
  const counts = (verdict: string) => summary.executions.filter((e) => e.verdict === verdict).length;
  const lines = [
    `${summary.executions.length} execution(s) in ${formatLongDurationMs(summary.elapsedMs)}: ${counts('passed')} passed, ${counts('failed')} broke an invariant, ${counts('void')} void (host overloaded), ${counts('inconclusive')} inconclusive (harness)`,
  ];
  for (const row of summary.invariants)
    lines.push(
      `  ${row.invariant} ${row.name.padEnd(58)} ${row.violated === 0 ? 'held' : `BROKEN in ${row.violated}`} of ${row.judged}${row.void ? ` (${row.void} void)` : ''}`,
    );
  for (const f of summary.findings) {
    lines.push(`FINDING  ${f.key}: ${f.faults} fault(s), ${f.status} after ${f.shrinkSteps} shrink step(s) and ${f.shrinkRuns} run(s)`);
    lines.push(`         ${f.message.split('\n')[0]}`);
    lines.push(`         schedule: ${f.files.schedule}`);
    lines.push(`         replay:   ${f.replay}`);
  }
  if (summary.findings.length === 0) lines.push('No invariant was broken.');
  return lines;
}

export async function replayCommand(options: CommonOptions & { schedule: Schedule; repeat: number }): Promise<number> {
  const runId = `replay-${defaultRunId()}`;
  const startedAt = new Date();
  const result = await replay(
    { ...options, dir: resolve(options.outDir, runId), budgetMs: 0, seed: 0, shrink: { runs: 1, needed: 1 } },
    options.schedule,
    options.repeat,
  );
  const written = writeRunFiles(exploreRecord(runId, startedAt, options, 0, result.summary), options.outDir);
  for (const line of exploreLines(result.summary).slice(0, 8)) process.stdout.write(`${line}\n`);
  for (const { key, runs } of result.reproduced) process.stdout.write(`reproduced ${key}: ${runs} of ${result.runs} run(s)\n`);
  if (result.reproduced.length === 0) process.stdout.write(`every invariant held in ${result.runs} run(s)\n`);
  process.stdout.write(`Report: ${written.indexHtml}\nExecutions: ${join(written.dir, 'explore', 'executions')}\n`);
  return result.summary.partial ? 130 : result.reproduced.length > 0 ? 1 : 0;
}
