// What every measurement family of the bench gets (the engine, the images, the mode) and gives back (its charts, its
// figures, its notes), and the wall clock the engine's events are compared with.

import type { Environment } from '../core/model.js';
import type { ImageSet } from '../core/run-context.js';
import { DEFAULT_SITE, type SiteConfig } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import { runCatalogue, type RunResult } from '../jobs/run.js';
import type { Figure, Measurement } from './figures.js';

/** The CI time scale every measurement runs at. */
export const BENCH_TIME_SCALE = 0.05;

export interface BenchContext {
  docker: DockerClient;
  images: ImageSet;
  environment: Environment;
  /** The small subset `npm test` runs. */
  quick: boolean;
  outDir: string;
  /** Where the runs of the catalogue the bench makes keep their logs and records. */
  runsDir: string;
  timeScale: number;
  /** performance.now() at which the bench's time budget ends: optional steps that would pass it are skipped. */
  budgetEndsMs: number;
  log(line: string): void;
}

export interface FamilyOutput {
  measurements: Measurement[];
  figures: Figure[];
  notes: string[];
}

export function emptyOutput(): FamilyOutput {
  return { measurements: [], figures: [], notes: [] };
}

/**
 * Wall-clock milliseconds with sub-millisecond resolution (the monotonic clock offset by the process's start): the
 * engine stamps its events on the wall clock, so a breakdown from them needs our instants on the same one.
 */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs the scenarios `filters` select through the jobs runner, on the default site: no report, no history, no output. */
export function runQuietly(ctx: BenchContext, filters: readonly string[], repeat: number, parallel: number): Promise<RunResult> {
  return runCatalogue({
    filters: [...filters],
    timeScale: ctx.timeScale,
    site: structuredClone(DEFAULT_SITE) as SiteConfig,
    siteFile: null,
    repeat,
    parallel,
    shard: null,
    seed: null,
    outDir: ctx.runsDir,
    historyDir: null,
    images: ctx.images,
    environment: ctx.environment,
    quiet: true,
    writeReport: false,
  });
}
