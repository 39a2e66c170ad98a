// What a run executes: each selected scenario test once per repeat, the part of them a shard owns, and the order
// that keeps the wall time near the longest scenario (longest first). Pure.

import { HarnessError } from '../core/errors.js';
import type { SiteConfig } from '../core/site-config.js';
import type { CatalogueEntry } from './catalogue.js';

export interface Task {
  /** Unique in the run: "<index>-r<repeat>". */
  id: string;
  entry: CatalogueEntry;
  repeat: number;
  /** What the planner expects it to take, for the order and the progress view's ETA. */
  estimateMs: number;
}

export interface Shard {
  index: number;
  count: number;
}

/** Reads "I/N" (1-based): shard I of N. */
export function parseShard(raw: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new HarnessError(
      'BAD_INPUT',
      `--shard "${raw}" is invalid: give I/N with 1 ≤ I ≤ N, e.g. --shard 2/3 for the second of three shards.`,
      {
        details: { option: 'shard', value: raw },
      },
    );
  }
  return { index, count };
}

/**
 * How long one scenario takes, from what it declares and the site (scaled): a site's start and steady state, the
 * no-failover observation, and, when it takes the main CM down, the ESS's no-service timeout, the Dual-IP cycles to
 * reach it and its reset. Only for ordering and estimates: verdicts never depend on it.
 */
export function estimateMs(entry: CatalogueEntry, scaled: SiteConfig): number {
  const t = scaled.timers;
  const base = 3_000 + t.pumpupMs + 2 * t.heartbeatIntervalMs + 2 * (t.heartbeatMisses * t.heartbeatIntervalMs + t.heartbeatTimeoutMs);
  const cmDown = entry.meta.faults.some((f) => f.target === 'cm');
  return base + (cmDown ? t.essNoServiceTimeoutMs + 2 * (t.mainAttempts + t.essAttempts) * t.linkRetryMs + t.essResetMs : 0);
}

/**
 * Splits the catalogue between shards, the same way on every machine: scenarios longest first (by the lengths
 * measured and committed with the catalogue, else the estimate, then title), each to the shard with the least work so
 * far. History is not used: two shards planned on two machines must partition the same catalogue.
 */
export function shardOf(
  entries: CatalogueEntry[],
  scaled: SiteConfig,
  shard: Shard,
  measured: ReadonlyMap<string, number> = new Map(),
): CatalogueEntry[] {
  const length = (entry: CatalogueEntry) => measured.get(entry.fullTitle) ?? estimateMs(entry, scaled);
  const load = new Array<number>(shard.count).fill(0);
  const mine: CatalogueEntry[] = [];
  const ordered = [...entries].sort((a, b) => length(b) - length(a) || (a.fullTitle < b.fullTitle ? -1 : 1));
  for (const entry of ordered) {
    const target = load.indexOf(Math.min(...load));
    load[target]! += length(entry);
    if (target === shard.index - 1) mine.push(entry);
  }
  return entries.filter((e) => mine.includes(e));
}

/** The tasks of a run, longest first (known lengths, from history or the committed durations, win over estimates). */
export function planTasks(
  entries: CatalogueEntry[],
  repeats: number,
  scaled: SiteConfig,
  known: ReadonlyMap<string, number> = new Map(),
): Task[] {
  const tasks: Task[] = [];
  entries.forEach((entry, index) => {
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      tasks.push({ id: `${index}-r${repeat}`, entry, repeat, estimateMs: known.get(entry.fullTitle) ?? estimateMs(entry, scaled) });
    }
  });
  return tasks.sort((a, b) => b.estimateMs - a.estimateMs || a.repeat - b.repeat);
}
