// How durations and windows read in messages and reports: seconds with one decimal from 1 s up,
// whole milliseconds below, so "47.2 s" and "850 ms" mean the same thing everywhere in a run.

/** "47.2 s" from 1 s up, "850 ms" below (rounded; 999.6 ms reads "1.0 s"). */
export function formatDurationMs(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 999.5) return `${sign}${Math.round(abs)} ms`;
  return `${sign}${(abs / 1000).toFixed(1)} s`;
}

/**
 * A window's bounds in one unit, chosen by the upper bound so both ends compare at a glance:
 * "40.0–65.0 s", or "200–800 ms" when the whole window is under a second. Bounds are never rounded into a
 * different window: seconds get a second or third decimal when a bound needs it ("0.45–1.15 s").
 */
export function formatRangeMs(fromMs: number, toMs: number): string {
  if (Math.max(Math.abs(fromMs), Math.abs(toMs)) < 999.5) return `${Math.round(fromMs)}–${Math.round(toMs)} ms`;
  const exact = (decimals: number): boolean =>
    [fromMs, toMs].every((ms) => Math.abs(Number((ms / 1000).toFixed(decimals)) * 1000 - Math.round(ms)) < 1e-6);
  const decimals = exact(1) ? 1 : exact(2) ? 2 : 3;
  return `${(fromMs / 1000).toFixed(decimals)}–${(toMs / 1000).toFixed(decimals)} s`;
}
