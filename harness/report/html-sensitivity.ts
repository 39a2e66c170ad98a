// The sensitivity table: each wrong site (one setting off by one step) run at several fault phases, how many of the
// phases the suite caught, the first failure message at each phase, and whether the correct site passed every time.

import type { SensitivityRow, SensitivityTable } from '../core/model.js';
import { escapeHtml } from './html-text.js';

export function renderSensitivity(table: SensitivityTable): string {
  const head =
    '<thead><tr><th>setting</th><th>change</th><th>scenario</th><th class="num">phases</th><th class="num">caught</th><th>first failure at each phase</th></tr></thead>';
  const intro = `<p class="note">Each row runs the stand-ins with one setting off by one step while the expectations keep the correct site; the suite must fail at every phase. Seed ${table.seed}, time scale ${escapeHtml(table.timeScale)}, ${table.phases} phases.</p>`;
  return `<section id="sensitivity"><h2>Sensitivity</h2>${intro}${correctLine(table.correct)}<table class="sensitivity">${head}<tbody>${table.rows.map(row).join('')}</tbody></table></section>`;
}

/** The correct site, through the same scenarios at the same phases: anything but every run passing is a problem. */
function correctLine(correct: SensitivityTable['correct']): string {
  const ok = correct.passed === correct.runs;
  return `<p class="${ok ? 'verdict-ok' : 'verdict-bad'} correct-site">The correct site passed ${correct.passed} of ${correct.runs} runs${ok ? '.' : ': the suite fails a correct site, so its catches above prove nothing.'}</p>`;
}

function row(r: SensitivityRow): string {
  const missed = r.caught < r.phases;
  const caught = `<td class="num ${missed ? 'bad' : 'ok'}">${r.caught}/${r.phases}</td>`;
  const cells = [r.setting, r.change, r.scenario].map((c) => `<td>${escapeHtml(c)}</td>`).join('');
  return `<tr class="${missed ? 'bad-row' : ''}">${cells}<td class="num">${r.phases}</td>${caught}<td>${messages(r.messages)}</td></tr>`;
}

function messages(list: ReadonlyArray<string | null>): string {
  const items = list.map((m, phase) =>
    m === null
      ? `<li class="missed">phase ${phase + 1}: <strong>passed</strong> (not caught)</li>`
      : `<li>phase ${phase + 1}: ${escapeHtml(m)}</li>`,
  );
  return `<ul class="phase-messages">${items.join('')}</ul>`;
}
