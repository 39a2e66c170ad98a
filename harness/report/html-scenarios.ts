// The scenario table: each scenario over its executions (its repeats), failed and flaky first, with its end states
// and, per timing grouped by the kind of its window, n, p50, p95 and max against that window.

import { formatDurationMs, formatInRangeMs, formatRangeMs } from '../core/format.js';
import type { Outcome, ScenarioSummary, TestRecord } from '../core/model.js';
import { executionId } from './html-execution.js';
import { KIND_ORDER, KIND_WORDS, badge, html, type SafeHtml } from './html-text.js';

export const OUTCOME_ORDER: Outcome[] = ['failed', 'flaky', 'inconclusive', 'passed', 'pending'];

type Timing = ScenarioSummary['timings'][number];

/** The scenarios in report order: failed, flaky, inconclusive, passed, pending; run order within each. */
export function sortScenarios(summaries: readonly ScenarioSummary[]): ScenarioSummary[] {
  return OUTCOME_ORDER.flatMap((outcome) => summaries.filter((s) => s.outcome === outcome));
}

export function renderScenarioTable(summaries: readonly ScenarioSummary[], tests: readonly TestRecord[]): SafeHtml | '' {
  if (summaries.length === 0) return '';
  const bodies = sortScenarios(summaries).map((s) => scenarioBody(s, tests));
  const head = html`<thead><tr><th>window</th><th>timing</th><th>expected</th><th class="num">n</th><th class="num">p50</th><th class="num">p95</th><th class="num">max</th><th class="num">outside</th></tr></thead>`;
  return html`<section id="scenarios"><h2>Scenarios <span class="count">${summaries.length}</span></h2><table class="scenarios">${head}${bodies}</table></section>`;
}

/** The execution a scenario's title links to: its first failure, else its first execution. */
function firstExecution(summary: ScenarioSummary, tests: readonly TestRecord[]): number {
  const own = (t: TestRecord) => t.fullTitle === summary.fullTitle;
  const failed = tests.findIndex((t) => own(t) && t.outcome === 'failed');
  return failed >= 0 ? failed : tests.findIndex(own);
}

function scenarioBody(s: ScenarioSummary, tests: readonly TestRecord[]): SafeHtml {
  const inconclusive = s.inconclusive ? `, and ${s.inconclusive} inconclusive (harness), left out` : '';
  const executions = `${s.executions} execution${s.executions === 1 ? '' : 's'}${s.failed > 0 ? `, ${s.failed} failed` : ''}${inconclusive}`;
  const states = s.endStates.map(
    (e) => html`<li>${e.state}${s.endStates.length > 1 || e.count > 1 ? html` <span class="na">× ${e.count}</span>` : ''}</li>`,
  );
  const family = s.scenario ? html`<span class="tag">${s.scenario}</span>` : '';
  const head = html`<tr class="scenario-head"><td>${badge(s.outcome)}</td><td colspan="7"><a href="#${executionId(firstExecution(s, tests))}">${s.fullTitle}</a>${family}<span class="execs">${executions}</span><ul class="end-states" title="end states">${states}</ul></td></tr>`;
  const timings = KIND_ORDER.flatMap((kind) => s.timings.filter((t) => t.kind === kind)).map(timingRow);
  return html`<tbody class="scenario scenario-${s.outcome}" data-outcome="${s.outcome}">${head}${timings}</tbody>`;
}

function timingRow(t: Timing): SafeHtml {
  const value = (ms: number): string => (t.window ? formatInRangeMs(ms, t.window.fromMs, t.window.toMs) : formatDurationMs(ms));
  const kind = t.kind === null ? html`<span class="na">measured only</span>` : (KIND_WORDS[t.kind] ?? t.kind);
  const expected = t.window ? formatRangeMs(t.window.fromMs, t.window.toMs) : html`<span class="na">—</span>`;
  const stats = [t.stats.p50, t.stats.p95, t.stats.max].map((ms) => html`<td class="num">${value(ms)}</td>`);
  const outside = t.outside > 0 ? html`<td class="num bad">${t.outside}</td>` : html`<td class="num">0</td>`;
  return html`<tr class="timing${t.outside > 0 ? ' bad-row' : ''}"><td class="kind kind-${t.kind ?? 'none'}">${kind}</td><td title="${t.description}">${t.name}</td><td class="num">${expected}</td><td class="num">${t.stats.n}</td>${stats}${outside}</tr>`;
}
