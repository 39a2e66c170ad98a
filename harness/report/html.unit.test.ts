// The HTML report as a string: failures first, flaky counted as its own outcome, each timing's statistics against its
// window in the one time format, the execution details (injection, end state, a wrong site), the comparison's
// regressions, the sensitivity table, trends, hostile text escaped everywhere, nothing that reaches the network.

import { expect } from 'chai';

import { formatInRangeMs } from '../core/format.js';
import type { RunRecord, TestEvidence } from '../core/model.js';
import { timingStats } from '../core/summary.js';
import { describeMeasurement } from './html-execution.js';
import { escapeHtml } from './html-text.js';
import { renderHtml } from './html.js';
import {
  HOSTILE,
  HOSTILE_FINDING,
  cmLinkEvidence,
  essTakeoverEvidence,
  primaryDownEvidence,
  syntheticComparison,
  syntheticExplored,
  syntheticHistory,
  syntheticPoolRunRecord,
  syntheticRunRecord,
  syntheticSensitivity,
  POOL_ENGINES,
} from '../testing/report-fixtures.js';
import { renderTimelineSvg } from './timeline-svg.js';

/** The part of the page from the element with `id` to the end of its section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start, `section #${id}`).to.be.greaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

const articles = (html: string): string[] => html.split('<article ').slice(1);

describe('renderHtml', function () {
  const record = syntheticRunRecord({ hostile: true });
  const extras = { history: syntheticHistory(), comparison: syntheticComparison(), sensitivity: syntheticSensitivity() };
  const html = renderHtml(record, extras);

  describe('safety', function () {
    it('escapes every hostile text: titles, errors, logs, events, windows, end states, the site, regressions, sensitivity, run ids', function () {
      for (const [where, hostile] of Object.entries(HOSTILE)) {
        expect(html, where).to.not.contain(hostile);
        expect(html, where).to.contain(escapeHtml(hostile));
      }
    });

    it('holds no script, no event handler, no element made from data', function () {
      expect(html).to.not.match(/<script/i);
      expect(html).to.not.match(/<[a-z][^>]*\son[a-z]+\s*=/i);
      for (const tag of ['img', 'iframe', 'object', 'link', 'form', 'input', 'b>']) expect(html, tag).to.not.contain(`<${tag}`);
      // The page's own links only jump within it.
      expect(html.match(/<a [^>]*>/g)!.filter((a) => !/^<a href="#[\w-]+">$/.test(a))).to.deep.equal([]);
      expect(html.match(/<style/g)).to.have.length(1);
      expect(html.match(/<meta [^>]*>/g)!.map((m) => /^<meta ([\w-]+="[^"]*")/.exec(m)![1])).to.deep.equal([
        'charset="utf-8"',
        'name="viewport"',
        'http-equiv="Content-Security-Policy"',
        'name="referrer"',
      ]);
    });

    it('loads nothing from elsewhere: the only URL in any tag is the SVG namespace, and the CSP forbids the rest', function () {
      const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
      const urls = tags.flatMap((tag) => tag.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? []);
      expect([...new Set(urls)]).to.deep.equal(['http://www.w3.org/2000/svg']);
      expect(html).to.not.match(/@import|url\((?!#)/);
      expect(html).to.contain("default-src 'none'").and.to.contain("script-src 'none'");
    });
  });

  describe('the header', function () {
    it('counts scenarios by outcome, flaky as its own, and the executions', function () {
      for (const [stat, value] of Object.entries({ failed: 1, flaky: 1, passed: 2, pending: 1, executions: 13 }))
        expect(html, stat).to.contain(`data-stat="${stat}">${value}<`);
      expect(html).to.contain('chip chip-failed');
    });

    it('shows the time scale, seed with how to replay it, repeats, parallel, shard, site file and versions', function () {
      expect(html).to.contain('0.05 (every timer × 0.05)');
      expect(html).to.contain('replay with <code>npx cmsha run --seed 4242</code>');
      expect(html).to.contain('<th>repeats</th><td>3 per test</td>');
      expect(html).to.contain('<th>parallel</th><td>2</td>');
      expect(html).to.contain('<th>shard</th><td>1/2</td>');
      expect(html).to.contain(`<th>site file</th><td>${escapeHtml(record.siteFile)}</td>`);
      for (const text of ['26.1.5', '2.12.0', 'cmsha/standin', '2 min 41 s']) expect(html).to.contain(text);
    });

    it('lists what went wrong first: failed and flaky scenarios, the regressions, the sensitivity gap', function () {
      const glance = html.slice(html.indexOf('<nav class="glance">'), html.indexOf('</nav>'));
      expect(glance.match(/<li /g)).to.have.length(4);
      expect(glance.indexOf('heartbeat-path')).to.be.lessThan(glance.indexOf('primary-down'));
      expect(glance).to.contain('flaky: 1 of 3 executions failed.');
      expect(glance).to.contain('3 regressions against baseline 2026-11-24T21-30-00Z-003f');
      expect(glance).to.contain('1 wrong site was not caught at every phase');
      expect(html.indexOf('<nav class="glance">')).to.be.lessThan(html.indexOf('<main>'));
    });

    it('shows the PARTIAL banner with the escaped reason only on a partial run', function () {
      expect(renderHtml({ ...record, partial: true, partialReason: 'received SIGINT <now>' })).to.contain(
        'PARTIAL — run interrupted: received SIGINT &lt;now&gt;',
      );
      expect(html).to.not.contain('PARTIAL — run interrupted');
    });
  });

  describe('the scenario table', function () {
    const table = section(html, 'scenarios');
    const body = (outcome: string): string => table.slice(table.indexOf(`data-outcome="${outcome}"`)).split('</tbody>')[0]!;

    it('lists failed, flaky, passed, then pending scenarios, each with its executions and end states', function () {
      expect([...table.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1])).to.deep.equal([
        'failed',
        'flaky',
        'passed',
        'passed',
        'pending',
      ]);
      expect(body('flaky')).to.contain('3 executions, 1 failed');
      expect(body('flaky')).to.contain(escapeHtml(`cms-primary DOWN · cms-secondary ${HOSTILE.endState} · supervisor on cms-secondary`));
      expect(body('flaky')).to.contain('href="#exec-5"');
    });

    it('gives each timing n, p50, p95 and max in its window unit, its window, and how many fell outside', function () {
      const stats = timingStats([2_255, 2_255, 3_205]);
      const detection = body('flaky')
        .split('<tr class="timing')
        .find((row) => row.includes('>detection<'))!;
      expect(detection).to.contain('2220–2290 ms');
      for (const value of [stats.p50, stats.p95, stats.max]) expect(detection).to.contain(`>${formatInRangeMs(value, 2_220, 2_290)}<`);
      expect(detection).to.contain('>2255 ms<').and.to.contain('>3205 ms<');
      expect(detection).to.contain('<td class="num">3</td>').and.to.contain('<td class="num bad">1</td>');
      // 4503 ms against a budget of 4.5 s is not rounded into the budget.
      expect(body('flaky')).to.contain('>4.503 s<');
    });

    it('groups the timings by the kind of their window: from the protocol event, from the fault, budget', function () {
      const kinds = [...body('flaky').matchAll(/class="kind kind-(\w+)"/g)].map((m) => m[1]);
      expect(kinds).to.deep.equal(['protocol', 'fault', 'budget']);
      expect(body('failed')).to.contain('measured only');
    });
  });

  describe('the executions', function () {
    const all = articles(html);

    it('come failed first, then passed, then pending, with their repeat named', function () {
      const order = all.map((a) => /^class="test test-(\w+)/.exec(a)![1]);
      expect(order).to.deep.equal([...Array(4).fill('failed'), ...Array(8).fill('passed'), 'pending']);
      expect(all[0]).to.contain('repeat 3 of 3').and.to.contain('flaky scenario');
      expect(all.filter((a) => a.includes('flaky scenario'))).to.have.length(3);
    });

    it('say when in the heartbeat cycle the faults went in, planned and actual', function () {
      expect(all[0]).to.contain(
        'phase 0.12 of the heartbeat cycle (period 1.0 s): planned 3.1 s after the test started, the first fault applied +2 ms after the plan',
      );
    });

    it('show the end state and the windows by kind, measured against expected in words', function () {
      expect(all[0]).to.contain(
        `<dd class="end-state">${escapeHtml(`cms-primary DOWN · cms-secondary ${HOSTILE.endState} · supervisor on cms-secondary`)}</dd>`,
      );
      expect(all[0]).to.contain(
        escapeHtml(
          `cms-secondary becomes ACTIVE after the first unanswered heartbeat: 3205 ms after ${HOSTILE.anchor}; expected 2220–2290 ms`,
        ),
      );
      expect(all[0]).to.match(/<li class="a-bad"><span class="mark">✗<\/span>cms-secondary became ACTIVE 3\.205 s/);
      expect([...all[0]!.matchAll(/<td class="kind kind-(\w+)">/g)].map((m) => m[1])).to.deep.equal(['protocol', 'fault', 'budget']);
    });

    it('list each fault with when it was applied, confirmed, asked to heal and healed', function () {
      const cmLink = all.find((a) => a.includes('scenario cm-link/reset'))!;
      expect(cmLink).to.contain(
        '<td>reset-peer</td><td>acd-primary</td><td>both</td><td>timeout=0</td><td class="num">1.4 s</td><td class="num">1.4 s</td><td class="num">4.4 s</td><td class="num">4.4 s</td>',
      );
      expect(all[0]).to.contain('in force at the end');
      expect(cmLink).to.match(
        /<dt>step<\/dt><dd class="injection">heal 1: reset-peer acd-primary, at phase 0\.\d\d of the heartbeat cycle \(period 1\.0 s\): planned 4\.\d s after the test started, made \+1 ms after the plan<\/dd>/,
      );
    });

    it('announce a deliberately wrong site loudly', function () {
      const wrong = all.filter((a) => a.includes('overrides-banner'));
      expect(wrong).to.have.length(3);
      expect(wrong[0]).to.contain('Deliberately wrong site.').and.to.contain('<code>timers.heartbeatMisses = 4</code>');
    });

    it('draw a timeline for every execution with evidence and open the logs of failures only', function () {
      expect(all.filter((a) => a.includes('<svg class="timeline"'))).to.have.length(12);
      expect(all[0]).to.contain('<details class="logs" open>');
      expect(all.filter((a) => a.startsWith('class="test test-passed')).join('')).to.not.contain('<details class="logs" open>');
    });
  });

  describe('the comparison', function () {
    const comparison = section(html, 'comparison');

    it('lists the regressions that decide the exit code, escaped', function () {
      expect(comparison).to.contain('3 regressions: the comparison fails (exit code 1)');
      expect(comparison).to.contain(escapeHtml(`heartbeat-path: dual-active 1.7 s beyond its budget of 500 ms ${HOSTILE.regression}`));
      expect(html.indexOf('id="comparison"')).to.be.lessThan(html.indexOf('id="scenarios"'));
    });

    it('shows outcome and end-state changes, timing shifts with their statistics and p-values, and budget violations', function () {
      expect(comparison).to.match(
        /badge-passed">Passed<\/span> → <span class="badge badge-flaky">Flaky<\/span> <span class="changed">changed/,
      );
      expect(comparison).to.contain(`→ ${escapeHtml(HOSTILE.endState)} <span class="changed">`);
      expect(comparison).to.contain(
        '<td>activation</td><td class="num">3 · 2.65 s · 2.79 s</td><td class="num">3 · 3.06 s · 3.83 s</td><td class="num">+413 ms</td><td class="num">[+40 ms, +∞] · ±50 ms</td><td class="num">0.012</td><td><span class="bad" title="the interval lies beyond the margin of 50 ms on the later side">regression</span></td>',
      );
      expect(comparison).to.contain('<td class="num">0.66</td><td><span class="warn"');
      expect(comparison).to.contain(
        '<td class="num">—</td><td class="num"><span class="na">—</span></td><td><span class="bad" title="">shifted</span>',
      );
      expect(comparison).to.contain('dual-active: worst 2.2 s, budget 500 ms');
      expect(comparison).to.contain('<span class="na">—</span>');
    });

    it('lists the inconclusive timings with what the repeats could detect, and draws each judged timing against its margin', function () {
      expect(comparison).to.contain('1 timing inconclusive</h3>');
      expect(comparison).to.contain(
        'detection — the interval [-5 ms, +950 ms] reaches past the margin of 50 ms; the smallest shift these repeats could call: none (too few repeats)',
      );
      const forest = comparison.slice(comparison.indexOf('<figure class="forest">'), comparison.indexOf('</figure>'));
      expect(forest.indexOf('regression +413 ms [+40 ms, +∞] ±50 ms')).to.be.greaterThan(-1);
      expect(forest.indexOf('regression +413 ms')).to.be.lessThan(forest.indexOf('inconclusive 0 ms'));
      expect(forest).to.not.contain('<script>');
      expect(forest).to.not.contain('dual-active'); // an older timing with no interval is not drawn
    });

    it('says the comparison passes when nothing regressed', function () {
      const clean = { ...syntheticComparison(), regressions: [] };
      expect(renderHtml(record, { comparison: clean })).to.contain('No regressions: the comparison passes (exit code 0).');
    });
  });

  describe('the sensitivity table', function () {
    const table = section(html, 'sensitivity');

    it('shows each wrong site, its phases caught and the first failure at each phase', function () {
      expect(table).to.contain('<td>heartbeatMisses 3 → 4</td>');
      expect(table).to.contain('<td class="num ok">3/3</td>');
      expect(table).to.contain('<td class="num bad">2/3</td>');
      expect(table).to.contain('phase 2: <strong>passed</strong> (not caught)');
      expect(table).to.contain(`phase 3: ${escapeHtml(HOSTILE.sensitivity)}`);
    });

    it('says whether the correct site passed every time', function () {
      expect(table).to.contain('The correct site passed 6 of 6 runs.');
      const failing = renderHtml(record, { sensitivity: { ...syntheticSensitivity(), correct: { runs: 6, passed: 5 } } });
      expect(section(failing, 'sensitivity')).to.contain('verdict-bad correct-site');
    });
  });

  describe('the trends', function () {
    const trends = section(html, 'trends');

    it('charts each scenario across the history and this run: pass rate, and each timing against its window', function () {
      expect(trends).to.contain('5 runs');
      expect(trends.match(/<div class="trend-scenario">/g)).to.have.length(5);
      expect(trends.match(/<svg class="trend"/g)).to.have.length(5 + 3 + 1 + 2);
      expect(trends).to.contain('detection: p50 and p95 over the last 5 runs, window 2220–2290 ms');
      expect(trends).to.contain(`${escapeHtml(record.runId)}: flaky, 2 of 3 executions passed`);
    });
  });

  it('leaves out the comparison, sensitivity and trends when not given, and trends with no earlier run', function () {
    const plain = renderHtml(record);
    for (const id of ['comparison', 'sensitivity', 'trends']) expect(plain).to.not.contain(`id="${id}"`);
    expect(plain).to.contain('id="scenarios"');
    expect(renderHtml(record, { history: [] })).to.not.contain('id="trends"');
  });

  it('lists the image and version each node actually ran, a candidate’s own image and an upgrade included', function () {
    const [first, ...rest] = record.tests;
    const ran = (nodes: NonNullable<TestEvidence['nodes']>) => ({ ...first!, evidence: { ...first!.evidence!, nodes } });
    const candidate = ran({
      'cms-primary': [{ image: 'cmsha/standin:candidate', version: '16.5.0', sinceNs: '1' }],
      supervisor: [{ image: 'cmsha/standin:plant', version: '16.5.0', plants: ['failover-one-beat-late'], sinceNs: '1' }],
      'cms-secondary': [
        { image: 'cmsha/standin:base', version: '16.4.0', sinceNs: '1' },
        { image: 'cmsha/standin:candidate', version: '16.5.0', sinceNs: '2' },
      ],
    });
    const out = renderHtml({ ...record, tests: [candidate, ...rest] });
    const table = out.slice(out.indexOf('<table class="images ran">'), out.indexOf('</table>', out.indexOf('<table class="images ran">')));
    expect(table).to.contain('<td>cms-primary</td><td>cmsha/standin:candidate</td><td>16.5.0</td>');
    expect(table).to.contain('<td>cms-secondary</td><td>cmsha/standin:base</td><td>16.4.0</td>');
    expect(table).to.contain('<td>cms-secondary</td><td>cmsha/standin:candidate</td><td>16.5.0</td>');
    expect(table, 'a planted image says so').to.contain('<td>16.5.0 <span class="warn">planted: failover-one-beat-late</span></td>');
  });

  it('renders an empty run', function () {
    const out = renderHtml({
      ...record,
      tests: [],
      stats: { passed: 0, failed: 0, flaky: 0, pending: 0, executions: 0, durationMs: 0 },
    } satisfies RunRecord);
    expect(out).to.contain('No tests were recorded.');
    expect(out).to.not.contain('<nav class="glance">');
  });
});

describe('renderHtml, a run on a pool of engines', function () {
  const record = syntheticPoolRunRecord();
  const page = renderHtml(record);
  /** Whether the page holds `text`, saying which text was looked for and not the whole page when it does not. */
  const shows = (text: string, within = page) => expect(within.includes(text), text).to.equal(true);
  const article = (title: string, repeat: number): string => {
    const index = record.tests.findIndex((t) => t.title === title && t.repeat === repeat);
    const start = page.indexOf(`id="exec-${index}"`);
    return page.slice(start, page.indexOf('</article>', start));
  };

  it('groups inconclusive executions apart, after the failures, naming the harness’s cause, never as failed', function () {
    shows('<h2>Inconclusive (harness) executions <span class="count">1</span></h2>');
    expect(page.indexOf('class="group group-failed"')).to.be.below(page.indexOf('class="group group-inconclusive"'));
    const ess = article('links the CMS to the ESS at the Dual-IP step after the ESS goes active', 1);
    shows('badge-inconclusive', ess);
    shows('inconclusive (harness): the site&#39;s Toxiproxy stopped answering', ess);
    shows('<span class="num" data-stat="inconclusive">1</span>');
    shows('<span class="num" data-stat="failed">1</span>');
  });

  it('says at a glance which executions were inconclusive and which engine was drained, and why', function () {
    const glance = page.slice(page.indexOf('<nav class="glance">'), page.indexOf('</nav>'));
    shows('inconclusive (harness): ess-takeover links the CMS to the ESS', glance);
    shows(
      `engine ${POOL_ENGINES.remote} was drained<span class="glance-msg">stopped answering: connect ECONNREFUSED 10.0.0.5:2376; 1 execution(s) ran again on another engine`,
      glance,
    );
  });

  it('marks a re-run execution and lists every attempt with its engine, how it ended and why it ran again', function () {
    const cm = article('keeps the secondary standby when the ACD link of the primary is reset', 0);
    shows('re-run: attempt 2', cm);
    shows(`engine ${POOL_ENGINES.local}`, cm);
    shows(`attempt 1 on ${POOL_ENGINES.remote}: moved: engine ${POOL_ENGINES.remote} was drained`, cm);
    shows(`(re-run: moved from engine ${POOL_ENGINES.remote}: stopped answering`, cm);
    expect(
      article('keeps the secondary standby when the ACD link of the primary is reset', 1).includes('re-run'),
      'only the moved one',
    ).to.equal(false);
  });

  it('lists the engines with their capacities and the drain in the run facts', function () {
    shows(`${POOL_ENGINES.local} × 1, 16 attempt(s)`);
    shows(`${POOL_ENGINES.remote} × 2, 2 attempt(s) <span class="drained">drained 2026-11-25 21:31:02 UTC: stopped answering`);
  });

  it('calls a run inconclusive, not passed and not failed, when the harness failed and the site did not', function () {
    const tests = record.tests.filter((t) => t.outcome !== 'failed');
    const out = renderHtml({ ...record, tests, stats: { ...record.stats, failed: 0, flaky: 0 } });
    shows('<span class="chip chip-inconclusive">INCONCLUSIVE (HARNESS)</span>', out);
    const passed = renderHtml({
      ...record,
      tests: tests.filter((t) => t.outcome !== 'inconclusive'),
      stats: { ...record.stats, failed: 0, flaky: 0 },
    });
    expect(passed.includes('<span class="chip chip-passed">PASSED</span>'), 'passed without the inconclusive one').to.equal(true);
  });
});

describe('renderTimelineSvg', function () {
  const evidence = primaryDownEvidence({ phase: 0.37, failing: true, hostile: true });
  const svg = renderTimelineSvg(evidence, { idPrefix: 't0' })!;

  it('has a lane per node and per kind of event, the faults and the injection, and a legend', function () {
    for (const text of [
      'cms-primary',
      'cms-secondary',
      'cm',
      'ess',
      'supervisor',
      'HA role',
      'ACD link',
      'heartbeat',
      'alarm HEARTBEAT_LOST',
      'Admin-Sync',
      'client login',
      'ESS state',
      'faults',
      'injection (heartbeat cycle)',
    ]) {
      expect(svg, text).to.contain(`>${text}<`);
    }
    expect(svg).to.contain('kill signal=SIGKILL');
    expect(svg).to.contain('class="legend"');
    expect(svg).to.not.contain('undefined');
  });

  it('draws each kind of window in its own style, told apart in the legend', function () {
    expect(svg).to.contain('detection · from the protocol event: 2220–2290 ms');
    expect(svg).to.contain('activation · from the fault: 2.22–3.29 s');
    expect(svg).to.contain('supervisor-outage · budget: 0.0–4.5 s');
    expect(svg).to.match(/stroke="#1565c0" stroke-width="1.4"><title>expected window detection/);
    expect(svg).to.match(/stroke="#ef6c00" stroke-width="1.4" stroke-dasharray="6 3"><title>expected window activation/);
    expect(svg).to.match(/stroke="#6a1b9a" stroke-width="1.4" stroke-dasharray="2 3"><title>expected window supervisor-outage/);
    for (const label of ['window from the protocol event', 'window from the fault', 'outage budget']) expect(svg).to.contain(`>${label}<`);
  });

  it('marks each measurement in its window unit with its verdict', function () {
    expect(svg).to.contain('detection: 3205 ms ✗ outside window');
    expect(svg).to.contain('activation: 3.83 s ✗ outside window');
  });

  it('marks the injection phase with the planned and the actual instant', function () {
    expect(svg).to.contain('>phase 0.37<');
    expect(svg).to.contain(
      'faults injected at phase 0.37 of the heartbeat cycle (period 1.0 s): tick at 3.0 s, planned at 3.4 s, first fault applied at 3.4 s (+2 ms after the plan)',
    );
  });

  it('shows the heal of a fault', function () {
    const healed = renderTimelineSvg(cmLinkEvidence(), { idPrefix: 't1' })!;
    expect(healed).to.contain('heal requested at 4.4 s, healed at 4.4 s');
    expect(healed).to.contain('>steps (heartbeat cycle)<');
    expect(healed).to.contain(
      'heal 1: reset-peer acd-primary at phase 0.37 of the heartbeat cycle (period 1.0 s): tick at 4.0 s, planned at 4.4 s, made at 4.4 s (+1 ms after the plan)',
    );
    expect(healed).to.contain('stroke="#2e7d32" stroke-width="2.5"');
    expect(svg).to.contain('in force to the end of the test');
  });

  it('draws the newer event shapes: a heartbeat received, an Admin-Sync link down, an ACD gap with its cause', function () {
    expect(svg).to.contain('cms-primary heartbeat #1 received at 1.0 s, peer STANDBY');
    expect(svg).to.contain(escapeHtml(`cms-secondary Admin-Sync link down`));
    expect(svg).to.contain('cms-primary admin change cms-primary #1 acked');
    expect(renderTimelineSvg(cmLinkEvidence(), { idPrefix: 't2' })).to.contain(
      'ACD data gap (sequence) from cm: 30 missing (seq 31–60), 3.4 s silent',
    );
  });

  it('shows an event of a type it does not know as a dot in an events lane', function () {
    const ess = renderTimelineSvg(essTakeoverEvidence({ hostile: true }), { idPrefix: 't3' })!;
    expect(ess).to.contain(`ess ipsi-request port=PN 01 note=${escapeHtml(HOSTILE.eventField)} at 10.0 s`);
    expect(ess).to.contain('>events<');
    expect(ess).to.not.contain('undefined');
  });

  it('hatches the span a node was unobservable', function () {
    expect(svg).to.contain('fill="url(#t0-hatch)"');
    expect(svg).to.contain('cms-primary unobservable 3.5 s → 9.0 s');
  });

  it('escapes node details and anchors inside the SVG', function () {
    for (const hostile of [HOSTILE.detail, HOSTILE.anchor]) {
      expect(svg).to.not.contain(hostile);
      expect(svg).to.contain(escapeHtml(hostile));
    }
  });

  it('draws nothing for empty evidence', function () {
    const empty: TestEvidence = { ...evidence, timeline: [], faults: [], windows: [], measurements: [] };
    expect(renderTimelineSvg(empty, { idPrefix: 'x' })).to.equal(null);
  });
});

describe('describeMeasurement', function () {
  it('says the measured value in its window unit after the anchor, and the window', function () {
    const evidence = primaryDownEvidence({ phase: 0.37, failing: false, hostile: false });
    const [m] = evidence.measurements;
    expect(describeMeasurement(m!, evidence.windows[0]!)).to.equal(
      'cms-secondary becomes ACTIVE after the first unanswered heartbeat: 2255 ms after first unanswered heartbeat; expected 2220–2290 ms',
    );
    expect(describeMeasurement(m!, null)).to.equal('cms-secondary becomes ACTIVE after the first unanswered heartbeat: 2.3 s');
  });
});

describe('renderHtml, the Explored section', function () {
  const record = { ...syntheticRunRecord({ hostile: false }), explored: syntheticExplored({ hostile: true }) };
  const html = renderHtml(record);

  it('escapes hostile text from findings, schedules, coverage and executions', function () {
    expect(html).to.not.contain('<embed');
    expect(html).to.not.contain(HOSTILE_FINDING);
    const escaped = escapeHtml(HOSTILE_FINDING);
    expect(html.split(escaped).length - 1, 'escaped occurrences').to.be.above(10);
  });

  it('shows each finding with its schedule, the replay command and its last failing run, and counts it as a failure', function () {
    const explored = section(html, 'explored');
    expect(explored).to.contain('<article id="finding-1" class="finding">');
    expect(explored).to.contain(`Replay: <code>${escapeHtml(`npx cmsha replay explored/I4-1.yaml ${HOSTILE_FINDING}`)}</code>`);
    expect(explored).to.contain('<svg');
    expect(explored).to.contain('<td>I4</td>');
    expect(html).to.contain('<body class="verdict-failed">');
    expect(html).to.contain('<a href="#finding-1">explore: ');
  });
});
