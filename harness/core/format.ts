// The one way durations and windows read, in failure messages and in the report alike: seconds with one decimal
// from 1 s up, whole milliseconds below, so "47.2 s" and "850 ms" mean the same thing everywhere in a run.

/** "47.2 s" from 1 s up, "850 ms" below (rounded; 999.6 ms reads "1.0 s"). */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 999.5) return `${sign}${Math.round(abs)} ms`;
  return `${sign}${(abs / 1000).toFixed(1)} s`;
}

/**
 * A window's bounds in one unit, so both ends compare at a glance: "40.0–65.0 s" for a wide window, "2000–2060 ms"
 * for one narrower than a second (a protocol-anchored window: every millisecond counts), "200–800 ms" under a
 * second. Bounds are never rounded into a different window: seconds get more decimals when a bound needs them.
 */
export function formatRangeMs(fromMs: number, toMs: number): string {
  if (rangeInMs(fromMs, toMs)) return `${Math.round(fromMs)}–${Math.round(toMs)} ms`;
  const decimals = secondDecimals(fromMs, toMs);
  return `${(fromMs / 1000).toFixed(decimals)}–${(toMs / 1000).toFixed(decimals)} s`;
}

/** A measured value in the unit and precision of the window it is checked against, never rounded across a bound. */
export function formatInRangeMs(valueMs: number, fromMs: number, toMs: number): string {
  if (!Number.isFinite(valueMs)) return '?';
  const inside = valueMs >= fromMs && valueMs <= toMs;
  if (rangeInMs(fromMs, toMs)) {
    const whole = Math.round(valueMs);
    const looksInside = whole >= Math.round(fromMs) && whole <= Math.round(toMs);
    return `${looksInside === inside ? whole : valueMs.toFixed(1)} ms`;
  }
  let decimals = secondDecimals(fromMs, toMs);
  const shown = (d: number) => Number((valueMs / 1000).toFixed(d)) * 1000;
  while (decimals < 3 && (shown(decimals) >= fromMs && shown(decimals) <= toMs) !== inside) decimals += 1;
  return `${(valueMs / 1000).toFixed(decimals)} s`;
}

function rangeInMs(fromMs: number, toMs: number): boolean {
  return Math.max(Math.abs(fromMs), Math.abs(toMs)) < 999.5 || (Math.abs(toMs - fromMs) < 1000 && Math.abs(toMs) < 100_000);
}

function secondDecimals(fromMs: number, toMs: number): number {
  const exact = (decimals: number): boolean =>
    [fromMs, toMs].every((ms) => Math.abs(Number((ms / 1000).toFixed(decimals)) * 1000 - Math.round(ms)) < 1e-6);
  return exact(1) ? 1 : exact(2) ? 2 : 3;
}

/** A run's length for people: "850 ms", "12.4 s", "3 min 07 s", "1 h 02 min". */
export function formatLongDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 60_000) return formatDurationMs(ms);
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const secs = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(secs).padStart(2, '0')} s`;
}
