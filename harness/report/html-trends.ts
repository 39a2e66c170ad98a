// Trends across the last runs, per scenario of this run: its pass rate, and each timing's p50 and p95 against its
// window, from the history the run keeps (this run included, as the newest point).

import type { HistoryEntry, RunRecord, ScenarioSummary } from '../core/model.js';
import { historyEntry } from '../core/summary.js';
import { KIND_WORDS, html, type SafeHtml } from './html-text.js';
import { renderPassRateSvg, renderTimingTrendSvg } from './trend-svg.js';

/** How many runs a trend spans: enough for a month of nightly runs, few enough for a small chart. */
const TREND_RUNS = 30;

/** Nothing when the history holds no run but this one: a trend of one point says nothing. */
export function renderTrends(record: RunRecord, history: readonly HistoryEntry[], summaries: readonly ScenarioSummary[]): SafeHtml | '' {
  const runs = trendRuns(record, history);
  if (runs.length < 2) return '';
  const blocks = summaries.map((s) => scenarioTrends(s, runs));
  return html`<section id="trends"><h2>Trends <span class="count">${runs.length} runs</span></h2><p class="note">Oldest run on the left, this run on the right; the band is the expected window. Hover a point for its run and values.</p>${exploredTrend(runs)}${blocks}</section>`;
}

/** The history in time order with this run as the last point, cut to the last TREND_RUNS runs. */
function trendRuns(record: RunRecord, history: readonly HistoryEntry[]): HistoryEntry[] {
  const others = history.filter((h) => h.runId !== record.runId);
  const sorted = [...others].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return [...sorted, historyEntry(record)].slice(-TREND_RUNS);
}

function scenarioTrends(summary: ScenarioSummary, runs: readonly HistoryEntry[]): SafeHtml {
  const inRun = runs.map((run) => ({ runId: run.runId, scenario: run.scenarios.find((s) => s.fullTitle === summary.fullTitle) ?? null }));
  const passRate = renderPassRateSvg(
    inRun.map(({ runId, scenario }) => ({
      runId,
      outcome: scenario?.outcome ?? null,
      executions: scenario?.executions ?? 0,
      failed: scenario?.failed ?? 0,
      inconclusive: scenario?.inconclusive ?? 0,
    })),
  );
  const timings = summary.timings.map((timing) => {
    const points = inRun.map(({ runId, scenario }) => ({
      runId,
      stats: scenario?.timings.find((t) => t.name === timing.name)?.stats ?? null,
    }));
    const kind = timing.kind === null ? 'measured only' : (KIND_WORDS[timing.kind] ?? timing.kind);
    return chart(`${timing.name} (${kind})`, renderTimingTrendSvg(timing.name, points, timing.window));
  });
  return html`<div class="trend-scenario"><h3>${summary.fullTitle}</h3><div class="trend-charts">${chart('pass rate', passRate)}${timings}</div></div>`;
}

/** What each night's exploration tried and found, newest last: findings are counted like failures. */
function exploredTrend(runs: readonly HistoryEntry[]): SafeHtml | '' {
  const explored = runs.filter((run) => run.explored !== undefined);
  if (explored.length === 0) return '';
  const rows = explored.map(
    (run) =>
      html`<tr class="${run.explored!.findings > 0 ? 'bad-row' : ''}"><td class="mono">${run.runId}</td><td class="num">${run.explored!.executions}</td><td class="num">${run.explored!.findings}</td><td>${run.explored!.keys.join(', ')}</td></tr>`,
  );
  return html`<table class="invariants explored-trend"><thead><tr><th>run</th><th class="num">schedules explored</th><th class="num">findings</th><th>invariants broken</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chart(caption: string, svg: SafeHtml | ''): SafeHtml {
  return html`<figure class="trend-box"><figcaption>${caption}</figcaption>${svg}</figure>`;
}
