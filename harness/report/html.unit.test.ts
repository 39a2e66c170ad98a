// The HTML report as a string: hostile text escaped everywhere, failures first, timelines for tests with
// evidence, the partial banner, measured-vs-expected sentences, and nothing that would reach the network.

import { expect } from 'chai';

import { describeMeasurement, renderHtml, sortForReport } from './html.js';
import { escapeHtml, formatDuration, formatMs, formatRange } from './format.js';
import type { RunRecord } from '../core/model.js';
import { renderTimelineSvg } from './timeline-svg.js';
import { HOSTILE, primaryDownEvidence, syntheticRunRecord } from './test-fixtures.js';

describe('renderHtml', function () {
  const record = syntheticRunRecord({ hostile: true, extraOutcomes: true });
  const html = renderHtml(record);

  it('escapes hostile titles, log lines, error messages and node details', function () {
    for (const hostile of Object.values(HOSTILE)) {
      expect(html, hostile).to.not.contain(hostile);
      expect(html).to.contain(escapeHtml(hostile));
    }
    expect(html).to.contain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).to.contain('&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
  });

  it('contains no script, no event-handler attribute and no element built from data', function () {
    expect(html).to.not.match(/<script/i);
    expect(html).to.not.match(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).to.not.match(/<img/i);
    expect(html).to.not.match(/<b>/);
  });

  it('loads nothing from elsewhere: the only URL is the SVG namespace', function () {
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).to.deep.equal([]);
    expect(html).to.not.match(/@import|url\((?!#)/);
    expect(html).to.contain("default-src 'none'");
  });

  it('shows the summary numbers, the time scale and the versions', function () {
    expect(html).to.contain('data-stat="failed">1<');
    expect(html).to.contain('data-stat="passed">2<');
    expect(html).to.contain('data-stat="flaky">1<');
    expect(html).to.contain('data-stat="pending">1<');
    expect(html).to.contain('0.05 (every timer × 0.05)');
    expect(html).to.contain('26.1.5');
    expect(html).to.contain('2.12.0');
    expect(html).to.contain('cmsha/standin');
    expect(html).to.contain(record.runId);
  });

  it('lists failures first, then flaky, passed and pending', function () {
    const order = [...html.matchAll(/<article class="test test-(\w+)"/g)].map((m) => m[1]);
    expect(order).to.deep.equal(['failed', 'flaky', 'passed', 'passed', 'pending']);
    expect(sortForReport(record.tests).map((t) => t.outcome)).to.deep.equal(order);
  });

  it('draws an SVG timeline for every test with evidence and says so for the others', function () {
    const articles = html.split('<article ').slice(1);
    const withEvidence = record.tests.filter((t) => t.evidence).length;
    expect(articles.filter((a) => a.includes('<svg class="timeline"'))).to.have.length(withEvidence);
    expect(articles.filter((a) => a.includes('no timeline recorded'))).to.have.length(1); // the flaky one; pending shows nothing
  });

  it('states measured against expected in words and highlights failed assertions', function () {
    expect(html).to.contain('cms-secondary became ACTIVE: 4.1 s after cms-primary killed; expected 2.0–3.5 s');
    expect(html).to.match(/<li class="a-bad"><span class="mark">✗<\/span>cms-secondary became ACTIVE 4\.1 s after cms-primary killed/);
    expect(html).to.contain('<span class="bad">outside</span>');
  });

  it('opens the container logs of failed tests only', function () {
    const failed = html.split('<article ').find((a) => a.startsWith('class="test test-failed"'))!;
    expect(failed).to.contain('<details class="logs" open>');
    const passed = html.split('<article ').filter((a) => a.startsWith('class="test test-passed"'));
    expect(passed.join('')).to.not.contain('<details class="logs" open>');
  });

  it('shows the PARTIAL banner with the escaped reason', function () {
    const partial: RunRecord = { ...record, partial: true, partialReason: 'received SIGINT <now>' };
    const out = renderHtml(partial);
    expect(out).to.contain('PARTIAL — run interrupted: received SIGINT &lt;now&gt;');
    expect(html).to.not.contain('PARTIAL — run interrupted');
  });

  it('renders an empty run', function () {
    const out = renderHtml({ ...record, tests: [], stats: { passed: 0, failed: 0, flaky: 0, pending: 0, durationMs: 0 } });
    expect(out).to.contain('No tests were recorded.');
  });
});

describe('renderTimelineSvg', function () {
  const evidence = primaryDownEvidence({ failing: true, hostile: true });
  const svg = renderTimelineSvg(evidence, { idPrefix: 't0' })!;

  it('has a track per node, the fault, the window with its anchor, the measurement and a legend', function () {
    for (const text of [
      'cms-primary',
      'cms-secondary',
      'cm',
      'ess',
      'HA role',
      'ACD link',
      'heartbeat',
      'alarm HEARTBEAT_LOST',
      'ESS state',
      'faults',
    ]) {
      expect(svg).to.contain(`>${text}<`);
    }
    expect(svg).to.contain('kill signal=SIGKILL');
    expect(svg).to.contain('detection: 2.0–3.5 s');
    expect(svg).to.contain('cms-primary killed');
    expect(svg).to.contain('activation: 4.1 s ✗ outside window');
    expect(svg).to.contain('class="legend"');
  });

  it('hatches the interval a node was unobservable', function () {
    expect(svg).to.contain('fill="url(#t0-hatch)"');
    expect(svg).to.contain('cms-primary unobservable 3.1 s → 9.0 s');
  });

  it('escapes node details inside the SVG', function () {
    expect(svg).to.not.contain(HOSTILE.detail);
    expect(svg).to.contain(escapeHtml(HOSTILE.detail));
  });

  it('draws nothing for empty evidence', function () {
    expect(renderTimelineSvg({ ...evidence, timeline: [], faults: [], windows: [], measurements: [] }, { idPrefix: 'x' })).to.equal(null);
  });
});

describe('report formatting', function () {
  it('writes durations with one decimal from a second up and in ms below', function () {
    expect(formatMs(47_230)).to.equal('47.2 s');
    expect(formatMs(350.4)).to.equal('350 ms');
    expect(formatRange(40_000, 65_000)).to.equal('40.0–65.0 s');
    expect(formatRange(250, 900)).to.equal('250–900 ms');
    expect(formatDuration(187_000)).to.equal('3 min 07 s');
    expect(formatDuration(3_720_000)).to.equal('1 h 02 min');
  });

  it('escapes the five HTML specials and drops control characters', function () {
    expect(escapeHtml(`<a href="x">'&'</a>\u0007`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('describes a measurement against its window', function () {
    const evidence = primaryDownEvidence({ failing: false, hostile: false });
    const [m] = evidence.measurements;
    expect(describeMeasurement(m!, evidence.windows[0]!)).to.equal(
      'cms-secondary became ACTIVE: 3.3 s after cms-primary killed; expected 2.0–3.5 s',
    );
    expect(describeMeasurement(m!, null)).to.equal('cms-secondary became ACTIVE: 3.3 s');
  });
});
