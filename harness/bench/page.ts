// The bench as ONE self-contained page (inline CSS, no script, the report's CSP): the targets first, then a chart per
// measurement (every sample as a dot, median and p95 marked, the target's limit drawn) with its figures in a table.

import { CSP } from '../report/html.js';
import { coord, html, joinHtml, trusted, type SafeHtml } from '../report/html-text.js';
import type { BenchResult, Figure, Measurement, Target } from './figures.js';
import { formatValue, verdictWord } from './table.js';

const CSS = trusted(`
*{box-sizing:border-box}
html{background:#f4f6f7}
body{margin:0 auto;max-width:1100px;padding:20px 24px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2a30}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:26px 0 6px;padding-bottom:4px;border-bottom:2px solid #dde3e6}
.facts{color:#5f6f78;margin:0 0 12px}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
section{background:#fff;border:1px solid #dde3e6;border-radius:8px;padding:10px 16px 14px;margin:0 0 16px}
section h2{margin-top:4px}
.desc{color:#5f6f78;margin:0 0 8px}
table{border-collapse:collapse;width:100%}
th,td{padding:3px 8px;text-align:right;border-bottom:1px solid #eef1f2;vertical-align:top;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}
th{color:#5f6f78;font-weight:500}
.cmd{color:#5f6f78;font-size:12px;margin:6px 0 0;word-break:break-word}
.verdict{font-weight:700;font-size:11px;letter-spacing:.05em;padding:2px 8px;border-radius:10px;color:#fff;white-space:nowrap}
.met{background:#2e7d32}.missed{background:#c62828}.unmeasured{background:#78909c}
.targets td{text-align:left}
.targets ul{margin:4px 0 0;padding-left:18px;color:#5f6f78;font-size:13px}
svg.chart{display:block;width:100%;height:auto;margin:6px 0}
.notes li{margin:3px 0}
footer{color:#5f6f78;font-size:12px;margin-top:20px}
`);

const W = 760;
const LABEL_W = 330;
const X0 = LABEL_W + 10;
const X1 = W - 20;
const ROW_H = 26;
const TOP = 10;
const AXIS_H = 42;

/** The x range of a chart: every sample and the limit, from 0 when every value is positive. */
export function chartRange(figures: readonly Figure[], measurement: Measurement): [number, number] {
  const values = figures.flatMap((f) => f.samples);
  const limit = measurement.limit ? [measurement.limit.value, ...(values.some((v) => v < 0) ? [-measurement.limit.value] : [])] : [];
  const lo = Math.min(0, ...values, ...limit);
  const hi = Math.max(...values, ...limit, lo + 1e-9);
  const pad = (hi - lo) * 0.04;
  return [lo < 0 ? lo - pad : lo, hi + pad];
}

function ticks(lo: number, hi: number): number[] {
  const step = (hi - lo) / 4;
  return [0, 1, 2, 3, 4].map((i) => lo + i * step);
}

/** One chart: a row per figure, its samples as dots, the median as a bar and the p95 as a tick. */
export function renderChart(measurement: Measurement, figures: readonly Figure[]): SafeHtml {
  const [lo, hi] = chartRange(figures, measurement);
  const x = (v: number) => X0 + ((v - lo) / (hi - lo)) * (X1 - X0);
  const height = TOP + figures.length * ROW_H + AXIS_H;
  const rows = figures.map((f, i) => {
    const y = TOP + i * ROW_H + ROW_H / 2;
    // Dots spread over the row's height by their index, so equal values do not hide each other.
    const dots = f.samples.map((s, k) => html`<circle cx="${coord(x(s))}" cy="${coord(y - 7 + ((k * 7) % 15))}" r="2.4"/>`);
    return html`<g class="row"><text x="${LABEL_W}" y="${coord(y + 4)}" text-anchor="end">${f.label}</text>
<line x1="${coord(x(f.min))}" x2="${coord(x(f.max))}" y1="${coord(y)}" y2="${coord(y)}" stroke="#b0bec5"/>
<g fill="#1565c0" fill-opacity="0.35">${dots}</g>
<line x1="${coord(x(f.median))}" x2="${coord(x(f.median))}" y1="${coord(y - 10)}" y2="${coord(y + 10)}" stroke="#1f2a30" stroke-width="3"><title>median ${formatValue(f.median)} ${f.unit}</title></line>
<line x1="${coord(x(f.p95))}" x2="${coord(x(f.p95))}" y1="${coord(y - 7)}" y2="${coord(y + 7)}" stroke="#e69500" stroke-width="2"><title>p95 ${formatValue(f.p95)} ${f.unit}</title></line></g>`;
  });
  const axisY = TOP + figures.length * ROW_H + 4;
  const axis = ticks(lo, hi).map(
    (t) =>
      html`<line x1="${coord(x(t))}" x2="${coord(x(t))}" y1="${TOP}" y2="${axisY}" stroke="#eef1f2"/><text x="${coord(x(t))}" y="${axisY + 14}" text-anchor="middle">${formatValue(t)}</text>`,
  );
  const limits = measurement.limit ? [measurement.limit.value, ...(lo < 0 ? [-measurement.limit.value] : [])] : [];
  const limitLines = limits.map(
    (v) =>
      html`<line class="limit" x1="${coord(x(v))}" x2="${coord(x(v))}" y1="${TOP - 4}" y2="${axisY}" stroke="#c62828" stroke-dasharray="5 3"><title>target: ${measurement.limit!.label}</title></line>`,
  );
  return html`<svg class="chart" data-measurement="${measurement.id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" role="img" aria-label="${measurement.title}" font-size="12" fill="#1f2a30">
${axis}${limitLines}${joinHtml(rows, '\n')}
<text x="${X1}" y="${height - 2}" text-anchor="end" fill="#5f6f78">${measurement.unit} · dots: samples · black: median · amber: p95${measurement.limit ? ' · red dashes: target' : ''}</text>
</svg>`;
}

function figureRows(figures: readonly Figure[]): SafeHtml {
  const v = (x: number) => formatValue(x);
  return joinHtml(
    figures.map(
      (f) =>
        html`<tr data-figure="${f.id}"><td>${f.label}</td><td>${f.n}</td><td>${v(f.min)}</td><td>${v(f.median)}</td><td>${v(f.p95)}</td><td>${v(f.p99)}</td><td>${v(f.max)}</td><td>${v(f.mean)}</td><td>${v(f.sd)}</td></tr>`,
    ),
    '\n',
  );
}

function renderMeasurement(m: Measurement, figures: readonly Figure[]): SafeHtml {
  const commands = [...new Set(figures.map((f) => f.command))];
  const notes = figures.filter((f) => f.note).map((f) => html`<li><b>${f.label}</b>: ${f.note}</li>`);
  return html`<section class="measurement" id="m-${m.id}">
<h2>${m.title} <span class="mono">(${m.unit})</span></h2>
<p class="desc">${m.description}</p>
${renderChart(m, figures)}
<table><thead><tr><th>figure</th><th>n</th><th>min</th><th>median</th><th>p95</th><th>p99</th><th>max</th><th>mean</th><th>sd</th></tr></thead>
<tbody>${figureRows(figures)}</tbody></table>
${notes.length > 0 ? html`<ul class="cmd">${notes}</ul>` : ''}
${joinHtml(
  commands.map((c) => html`<p class="cmd mono">${c}</p>`),
  '\n',
)}
</section>`;
}

function renderTargets(targets: readonly Target[]): SafeHtml {
  const cls = (t: Target) => (t.met === null ? 'unmeasured' : t.met ? 'met' : 'missed');
  const rows = targets.map((t) => {
    const value =
      t.value === null ? '–' : `${formatValue(t.value)} ${t.unit} (${t.direction === 'at-most' ? '≤' : '≥'} ${formatValue(t.limit)})`;
    const breakdown = t.breakdown.length > 0 ? html`<ul>${t.breakdown.map((b) => html`<li>${b}</li>`)}</ul>` : '';
    return html`<tr data-target="${t.id}"><td><span class="verdict ${cls(t)}">${verdictWord(t)}</span></td><td>${t.text}<div class="cmd">${t.detail}</div>${breakdown}</td><td class="mono">${value}</td></tr>`;
  });
  return html`<section id="targets"><h2>Targets</h2><table class="targets"><tbody>${joinHtml(rows, '\n')}</tbody></table></section>`;
}

export function renderPage(result: BenchResult): string {
  const measurements = result.measurements.map((m) =>
    renderMeasurement(
      m,
      result.figures.filter((f) => f.measurement === m.id),
    ),
  );
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${trusted(CSP)}">
<meta name="referrer" content="no-referrer">
<title>cms-ha-chaos bench — ${result.startedAt}</title>
<style>${CSS}</style>
</head>
<body>
<h1>cms-ha-chaos bench${result.quick ? ' (quick)' : ''}</h1>
<p class="facts"><span class="mono">${result.command}</span> · ${result.startedAt} · ${formatValue(result.wallMs / 1000)} s · ${result.machine.cores} cores · Node ${result.machine.node} · Docker ${result.machine.docker ?? 'unknown'}</p>
<main>
${renderTargets(result.targets)}
${joinHtml(measurements, '\n')}
${result.notes.length > 0 ? html`<section id="notes"><h2>Notes</h2><ul class="notes">${result.notes.map((x) => html`<li>${x}</li>`)}</ul></section>` : ''}
</main>
<footer>Generated by cms-ha-chaos. Every comparison is a ratio of neighbours measured in the same run; figures and their samples are in bench.json beside this page.</footer>
</body>
</html>
`.toString();
}
