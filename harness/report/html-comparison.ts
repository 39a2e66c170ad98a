// The comparison of this run (the candidate) with a baseline: the regressions that decide the exit code first, the
// timings the repeats left undecided, the forest plot of every timing against its margin, then per scenario the
// outcome and end state on both sides, each timing's shift with its interval and verdict, and broken budgets.

import { formatDurationMs, formatInRangeMs } from '../core/format.js';
import type { Comparison, Outcome, ScenarioComparison, ScenarioSummary, TimingShift, TimingStats } from '../core/model.js';
import { renderForest } from './html-forest.js';
import { badge, html, signedDuration, type SafeHtml } from './html-text.js';

type Bounds = { fromMs: number; toMs: number } | null;

/** `summaries` are the page's run's, the candidate's: their windows give each timing the unit it reads in elsewhere. */
export function renderComparison(comparison: Comparison, summaries: readonly ScenarioSummary[]): SafeHtml {
  const windowOf = (fullTitle: string, timing: string): Bounds =>
    summaries.find((s) => s.fullTitle === fullTitle)?.timings.find((t) => t.name === timing)?.window ?? null;
  return html`<section id="comparison" class="comparison"><h2>Comparison with the baseline</h2>${sides(comparison)}${regressions(comparison.regressions)}${inconclusive(comparison)}${renderForest(comparison)}${scenarioTable(comparison.scenarios, windowOf)}</section>`;
}

function sides(c: Comparison): SafeHtml {
  const side = (label: string, s: Comparison['baseline']): SafeHtml =>
    html`<tr><th>${label}</th><td class="mono">${s.runId}</td><td>${s.siteFile}</td><td class="num">${s.timeScale}</td><td class="num">${s.executions}</td></tr>`;
  const head = html`<thead><tr><th></th><th>run</th><th>site file</th><th class="num">time scale</th><th class="num">executions</th></tr></thead>`;
  const rule = html`<p class="note">Each timing's shift is the Hodges–Lehmann estimate of candidate − baseline, paired by repeat when both runs executed the same repeats at the same seeded phases, with its interval from the signed-rank (or rank-sum) distribution. It is judged against its equivalence margin (default ${formatDurationMs(c.toleranceMs)}: half the smallest timer step, within the windows' tolerance): a <em>regression</em> when the interval lies beyond the margin on the later side, <em>equivalent</em> when it lies within it, <em>inconclusive</em> when the repeats cannot tell; Holm's procedure keeps the family of every timing at α = ${c.alpha}. A changed outcome, end state or broken invariant is a regression whatever the statistics. An execution during which a stand-in's timer fired later than the windows allow is left out with its twin: the host was overloaded. A scenario with jitter on a link has twice that jitter added to its margin: Toxiproxy draws it at random, and no seed replays it.</p>`;
  const leftOut = c.leftOut
    ? html`<p class="note">Left out: ${c.leftOut.baseline} baseline and ${c.leftOut.candidate} candidate execution(s) that ended inconclusive (harness): the engine, Toxiproxy, the observer or the host failed, so they say nothing about either site.</p>`
    : '';
  return html`<table class="sides">${head}<tbody>${side('baseline', c.baseline)}${side('candidate', c.candidate)}</tbody></table>${rule}${leftOut}`;
}

/** The timings the repeats could not decide, with what each could detect; they make the exit code 4 without a regression. */
function inconclusive(c: Comparison): SafeHtml | '' {
  const open = c.scenarios.flatMap((s) => s.timings.filter((t) => t.verdict === 'inconclusive').map((t) => ({ s, t })));
  if (open.length === 0) return '';
  const items = open.map(
    ({ s, t }) =>
      html`<li>${`${s.fullTitle}: ${t.name} — ${t.why ?? 'not judged'}${t.smallestDetectableShiftMs === undefined ? '' : `; the smallest shift these repeats could call: ${t.smallestDetectableShiftMs === Infinity ? 'none (too few repeats)' : formatDurationMs(t.smallestDetectableShiftMs)}`}`}</li>`,
  );
  return html`<div class="inconclusive"><h3>${open.length} timing${open.length === 1 ? '' : 's'} inconclusive${c.regressions.length === 0 ? ' (exit code 4)' : ''}</h3><ul>${items}</ul></div>`;
}

function regressions(list: readonly string[]): SafeHtml {
  if (list.length === 0) return html`<p class="verdict-ok">No regressions: the comparison passes (exit code 0).</p>`;
  const items = list.map((r) => html`<li>${r}</li>`);
  return html`<div class="regressions" role="alert"><h3>${list.length} regression${list.length === 1 ? '' : 's'}: the comparison fails (exit code 1)</h3><ol>${items}</ol></div>`;
}

function scenarioTable(scenarios: readonly ScenarioComparison[], windowOf: (fullTitle: string, timing: string) => Bounds): SafeHtml {
  const head = html`<thead><tr><th>scenario</th><th>outcome</th><th>end state</th></tr></thead>`;
  return html`<table class="compare">${head}${scenarios.map((s) => scenarioBody(s, (timing) => windowOf(s.fullTitle, timing)))}</table>`;
}

function scenarioBody(s: ScenarioComparison, windowOf: (timing: string) => Bounds): SafeHtml {
  const regressed = s.regressions.length > 0;
  const head = html`<tr class="scenario-head${regressed ? ' regressed' : ''}"><td>${s.fullTitle}</td><td>${outcomeChange(s.outcome.baseline, s.outcome.candidate)}</td><td>${change(s.endState.baseline, s.endState.candidate)}</td></tr>`;
  const details = [timingShifts(s.timings, windowOf), budgetViolations(s.budgetViolations), scenarioRegressions(s.regressions)].filter(
    (d) => d !== '',
  );
  const detailRow = details.length === 0 ? '' : html`<tr><td colspan="3">${details}</td></tr>`;
  return html`<tbody class="${regressed ? 'regressed' : ''}">${head}${detailRow}</tbody>`;
}

function outcomeChange(baseline: Outcome | null, candidate: Outcome | null): SafeHtml {
  const side = (o: Outcome | null): SafeHtml => (o === null ? html`<span class="na">not run</span>` : badge(o));
  return baseline === candidate ? side(candidate) : html`${side(baseline)} → ${side(candidate)} <span class="changed">changed</span>`;
}

function change(baseline: string | null, candidate: string | null): SafeHtml {
  const side = (text: string | null): SafeHtml => (text === null ? html`<span class="na">none</span>` : html`${text}`);
  return baseline === candidate
    ? side(candidate)
    : html`<span class="was">${side(baseline)}</span> → ${side(candidate)} <span class="changed">changed</span>`;
}

function timingShifts(timings: readonly TimingShift[], windowOf: (timing: string) => Bounds): SafeHtml | '' {
  if (timings.length === 0) return '';
  const head = html`<thead><tr><th>timing</th><th>baseline n · p50 · p95</th><th>candidate n · p50 · p95</th><th class="num">shift</th><th class="num">interval · margin</th><th class="num">Holm p</th><th>verdict</th></tr></thead>`;
  const rows = timings.map(
    (t) =>
      html`<tr class="${t.shifted ? 'bad-row' : ''}"><td>${t.name}</td><td class="num">${stats(t.baseline, windowOf(t.name))}</td><td class="num">${stats(t.candidate, windowOf(t.name))}</td><td class="num">${signedDuration(t.shiftMs)}</td><td class="num">${interval(t)}</td><td class="num">${pValue(t.pValue)}</td><td>${verdict(t)}</td></tr>`,
  );
  return html`<table class="shifts">${head}<tbody>${rows}</tbody></table>`;
}

/** The shift's interval and the margin it was judged against. */
function interval(t: TimingShift): string {
  if (!t.interval || t.marginMs === undefined) return '—';
  const end = (ms: number): string => (ms === Infinity ? '+∞' : ms === -Infinity ? '−∞' : signedDuration(ms));
  return `[${end(t.interval.lowMs)}, ${end(t.interval.highMs)}] · ±${formatDurationMs(t.marginMs)}`;
}

/** The verdict (older comparisons: shifted or the same); executions left out for an overloaded host are said. */
function verdict(t: TimingShift): SafeHtml {
  const judgedBy =
    t.toleranceMs === undefined ? '' : html` <span class="note">${`tolerance ${formatDurationMs(t.toleranceMs)} (link jitter)`}</span>`;
  const called = t.verdict ?? (t.shifted ? 'shifted' : 'same');
  const css = called === 'regression' || called === 'shifted' ? 'bad' : called === 'inconclusive' ? 'warn' : 'ok';
  const word = html`<span class="${css}" title="${t.why ?? ''}">${called}</span>${judgedBy}`;
  const left = t.overloaded;
  if (!left) return word;
  const counts = `${left.baseline} baseline and ${left.candidate} candidate execution(s) had a stand-in timer late past the tolerance (host overloaded)`;
  return left.judged
    ? html`${word} <span class="note">${`left out: ${counts}`}</span>`
    : html`<span class="warn">not judged</span> <span class="note">${counts}</span>`;
}

/** n · p50 · p95, in the unit of the timing's window when the candidate has one. */
function stats(s: TimingStats, window: Bounds): string {
  const value = (ms: number): string => (window ? formatInRangeMs(ms, window.fromMs, window.toMs) : formatDurationMs(ms));
  return `${s.n} · ${value(s.p50)} · ${value(s.p95)}`;
}

/** A p-value to two significant digits; tiny ones as a bound, none when a side had a single execution. */
function pValue(p: number | null): SafeHtml | string {
  if (p === null) return html`<span class="na">—</span>`;
  return p < 0.001 ? '< 0.001' : p.toPrecision(2);
}

function budgetViolations(violations: ScenarioComparison['budgetViolations']): SafeHtml | '' {
  if (violations.length === 0) return '';
  const items = violations.map(
    (v) => html`<li>${`${v.name}: worst ${formatDurationMs(v.worstMs)}, budget ${formatDurationMs(v.budgetMs)}`}</li>`,
  );
  return html`<div class="budgets"><strong>Beyond the site's outage budget:</strong><ul>${items}</ul></div>`;
}

function scenarioRegressions(list: readonly string[]): SafeHtml | '' {
  if (list.length === 0) return '';
  return html`<ul class="scenario-regressions">${list.map((r) => html`<li>${r}</li>`)}</ul>`;
}
