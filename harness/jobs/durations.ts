// How long each scenario of the catalogue took in a run at real time (suites/durations.json), so that a run on a
// machine with no history yet still starts its longest scenarios first and deals shards evenly. An estimate from a
// scenario's faults cannot see its observations: a sunny day across the WAN observes for almost 7 minutes, more than
// most failovers. Ordering and ETAs only: verdicts never depend on it. `cmsha durations RUN_DIR` writes it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { HarnessError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/files.js';
import type { RunRecord } from '../core/model.js';
import { PROJECT_ROOT } from '../core/paths.js';

export const DURATIONS_FILE = join(PROJECT_ROOT, 'suites', 'durations.json');

/**
 * What a scenario costs whatever the time scale: starting its site, reaching the sunny day and removing it (about
 * 3 s, 5 s and 2 s on the 2-core machine the file was measured on).
 */
const SITE_OVERHEAD_MS = 10_000;

export interface DurationsFile {
  /** The run the lengths come from. */
  measured: { runId: string; startedAt: string; parallel: number };
  /** Full test title → wall time of one execution at real time, ms (the median over repeats). */
  durationsMs: Record<string, number>;
}

/** The lengths at real time; none when the file is missing. A file that is not ours is an error naming it. */
export function readDurations(path = DURATIONS_FILE): Map<string, number> {
  if (!existsSync(path)) return new Map();
  let parsed: DurationsFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as DurationsFile;
  } catch (error) {
    throw new HarnessError(
      'BAD_INPUT',
      `${path} is not JSON (${(error as Error).message}); write it again with \`npx cmsha durations RUN_DIR\`.`,
    );
  }
  const entries = Object.entries(parsed?.durationsMs ?? {});
  if (entries.length === 0 || entries.some(([, ms]) => typeof ms !== 'number' || !(ms > 0)))
    throw new HarnessError(
      'BAD_INPUT',
      `${path} has no "durationsMs" of positive numbers; write it again with \`npx cmsha durations RUN_DIR\`.`,
    );
  return new Map(entries);
}

/** The lengths expected at `timeScale`: the site's own time scales, the overhead of a site does not. */
export function durationsAt(realTime: ReadonlyMap<string, number>, timeScale: number): Map<string, number> {
  const scaled = new Map<string, number>();
  for (const [title, ms] of realTime) scaled.set(title, Math.round(SITE_OVERHEAD_MS + timeScale * Math.max(0, ms - SITE_OVERHEAD_MS)));
  return scaled;
}

/** The durations file from a finished, whole run at real time in which every execution passed. */
export function durationsFromRun(record: RunRecord): DurationsFile {
  const problem =
    record.timeScale !== 1
      ? `ran at time scale ${record.timeScale}; the file holds real-time lengths (run with --time-scale 1)`
      : record.partial
        ? 'did not finish'
        : record.tests.some((t) => t.outcome !== 'passed')
          ? 'has executions that did not pass, whose lengths say little'
          : null;
  if (problem) throw new HarnessError('BAD_INPUT', `Run ${record.runId} ${problem}: give the folder of a passing real-time run.`);
  const byTitle = new Map<string, number[]>();
  for (const test of record.tests) byTitle.set(test.fullTitle, [...(byTitle.get(test.fullTitle) ?? []), test.durationMs]);
  const durationsMs: Record<string, number> = {};
  for (const [title, values] of [...byTitle].sort(([a], [b]) => (a < b ? -1 : 1))) durationsMs[title] = Math.round(median(values));
  return { measured: { runId: record.runId, startedAt: record.startedAt, parallel: record.parallel }, durationsMs };
}

export function writeDurations(file: DurationsFile, path = DURATIONS_FILE): void {
  writeFileAtomicSync(path, `${JSON.stringify(file, null, 2)}\n`);
}
