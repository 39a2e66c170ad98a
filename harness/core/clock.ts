// The one clock of a run: CLOCK_MONOTONIC in nanoseconds, shared by the harness and every stand-in
// (they share the host kernel), plus conversions between bigint ns, milliseconds and the JSON `MonoNs` string.

import type { MonoNs } from '../../images/protocol/index.js';
import { HarnessError } from './errors.js';

/** An instant on the monotonic clock: a bigint in ns, or the decimal string form used in JSON. */
export type Instant = bigint | MonoNs;

/** Now, on the monotonic clock shared with the stand-ins. */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Parses an instant given as bigint or `MonoNs` string; rejects anything that is not a non-negative integer. */
export function toNs(instant: Instant): bigint {
  if (typeof instant === 'bigint') return instant;
  if (!/^\d+$/.test(instant)) {
    throw new HarnessError('BAD_INPUT', `"${instant}" is not a monotonic instant: expected a decimal string of nanoseconds`, {
      details: { instant },
    });
  }
  return BigInt(instant);
}

/** The JSON form of an instant. */
export function toMonoNs(instant: Instant): MonoNs {
  return typeof instant === 'bigint' ? instant.toString() : toNs(instant).toString();
}

/** Nanoseconds as (fractional) milliseconds. Exact to the microsecond for any realistic run length. */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** Milliseconds as nanoseconds (rounded to the nearest ns). */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Milliseconds from `from` to `to` (default now); negative when `to` is earlier. */
export function elapsedMs(from: Instant, to: Instant = nowNs()): number {
  return nsToMs(toNs(to) - toNs(from));
}

/** The later of two instants. */
export function maxNs(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The earlier of two instants. */
export function minNs(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Milliseconds between two stamps in their JSON form; NaN when either is malformed (the report must not throw). */
export function msBetween(from: MonoNs, to: MonoNs): number {
  try {
    return Number(BigInt(to) - BigInt(from)) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * Resolves once the monotonic clock reaches `target`: how an action is scheduled at a planned instant (a fault at a
 * phase of the heartbeat cycle). The caller records both the planned and the actual instant.
 */
export async function untilNs(target: bigint): Promise<void> {
  for (let left = nsToMs(target - nowNs()); left > 0; left = nsToMs(target - nowNs())) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(left))));
  }
}
