// Seeded, replayable randomness for fault phases: the same seed, test and repeat always give the same phase,
// whatever the order, parallelism or sharding of the run (Jepsen's nemesis schedules, made replayable).

import { createHash } from 'node:crypto';

/** A number in [0, 1) from a seed and any words naming the draw (a test's title, its repeat). */
export function draw(seed: number, ...words: Array<string | number>): number {
  const hash = createHash('sha256').update(String(seed));
  for (const word of words) hash.update('\0').update(String(word));
  return hash.digest().readUInt32BE(0) / 0x1_0000_0000;
}

/**
 * The fault phase of one repeat: the cycle is cut into `repeats` equal strata and repeat k draws inside stratum k,
 * so a nightly run with repeats covers the whole cycle, evenly, and still at random points.
 */
export function stratifiedPhase(seed: number, name: string, repeat: number, repeats: number): number {
  const n = Math.max(1, repeats);
  const k = ((repeat % n) + n) % n;
  return (k + draw(seed, name, repeat)) / n;
}

/** A fresh seed for a run that was not given one. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000);
}
