// A scenario's outcome over its repeats (flaky when it both passed and failed) and its timing statistics.

import { expect } from 'chai';
import { testRunRecord } from '../testing/run-records.js';
import type { TestRecord } from './model.js';
import { combinedOutcome, runExitCode, runStats, summarize, timingStats, verdictLine } from './summary.js';

function record(fullTitle: string, outcome: TestRecord['outcome'], valueMs: number, repeat: number): TestRecord {
  return {
    title: fullTitle,
    fullTitle,
    path: [],
    file: null,
    outcome,
    durationMs: 1000 + repeat,
    repeat,
    seed: 1,
    error: null,
    evidence: {
      scenario: 'primary-down',
      startNs: '0',
      endNs: null,
      site: null,
      timeScale: 0.05,
      standinOverrides: null,
      injection: null,
      timeline: [],
      faults: [],
      windows: [
        {
          name: 'failover',
          description: 'd',
          kind: 'protocol',
          anchorLabel: 'a',
          anchorNs: '0',
          fromMs: 1970,
          toMs: 2030,
          derivation: 'x',
        },
      ],
      measurements: [
        { name: 'failover', description: 'd', valueMs, anchorNs: '0', atNs: '1', window: 'failover', withinWindow: valueMs <= 2030 },
      ],
      assertions: [],
      endState: { 'cms-secondary': 'ACTIVE' },
      logs: {},
    },
  };
}

describe('run summary', () => {
  it('computes n, p50, p95 (interpolated between ranks) and max', () => {
    expect(timingStats([3, 1, 2, 5, 4])).to.deep.equal({ n: 5, min: 1, p50: 3, p95: 4.8, max: 5 });
  });

  it('calls a scenario flaky when some repeats passed and some failed, and counts it once', () => {
    expect(combinedOutcome(['passed', 'failed'])).to.equal('flaky');
    expect(combinedOutcome(['passed', 'passed'])).to.equal('passed');
    expect(combinedOutcome(['failed'])).to.equal('failed');
    const tests = [record('a', 'passed', 2001, 0), record('a', 'failed', 2100, 1), record('b', 'passed', 2002, 0)];
    expect(runStats(tests, 5)).to.include({ passed: 1, failed: 0, flaky: 1, executions: 3 });
  });

  it('gathers each timing over the repeats with its window and the count outside it', () => {
    const [a] = summarize([record('a', 'passed', 2001, 0), record('a', 'failed', 2100, 1)]);
    expect(a!.timings).to.have.length(1);
    expect(a!.timings[0]).to.deep.include({ name: 'failover', kind: 'protocol', window: { fromMs: 1970, toMs: 2030 }, outside: 1 });
    expect(a!.timings[0]!.stats.n).to.equal(2);
    expect(a!.endStates).to.deep.equal([{ state: 'cms-secondary ACTIVE', count: 2 }]);
  });

  it('says a run’s verdict in one line and names what did not pass', () => {
    const tests = [
      record('a', 'passed', 2001, 0),
      record('a', 'failed', 2100, 1),
      record('b', 'failed', 2002, 0),
      record('c', 'passed', 2, 0),
    ];
    const run = testRunRecord(tests, { runId: 'r1', stats: runStats(tests, 65_000) });
    expect(verdictLine(run)).to.equal('r1: 1 passed, 1 failed, 1 flaky in 1 min 05 s\n  flaky: a\n  failed: b');
  });
});

describe('run summary: inconclusive executions', () => {
  const inconclusive = (fullTitle: string, repeat: number): TestRecord => ({
    ...record(fullTitle, 'inconclusive', 9_999, repeat),
    error: { message: "inconclusive (harness): the site's Toxiproxy stopped answering: connect ECONNREFUSED", stack: null },
    harnessFault: { part: 'toxiproxy', cause: "the site's Toxiproxy stopped answering: connect ECONNREFUSED" },
  });

  it('counts an inconclusive execution for nothing: the other repeats decide, and only-inconclusive is its own outcome', () => {
    expect(combinedOutcome(['passed', 'inconclusive'])).to.equal('passed');
    expect(combinedOutcome(['failed', 'inconclusive', 'passed'])).to.equal('flaky');
    expect(combinedOutcome(['inconclusive', 'inconclusive'])).to.equal('inconclusive');
    expect(combinedOutcome([])).to.equal('pending');
  });

  it('leaves inconclusive executions out of the timings, end states and pass counts, and counts them apart', () => {
    const [a] = summarize([record('a', 'passed', 2001, 0), inconclusive('a', 1)]);
    expect(a).to.deep.include({ outcome: 'passed', executions: 1, failed: 0, inconclusive: 1 });
    expect(a!.timings[0]!.stats.n, 'the inconclusive 9999 ms is not a timing of the site').to.equal(1);
    expect(a!.timings[0]!.outside).to.equal(0);
    const stats = runStats([record('a', 'passed', 2001, 0), inconclusive('a', 1), inconclusive('b', 0)], 5);
    expect(stats).to.include({ passed: 1, failed: 0, inconclusive: 1, executions: 3, inconclusiveExecutions: 2 });
  });

  it('names each inconclusive execution and its cause in the verdict line, and gives exit 3 only when nothing failed', () => {
    const tests = [record('a', 'passed', 2001, 0), inconclusive('a', 1)];
    const run = testRunRecord(tests, { runId: 'r2', stats: runStats(tests, 1_000) });
    expect(verdictLine(run)).to.equal(
      "r2: 1 passed, 0 failed, 0 flaky, 1 execution(s) inconclusive (harness) in 1.0 s\n  inconclusive: a #2: the site's Toxiproxy stopped answering: connect ECONNREFUSED",
    );
    expect(runExitCode(tests)).to.equal(3);
    expect(runExitCode([...tests, record('b', 'failed', 1, 0)]), 'a failure of the site wins').to.equal(1);
    expect(runExitCode([record('a', 'passed', 1, 0)])).to.equal(0);
    expect(runExitCode([record('a', 'passed', 1, 0)], 1), 'an exploration finding is a failure').to.equal(1);
  });
});
