// The nightly history: one small file per finished run (its per-scenario summary), never rewritten, so a run that
// is killed half-way leaves every earlier entry as it was. Trends read the last entries back.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../core/files.js';
import type { HistoryEntry } from '../core/model.js';

/** Adds a run to the history; returns the file written. */
export function appendHistory(dir: string, entry: HistoryEntry): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${entry.startedAt.replace(/[:.]/g, '-')}-${entry.runId}.json`);
  writeFileAtomicSync(file, `${JSON.stringify(entry)}\n`);
  return file;
}

/** The last `limit` complete runs of the history, oldest first; unreadable or partial entries are skipped. */
export function readHistory(dir: string, limit = 30): HistoryEntry[] {
  if (!existsSync(dir)) return [];
  const entries: HistoryEntry[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as HistoryEntry;
      if (typeof entry?.runId === 'string' && Array.isArray(entry.scenarios) && !entry.partial) entries.push(entry);
    } catch {
      // A file someone truncated by hand must not stop the run that reads the trend.
    }
  }
  return entries.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1)).slice(-limit);
}

/** The median length of each scenario in the latest run at this time scale: the planner runs the longest first. */
export function knownDurations(history: readonly HistoryEntry[], timeScale: number): Map<string, number> {
  const known = new Map<string, number>();
  for (const entry of history) if (entry.timeScale === timeScale) for (const s of entry.scenarios) known.set(s.fullTitle, s.durationMs);
  return known;
}
