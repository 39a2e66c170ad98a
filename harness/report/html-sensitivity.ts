// The sensitivity table: each wrong site (one setting off by one step) run at several fault phases, how many of the
// phases the suite caught, the first failure message at each phase, and whether the correct site passed every time.

import type { SensitivityRow, SensitivityTable } from '../core/model.js';
import { html, type SafeHtml } from './html-text.js';

export function renderSensitivity(table: SensitivityTable): SafeHtml {
  const head = html`<thead><tr><th>setting</th><th>change</th><th>scenario</th><th class="num">phases</th><th class="num">caught</th><th>first failure at each phase</th></tr></thead>`;
  const intro = html`<p class="note">Each row runs the stand-ins with one setting off by one step while the expectations keep the correct site; the suite must fail at every phase. Seed ${table.seed}, time scale ${table.timeScale}, ${table.phases} phases.</p>`;
  return html`<section id="sensitivity"><h2>Sensitivity</h2>${intro}${correctLine(table.correct)}<table class="sensitivity">${head}<tbody>${table.rows.map(row)}</tbody></table></section>`;
}

/** The correct site, through the same scenarios at the same phases: anything but every run passing is a problem. */
function correctLine(correct: SensitivityTable['correct']): SafeHtml {
  const ok = correct.passed === correct.runs;
  return html`<p class="${ok ? 'verdict-ok' : 'verdict-bad'} correct-site">The correct site passed ${correct.passed} of ${correct.runs} runs${ok ? '.' : ': the suite fails a correct site, so its catches above prove nothing.'}</p>`;
}

function row(r: SensitivityRow): SafeHtml {
  const missed = r.caught < r.phases;
  const caught = html`<td class="num ${missed ? 'bad' : 'ok'}">${r.caught}/${r.phases}</td>`;
  const cells = [r.setting, r.change, r.scenario].map((c) => html`<td>${c}</td>`);
  return html`<tr class="${missed ? 'bad-row' : ''}">${cells}<td class="num">${r.phases}</td>${caught}<td>${messages(r.messages)}</td></tr>`;
}

function messages(list: ReadonlyArray<string | null>): SafeHtml {
  const items = list.map((m, phase) =>
    m === null
      ? html`<li class="missed">phase ${phase + 1}: <strong>passed</strong> (not caught)</li>`
      : html`<li>phase ${phase + 1}: ${m}</li>`,
  );
  return html`<ul class="phase-messages">${items}</ul>`;
}
