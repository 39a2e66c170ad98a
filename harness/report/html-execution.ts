// One execution of a scenario test on the page: its verdict and error, a wrong site run on purpose, when in the
// heartbeat cycle the faults went in, the end state, assertions in words, windows vs measured values, faults, the
// timeline, the containers' logs and the site it ran.

import { msBetween } from '../core/clock.js';
import { formatDurationMs, formatRangeMs } from '../core/format.js';
import type { FaultRecord, Injection, Measurement, TestEvidence, TestRecord, TimedStep, Window, WindowKind } from '../core/model.js';
import { endStateLine } from '../core/summary.js';
import { KIND_ORDER, KIND_WORDS, badge, html, joinHtml, signedDuration, type SafeHtml } from './html-text.js';
import { madeAfterPlanMs } from './timeline-faults.js';
import { timelineSvg } from './timeline-svg.js';
import { measuredText, windowOf } from './timeline-windows.js';

/** Where an execution sits in the page: its index in the run (for its anchor) and whether its scenario was flaky. */
export interface ExecutionContext {
  index: number;
  flaky: boolean;
  /** The run's number of repeats: a repeat is named only when there are several. */
  repeats: number;
}

/** The anchor of an execution on the page. */
export const executionId = (index: number): string => `exec-${index}`;

export function renderExecution(test: TestRecord, ctx: ExecutionContext): SafeHtml {
  const ev = test.evidence;
  const parts: Array<SafeHtml | ''> = [
    executionHeader(test, ctx),
    executionPlace(test),
    attemptsList(test),
    test.error ? errorBlock(test.error) : '',
  ];
  if (ev) parts.push(...evidenceParts(ev, test.outcome === 'failed', ctx.index));
  else if (test.outcome !== 'pending') parts.push(html`<p class="no-timeline">no evidence recorded</p>`);
  return html`<article class="test test-${test.outcome}${ctx.flaky ? ' of-flaky' : ''}" id="${executionId(ctx.index)}">${joinHtml(parts, '\n')}</article>`;
}

function evidenceParts(ev: TestEvidence, failed: boolean, index: number): Array<SafeHtml | ''> {
  const svg = timelineSvg(ev, { idPrefix: `t${index}` });
  return [
    ev.standinOverrides ? overridesBanner(ev.standinOverrides) : '',
    facts(ev),
    assertions(ev),
    windowsTable(ev),
    faultsTable(ev),
    svg === null ? html`<p class="no-timeline">no timeline recorded</p>` : html`<figure class="timeline-box">${svg}</figure>`,
    logs(ev, failed),
    siteConfig(ev),
  ];
}

function executionHeader(test: TestRecord, ctx: ExecutionContext): SafeHtml {
  const repeat = ctx.repeats > 1 ? html`<span class="chip-small">repeat ${test.repeat + 1} of ${ctx.repeats}</span>` : '';
  const flaky = ctx.flaky ? html`<span class="chip-small chip-flaky">flaky scenario</span>` : '';
  const duration = test.outcome === 'pending' ? '—' : formatDurationMs(test.durationMs);
  const rerun =
    (test.attempts?.length ?? 0) > 1 ? html`<span class="chip-small chip-rerun">re-run: attempt ${test.attempts!.length}</span>` : '';
  return html`<header>${badge(test.outcome)}<h3 class="test-title">${test.title}</h3>${flaky}${rerun}${repeat}<span class="dur">${duration}</span></header>`;
}

/** An execution that ran more than once: every attempt, its engine, how it ended and why the next one was made. */
function attemptsList(test: TestRecord): SafeHtml | '' {
  const attempts = test.attempts ?? [];
  if (attempts.length < 2) return '';
  const items = attempts.map((a) => {
    const why = a.reason ? `: ${a.reason}` : '';
    const rerun = a.rerun ? html` <span class="retried">(re-run: ${a.rerun})</span>` : '';
    return html`<li><span class="${a.outcome === 'moved' ? 'moved' : ''}">attempt ${a.attempt} on ${a.engine}: ${a.outcome ?? 'unfinished'}${why}</span>${rerun}</li>`;
  });
  return html`<ol class="attempts" title="attempts">${items}</ol>`;
}

function executionPlace(test: TestRecord): SafeHtml {
  const [family, ...inner] = test.path;
  const scenario = test.evidence ? html`<span class="tag">scenario ${test.evidence.scenario}</span>` : '';
  const seed = test.seed === null ? '' : html`<span class="tag">seed ${test.seed}</span>`;
  const engine = test.engine ? html`<span class="tag">engine ${test.engine}</span>` : '';
  const file = test.file ? html`<span class="file">${test.file}</span>` : '';
  return html`<p class="where"><span class="family">${family ?? '(root)'}</span>${inner.map((s) => html` › ${s}`)}${scenario}${seed}${engine}${file}</p>`;
}

function errorBlock(error: NonNullable<TestRecord['error']>): SafeHtml {
  const stack =
    error.stack && error.stack !== error.message ? html`<details><summary>stack</summary><pre>${error.stack}</pre></details>` : '';
  return html`<div class="error"><p class="error-message">${error.message}</p>${stack}</div>`;
}

/** Says loudly that the stand-ins ran a wrong site on purpose: this execution is meant to fail. */
function overridesBanner(overrides: Record<string, unknown>): SafeHtml {
  const settings = flatten(overrides).map(([key, value]) => html`<code>${key} = ${JSON.stringify(value)}</code>`);
  return html`<div class="overrides-banner" role="note"><strong>Deliberately wrong site.</strong> The stand-ins ran with ${joinHtml(settings, ', ')} instead of the site the expectations were computed from (sensitivity check): this execution is expected to fail.</div>`;
}

/** Nested settings as dotted keys: { timers: { heartbeatMisses: 4 } } → timers.heartbeatMisses. */
function flatten(value: object, prefix = ''): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([key, inner]: [string, unknown]) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? flatten(inner, `${prefix}${key}.`)
      : [[`${prefix}${key}`, inner] as [string, unknown]],
  );
}

function facts(ev: TestEvidence): SafeHtml {
  const rows: SafeHtml[] = [];
  if (ev.injection) rows.push(html`<dt>injection</dt><dd class="injection">${injectionWords(ev.injection, ev)}</dd>`);
  for (const step of ev.steps ?? []) rows.push(html`<dt>step</dt><dd class="injection">${stepWords(step, ev)}</dd>`);
  rows.push(html`<dt>end state</dt><dd class="end-state">${endStateLine(ev.endState)}</dd>`);
  return html`<dl class="facts">${rows}</dl>`;
}

/** "phase 0.37 of the heartbeat cycle (period 1.0 s): planned 3.4 s after the test started, applied +2 ms after the plan". */
export function injectionWords(injection: Injection, ev: TestEvidence): string {
  return phaseWords(
    injection,
    ev,
    'the first fault applied',
    ev.faults.map((f) => f.appliedNs),
    'no fault was applied',
  );
}

/** "heal 1: cut heartbeat, at phase 0.61 of the heartbeat cycle (period 1.0 s): planned 5.2 s after the test started, made +1 ms after the plan". */
export function stepWords(step: TimedStep, ev: TestEvidence): string {
  const late = step.late ? ' (the harness came after its margin, so a replay may choose another cycle)' : '';
  return `${step.step}, at ${phaseWords(step, ev, 'made', [step.madeNs], 'not made')}${late}`;
}

function phaseWords(plan: Injection, ev: TestEvidence, made: string, instants: ReadonlyArray<string | null>, none: string): string {
  const plannedMs = msBetween(ev.startNs, plan.plannedNs);
  const afterMs = madeAfterPlanMs(plan, instants);
  const lateness = afterMs === null ? none : `${made} ${signedDuration(afterMs)} after the plan`;
  return `phase ${plan.phase.toFixed(2)} of the ${plan.cycle} cycle (period ${formatDurationMs(plan.periodMs)}): planned ${formatDurationMs(plannedMs)} after the test started, ${lateness}`;
}

function assertions(ev: TestEvidence): SafeHtml | '' {
  if (ev.assertions.length === 0) return '';
  const items = ev.assertions.map(
    (a) => html`<li class="${a.passed ? 'a-ok' : 'a-bad'}"><span class="mark">${a.passed ? '✓' : '✗'}</span>${a.text}</li>`,
  );
  return html`<ul class="assertions">${items}</ul>`;
}

/** "cms-secondary became ACTIVE: 4.1 s after cms-primary killed; expected 2.0–3.5 s", in the window's own unit. */
export function describeMeasurement(m: Measurement, window: Window | null): string {
  const measured = `${m.description}: ${measuredText(m, window)}`;
  return window ? `${measured} after ${window.anchorLabel}; expected ${formatRangeMs(window.fromMs, window.toMs)}` : measured;
}

/** Measured values against their windows, grouped by the kind of window; windows nothing was measured against too. */
function windowsTable(ev: TestEvidence): SafeHtml | '' {
  const rows = [
    ...ev.measurements.map((m) => ({ kind: windowOf(ev, m)?.kind ?? null, html: measurementRow(m, windowOf(ev, m)) })),
    ...ev.windows
      .filter((w) => !ev.measurements.some((m) => m.window === w.name && m.anchorNs === w.anchorNs))
      .map((w) => ({ kind: w.kind, html: unmeasuredRow(w) })),
  ];
  if (rows.length === 0) return '';
  const sorted = KIND_ORDER.flatMap((kind) => rows.filter((r) => r.kind === kind));
  return html`<table class="windows"><thead><tr><th>window</th><th>measured vs expected</th><th>measured</th><th>expected</th><th>verdict</th><th>how the window is derived</th></tr></thead><tbody>${sorted.map((r) => r.html)}</tbody></table>`;
}

function kindCell(kind: WindowKind | null): SafeHtml {
  return kind === null
    ? html`<td class="kind"><span class="na">no window</span></td>`
    : html`<td class="kind kind-${kind}">${KIND_WORDS[kind] ?? kind}</td>`;
}

function measurementRow(m: Measurement, w: Window | null): SafeHtml {
  const verdict =
    m.withinWindow === true
      ? html`<span class="ok">within</span>`
      : m.withinWindow === false
        ? html`<span class="bad">outside</span>`
        : html`<span class="na">not checked</span>`;
  const expected = w ? formatRangeMs(w.fromMs, w.toMs) : html`<span class="na">—</span>`;
  return html`<tr class="${m.withinWindow === false ? 'bad-row' : ''}">${kindCell(w?.kind ?? null)}<td>${describeMeasurement(m, w)}</td><td class="num">${measuredText(m, w)}</td><td class="num">${expected}</td><td>${verdict}</td><td class="deriv">${w ? w.derivation : ''}</td></tr>`;
}

function unmeasuredRow(w: Window): SafeHtml {
  return html`<tr>${kindCell(w.kind)}<td>${`${w.description} (${w.name}), after ${w.anchorLabel}`}</td><td class="num"><span class="na">not measured</span></td><td class="num">${formatRangeMs(w.fromMs, w.toMs)}</td><td><span class="na">—</span></td><td class="deriv">${w.derivation}</td></tr>`;
}

function faultsTable(ev: TestEvidence): SafeHtml | '' {
  if (ev.faults.length === 0) return '';
  const rows = ev.faults.map((f) => faultRow(f, ev.startNs));
  return html`<table class="faults"><thead><tr><th>fault</th><th>target</th><th>direction</th><th>attributes</th><th>applied</th><th>confirmed</th><th>heal requested</th><th>healed</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function faultRow(f: FaultRecord, startNs: string): SafeHtml {
  const at = (ns: string | null, none: string): string => (ns === null ? none : formatDurationMs(msBetween(startNs, ns)));
  const attributes =
    Object.entries(f.attributes)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ') || '—';
  const cells = [f.kind, f.target, f.direction ?? '—', attributes].map((c) => html`<td>${c}</td>`);
  const instants = [
    at(f.appliedNs, '—'),
    at(f.confirmedNs, '—'),
    at(f.removedNs, 'in force at the end'),
    at(f.healedNs, f.removedNs === null ? '—' : 'not confirmed'),
  ].map((c) => html`<td class="num">${c}</td>`);
  return html`<tr>${cells}${instants}</tr>`;
}

function logs(ev: TestEvidence, open: boolean): SafeHtml | '' {
  const entries = Object.entries(ev.logs).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]));
  if (entries.length === 0) return '';
  const blocks = entries.map(
    ([name, lines]) =>
      html`<div class="log"><h4>${name} <span class="na">(last ${lines.length} lines)</span></h4><pre>${joinHtml(lines, '\n')}</pre></div>`,
  );
  return html`<details class="logs"${open ? html` open` : ''}><summary>Container logs (${entries.length})</summary>${blocks}</details>`;
}

/** The site the expectations were computed from: timers, policy, WAN, budgets, images, as the site file resolved. */
function siteConfig(ev: TestEvidence): SafeHtml | '' {
  if (!ev.site) return '';
  const sections: Array<[string, object]> = [
    ['timers (real ms, before scaling)', ev.site.timers],
    ['policy', ev.site.policy],
    ['WAN', ev.site.wan],
    ['budgets (real ms)', ev.site.budgets],
    ['images', ev.site.images],
  ];
  const tables = sections.filter(([, values]) => Object.keys(values).length > 0).map(([caption, values]) => kvTable(caption, values));
  const scale = ev.timeScale === null ? '' : ` (time scale ${ev.timeScale})`;
  return html`<details class="config"><summary>Site${scale}</summary><div class="cfg">${tables}</div></details>`;
}

function kvTable(caption: string, values: object): SafeHtml {
  const rows = flatten(values).map(
    ([key, value]) => html`<tr><th>${key}</th><td>${typeof value === 'string' ? value : JSON.stringify(value)}</td></tr>`,
  );
  return html`<table class="kv"><caption>${caption}</caption>${rows}</table>`;
}
