// The Explored section: what `cmsha explore` tried (schedules, coverage), each invariant's verdict over them, and each
// finding with its minimal schedule, the timeline of its last failing run, the replay command and its scenario form.

import { formatDurationMs, formatLongDurationMs } from '../core/format.js';
import type { CoverageRow, ExploreSummary, Finding } from '../core/model.js';
import { scheduleYaml } from '../core/schedule.js';
import { html, type SafeHtml } from './html-text.js';
import { timelineSvg } from './timeline-svg.js';

export function renderExplored(explored: ExploreSummary): SafeHtml {
  const counts = (verdict: string) => explored.executions.filter((e) => e.verdict === verdict).length;
  const byPurpose = (purpose: string) => explored.executions.filter((e) => e.purpose === purpose).length;
  const intro = html`<p class="note">${explored.executions.length} execution(s) in ${formatLongDurationMs(explored.elapsedMs)} of a ${formatLongDurationMs(explored.budgetMs)} budget, ${explored.parallel} site(s) at once, time scale ${explored.timeScale}: ${byPurpose('explore')} generated schedule(s), ${byPurpose('shrink')} shrinking run(s), ${byPurpose('replay')} replay(s). ${counts('passed')} passed, ${counts('failed')} broke an invariant, ${counts('void')} void (a stand-in's timer fired late: the host, not the site), ${counts('inconclusive')} inconclusive (the harness failed). Seed ${explored.seed}: <code>npx cmsha explore --seed ${explored.seed} --time-scale ${explored.timeScale}</code> generates the same schedules. A shrink candidate still fails when it breaks the same invariant the same way in ${explored.shrinkRule.needed} of up to ${explored.shrinkRule.runs} runs.</p>`;
  return html`<section id="explored" class="explored"><h2>Explored</h2>${intro}${invariantTable(explored)}${explored.findings.map(renderFinding)}${coverageTable(explored.coverage)}${executionList(explored)}</section>`;
}

function invariantTable(explored: ExploreSummary): SafeHtml {
  const rows = explored.invariants.map((row) => {
    const ok = row.violated === 0;
    return html`<tr class="${ok ? '' : 'bad-row'}"><td>${row.invariant}</td><td>${row.name}</td><td class="num">${row.judged}</td><td class="num">${row.violated}</td><td class="num">${row.void}</td><td><span class="badge badge-${ok ? 'passed' : 'failed'}">${ok ? 'held' : 'broken'}</span></td></tr>`;
  });
  return html`<table class="invariants"><thead><tr><th>invariant</th><th>what must hold</th><th class="num">executions judged</th><th class="num">broken in</th><th class="num">void</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderFinding(finding: Finding, index: number): SafeHtml {
  const id = `finding-${index + 1}`;
  const timeline = finding.evidence ? timelineSvg(finding.evidence, { idPrefix: id }) : null;
  const violations = (finding.evidence?.invariants ?? [])
    .flatMap((v) => v.violations)
    .filter((v) => v.void === null)
    .map((v) => html`<li><strong>${v.key}</strong>: ${v.message}</li>`);
  const status =
    finding.status === 'minimal'
      ? `shrunk to a minimal schedule in ${finding.shrinkSteps} step(s) and ${finding.shrinkRuns} run(s)`
      : `shrinking stopped by the budget after ${finding.shrinkSteps} step(s) and ${finding.shrinkRuns} run(s): the schedule below still fails, it may not be minimal`;
  return html`<article id="${id}" class="finding"><h3><span class="badge badge-failed">${finding.invariant}</span> ${finding.key}</h3>
<p class="error-message">${finding.message}</p>
<p>Found by execution <code>${finding.foundBy}</code>; ${finding.faults} fault(s); ${status}.</p>
<p>Replay: <code>${finding.replay}</code></p>
<div class="schedule"><h4>Minimal schedule <span class="mono">${finding.files.schedule}</span></h4><pre>${scheduleYaml(finding.minimal)}</pre></div>
${violations.length > 0 ? html`<h4>What its last failing run broke</h4><ul class="assertions">${violations}</ul>` : ''}
${timeline ? html`<div class="timeline-box">${timeline}</div>` : ''}
<details><summary>The schedule that found it</summary><pre>${scheduleYaml(finding.original)}</pre></details>
<details><summary>In the scenario form (<span class="mono">${finding.files.scenario}</span>)</summary><p class="note">Paste it into a suite's family once the defect is fixed, so the nightly run keeps checking it.</p><pre>${finding.scenarioForm}</pre></details>
</article>`;
}

function coverageTable(rows: readonly CoverageRow[]): SafeHtml | '' {
  if (rows.length === 0) return '';
  const body = rows.map(
    (r) =>
      html`<tr><td>${r.kind}</td><td>${r.target}</td><td>${r.stratum}</td><td>${r.policy}</td><td>${r.during}</td><td class="num">${r.count}</td></tr>`,
  );
  const kinds = new Set(rows.map((r) => `${r.kind} ${r.target}`)).size;
  const situations = new Set(rows.map((r) => r.during)).size;
  return html`<details class="coverage"><summary>Coverage: ${rows.length} combination(s) of fault × target × phase × policy × situation (${kinds} fault/target pair(s), ${situations} situation(s))</summary><table class="coverage"><thead><tr><th>fault</th><th>target</th><th>phase of the heartbeat cycle</th><th>policy</th><th>during</th><th class="num">faults</th></tr></thead><tbody>${body}</tbody></table></details>`;
}

function executionList(explored: ExploreSummary): SafeHtml {
  const rows = explored.executions.map(
    (e) =>
      html`<tr class="${e.verdict === 'failed' ? 'bad-row' : ''}"><td class="mono">${e.id}</td><td>${e.purpose}</td><td>${e.verdict}</td><td>${e.keys.join(', ')}${e.error ? e.error : ''}</td><td class="num">${formatDurationMs(e.durationMs)}</td></tr>`,
  );
  return html`<details class="explore-executions"><summary>Every execution (${explored.executions.length})</summary><table><thead><tr><th>id</th><th>purpose</th><th>verdict</th><th>broke / error</th><th class="num">took</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}
