// What every measurement family of the bench gets (the engine, the images, the mode) and gives back (its charts, its
// figures, its notes), and the wall clock the engine's events are compared with.

import type { Environment } from '../core/model.js';
import type { ImageSet } from '../core/run-context.js';
import type { DockerClient } from '../docker/client.js';
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
