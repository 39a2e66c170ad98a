// `--parallel auto`: how many sites the machine can run at once without its load distorting their timings.

import { availableParallelism, cpus, freemem, type CpuInfo } from 'node:os';
import { setTimeout as elapse } from 'node:timers/promises';

const PER_SITE_BYTES = 600 * 1024 * 1024;
/** Docker's default address pools hold 31 networks; a site takes two, the default bridge one. */
const SITES_PER_ENGINE = 15;
/** How long the machine's CPU use is measured before a run (a measurement over an interval, as vmstat's). */
const CPU_SAMPLE_MS = 500;

/**
 * Sites at once, within free memory:
 * - at a shortened time scale, one per idle core less one, kept for the engine and Toxiproxy: 2 sites on 2 idle cores
 *   once took 48 ms to see a connection refused (a window's tolerance is 40 ms), while 1 site next to a busy core
 *   stayed within 20 ms over 1270 measurements;
 * - at real time, two per idle core: the stand-ins mostly wait (the observer polls every second at real time, an
 *   idle site costs 0.05 of a core), but a site starting is six containers and their Node processes, and those
 *   bursts reach the sites beside it. At six per core (12 sites on 2 cores) one whole run passed but the next lost
 *   two windows to a heartbeat timer 43 and 71 ms late; at four per core (8 sites) a run lost a window to a refused
 *   heartbeat seen 55 ms after it was sent (2–3 ms for the two before it) and another to an ACD timer 76 ms late.
 * A core kept busy by something else is not counted: a site sharing it with that load would see its timers and I/O
 * served late, and fail for the host rather than for the site.
 */
export function sitesFor(idleCores: number, timeScale: number, freeBytes: number): number {
  const cores = Math.max(1, Math.round(idleCores));
  const byMemory = Math.max(1, Math.floor(freeBytes / PER_SITE_BYTES));
  return Math.max(1, Math.min(byMemory, SITES_PER_ENGINE, timeScale >= 0.5 ? 2 * cores : cores - 1));
}

/** Idle cores from two readings of the kernel's per-core CPU times. */
export function idleCoresBetween(before: readonly CpuInfo[], after: readonly CpuInfo[]): number {
  let idle = 0;
  let total = 0;
  after.forEach((core, i) => {
    const was = before[i];
    if (!was) return;
    const spent = (t: CpuInfo['times']) => t.user + t.nice + t.sys + t.idle + t.irq;
    idle += core.times.idle - was.times.idle;
    total += spent(core.times) - spent(was.times);
  });
  return total > 0 ? (idle / total) * after.length : availableParallelism();
}

/** `auto`, measured now: the number of sites and why, for the run's first line. */
export async function autoParallel(timeScale: number): Promise<{ parallel: number; why: string }> {
  const before = cpus();
  await elapse(CPU_SAMPLE_MS);
  const idle = idleCoresBetween(before, cpus());
  const parallel = sitesFor(idle, timeScale, freemem());
  const why = `--parallel auto: ${parallel} site(s) at once (${idle.toFixed(1)} of ${availableParallelism()} cores idle, time scale ${timeScale})`;
  return { parallel, why };
}
