// Text for the HTML report and its SVG charts: escaping (everything from a container, a title, an error or the
// configuration goes through here) and SVG coordinates. Times are written by core/format.ts, as in messages.

/** Escapes text for HTML/SVG content and quoted attribute values; control characters (except tab/newline) are dropped. */
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

/** Compact number for an SVG coordinate. */
export function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
