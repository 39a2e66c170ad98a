// Small pure helpers shared by the HTML report and its SVG timelines: escaping and the way
// durations and windows are written, so a number reads the same in every place of the report.

/**
 * Escapes text for HTML/SVG content and quoted attribute values. Everything from a container, a test title,
 * an error or the configuration goes through here; control characters (except tab/newline) are dropped.
 */
export function escapeHtml(text: unknown): string {
  return (
    String(text)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

/** Milliseconds between two monotonic stamps (decimal nanosecond strings); NaN when either is malformed. */
export function nsDiffMs(fromNs: string, toNs: string): number {
  try {
    return Number(BigInt(toNs) - BigInt(fromNs)) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** "47.2 s" from one second up, "350 ms" below: one decimal is what timer windows are written with. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "40.0–65.0 s", or "250–900 ms" when the whole window lies under a second. */
export function formatRange(fromMs: number, toMs: number): string {
  if (Math.abs(fromMs) < 1000 && Math.abs(toMs) < 1000) return `${Math.round(fromMs)}–${Math.round(toMs)} ms`;
  return `${(fromMs / 1000).toFixed(1)}–${(toMs / 1000).toFixed(1)} s`;
}

/** A run's duration for people: "850 ms", "12.4 s", "3 min 07 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 60_000) return formatMs(ms);
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const secs = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(secs).padStart(2, '0')} s`;
}

/** Compact number for an SVG coordinate. */
export function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
