// The Explored section: what `cmsha explore` tried (schedules, coverage), each invariant's verdict over them, and each
// finding with its minimal schedule, the timeline of its last failing run, the replay command and its scenario form.

import { formatDurationMs, formatLongDurationMs } from '../core/format.js';
import type { CoverageRow, ExploreSummary, Finding } from '../core/explore-record.js';
import { scheduleYaml } from '../core/schedule.js';
import { escapeHtml } from './html-text.js';
import { renderTimelineSvg } from './timeline-svg.js';

export function renderExplored(explored: ExploreSummary): string {
  const counts = (verdict: string) => explored.executions.filter((e) => e.verdict === verdict).length;
  const byPurpose = (purpose: string) => explored.executions.filter((e) => e.purpose === purpose).length;
  const intro = `<p class="note">${explored.executions.length} execution(s) in ${escapeHtml(formatLongDurationMs(explored.elapsedMs))} of a ${escapeHtml(formatLongDurationMs(explored.budgetMs))} budget, ${explored.parallel} site(s) at once, time scale ${escapeHtml(explored.timeScale)}: ${byPurpose('explore')} generated schedule(s), ${byPurpose('shrink')} shrinking run(s), ${byPurpose('replay')} replay(s). ${counts('passed')} passed, ${counts('failed')} broke an invariant, ${counts('void')} void (a stand-in's timer fired late: the host, not the site), ${counts('inconclusive')} inconclusive (the harness failed). Seed ${explored.seed}: <code>npx cmsha explore --seed ${explored.seed} --time-scale ${escapeHtml(explored.timeScale)}</code> generates the same schedules. A shrink candidate still fails when it breaks the same invariant the same way in ${explored.shrinkRule.needed} of up to ${explored.shrinkRule.runs} runs.</p>`;
  return `<section id="explored" class="explored"><h2>Explored</h2>${intro}${invariantTable(explored)}${explored.findings.map(renderFinding).join('')}${coverageTable(explored.coverage)}${executionList(explored)}</section>`;
}

function invariantTable(explored: ExploreSummary): string {
  const rows = explored.invariants.map((row) => {
    const ok = row.violated === 0;
    return `<tr class="${ok ? '' : 'bad-row'}"><td>${escapeHtml(row.invariant)}</td><td>${escapeHtml(row.name)}</td><td class="num">${row.judged}</td><td class="num">${row.violated}</td><td class="num">${row.void}</td><td><span class="badge badge-${ok ? 'passed' : 'failed'}">${ok ? 'held' : 'broken'}</span></td></tr>`;
  });
  return `<table class="invariants"><thead><tr><th>invariant</th><th>what must hold</th><th class="num">executions judged</th><th class="num">broken in</th><th class="num">void</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderFinding(finding: Finding, index: number): string {
  const id = `finding-${index + 1}`;
  const timeline = finding.evidence ? renderTimelineSvg(finding.evidence, { idPrefix: id }) : null;
  const violations = (finding.evidence?.invariants ?? [])
    .flatMap((v) => v.violations)
    .filter((v) => v.void === null)
    .map((v) => `<li><strong>${escapeHtml(v.key)}</strong>: ${escapeHtml(v.message)}</li>`);
  const status =
    finding.status === 'minimal'
      ? `shrunk to a minimal schedule in ${finding.shrinkSteps} step(s) and ${finding.shrinkRuns} run(s)`
      : `shrinking stopped by the budget after ${finding.shrinkSteps} step(s) and ${finding.shrinkRuns} run(s): the schedule below still fails, it may not be minimal`;
  return `<article id="${id}" class="finding"><h3><span class="badge badge-failed">${escapeHtml(finding.invariant)}</span> ${escapeHtml(finding.key)}</h3>
<p class="error-message">${escapeHtml(finding.message)}</p>
<p>Found by execution <code>${escapeHtml(finding.foundBy)}</code>; ${finding.faults} fault(s); ${escapeHtml(status)}.</p>
<p>Replay: <code>${escapeHtml(finding.replay)}</code></p>
<div class="schedule"><h4>Minimal schedule <span class="mono">${escapeHtml(finding.files.schedule)}</span></h4><pre>${escapeHtml(scheduleYaml(finding.minimal))}</pre></div>
${violations.length > 0 ? `<h4>What its last failing run broke</h4><ul class="assertions">${violations.join('')}</ul>` : ''}
${timeline ? `<div class="timeline-box">${timeline}</div>` : ''}
<details><summary>The schedule that found it</summary><pre>${escapeHtml(scheduleYaml(finding.original))}</pre></details>
<details><summary>In the scenario form (<span class="mono">${escapeHtml(finding.files.scenario)}</span>)</summary><p class="note">Paste it into a suite's family once the defect is fixed, so the nightly run keeps checking it.</p><pre>${escapeHtml(finding.scenarioForm)}</pre></details>
</article>`;
}

function coverageTable(rows: readonly CoverageRow[]): string {
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.kind)}</td><td>${escapeHtml(r.target)}</td><td>${escapeHtml(r.stratum)}</td><td>${escapeHtml(r.policy)}</td><td>${escapeHtml(r.during)}</td><td class="num">${r.count}</td></tr>`,
    )
    .join('');
  const kinds = new Set(rows.map((r) => `${r.kind} ${r.target}`)).size;
  const situations = new Set(rows.map((r) => r.during)).size;
  return `<details class="coverage"><summary>Coverage: ${rows.length} combination(s) of fault × target × phase × policy × situation (${kinds} fault/target pair(s), ${situations} situation(s))</summary><table class="coverage"><thead><tr><th>fault</th><th>target</th><th>phase of the heartbeat cycle</th><th>policy</th><th>during</th><th class="num">faults</th></tr></thead><tbody>${body}</tbody></table></details>`;
}

function executionList(explored: ExploreSummary): string {
  const rows = explored.executions
    .map(
      (e) =>
        `<tr class="${e.verdict === 'failed' ? 'bad-row' : ''}"><td class="mono">${escapeHtml(e.id)}</td><td>${escapeHtml(e.purpose)}</td><td>${escapeHtml(e.verdict)}</td><td>${escapeHtml(e.keys.join(', '))}${e.error ? escapeHtml(e.error) : ''}</td><td class="num">${escapeHtml(formatDurationMs(e.durationMs))}</td></tr>`,
    )
    .join('');
  return `<details class="explore-executions"><summary>Every execution (${explored.executions.length})</summary><table><thead><tr><th>id</th><th>purpose</th><th>verdict</th><th>broke / error</th><th class="num">took</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}
