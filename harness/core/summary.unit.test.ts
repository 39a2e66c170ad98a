// A scenario's outcome over its repeats (flaky when it both passed and failed) and its timing statistics.

import { expect } from 'chai';
import { testRunRecord } from '../testing/run-records.js';
import type { TestRecord } from './model.js';
import { combinedOutcome, runStats, summarize, timingStats, verdictLine } from './summary.js';

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
