// Comparing a baseline and a candidate run: a timing that moved is found by a rank test, not a difference of means;
// a site compared with itself shows no regression; outcome, end-state and budget changes are regressions.

import { expect } from 'chai';
import type { RunRecord, TestRecord, TimelineEvent, Window } from '../core/model.js';
import { testRunRecord } from '../testing/run-records.js';
import { compareRuns, rankSumPValue } from './compare.js';

const WINDOW: Window = {
  name: 'failover',
  description: 'd',
  kind: 'protocol',
  anchorLabel: 'a',
  anchorNs: '0',
  fromMs: 0,
  toMs: 10_000,
  derivation: 'x',
};
const BUDGET: Window = {
  name: 'supervisor outage budget',
  description: 'd',
  kind: 'budget',
  anchorLabel: 'a',
  anchorNs: '0',
  fromMs: 0,
  toMs: 3_000,
  derivation: 'x',
};

function test(
  values: { failover: number; outage: number },
  repeat: number,
  endState = 'STANDBY',
  outcome: TestRecord['outcome'] = 'passed',
): TestRecord {
  return {
    title: 't',
    fullTitle: 'primary-down t',
    path: [],
    file: null,
    outcome,
    durationMs: 1,
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
      windows: [WINDOW, BUDGET],
      measurements: [
        { name: 'failover', description: 'd', valueMs: values.failover, anchorNs: '0', atNs: '1', window: 'failover', withinWindow: true },
        {
          name: 'supervisor outage budget',
          description: 'd',
          valueMs: values.outage,
          anchorNs: '0',
          atNs: '1',
          window: 'supervisor outage budget',
          withinWindow: values.outage <= 3_000,
        },
      ],
      assertions: [],
      endState: { 'cms-primary': endState },
      logs: {},
    },
  };
}

function run(runId: string, tests: TestRecord[]): RunRecord {
  return testRunRecord(tests, { runId, seed: 1, repeat: tests.length, siteFile: `${runId}.yaml`, endedAt: null });
}

const baseline = run(
  'base',
  [2001, 2003, 2002, 2004, 2002].map((f, i) => test({ failover: f, outage: 2500 + i }, i)),
);

describe('compare', () => {
  it('computes the exact two-sided rank-sum p-value for small samples', () => {
    expect(rankSumPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).to.be.closeTo(2 / 252, 1e-12);
    expect(rankSumPValue([1, 2, 3], [1, 2, 3])).to.equal(1);
  });

  it('finds no regression comparing a site with itself (the same timings, jittered)', () => {
    const again = run(
      'again',
      [2002, 2001, 2004, 2003, 2005].map((f, i) => test({ failover: f, outage: 2501 + i }, i)),
    );
    const comparison = compareRuns(baseline, again);
    expect(comparison.regressions).to.deep.equal([]);
    expect(comparison.scenarios[0]!.timings.every((t) => !t.shifted)).to.equal(true);
  });

  it('reports a timing one heartbeat interval later as a slower shift with its p-value, and the budget it breaks', () => {
    const slower = run(
      'slower',
      [3001, 3003, 3002, 3004, 3002].map((f, i) => test({ failover: f, outage: 3400 + i }, i)),
    );
    const comparison = compareRuns(baseline, slower);
    const failover = comparison.scenarios[0]!.timings.find((t) => t.name === 'failover')!;
    expect(failover.shifted).to.equal(true);
    expect(failover.shiftMs).to.be.closeTo(1000, 1);
    expect(failover.pValue).to.be.below(0.05);
    expect(comparison.scenarios[0]!.budgetViolations).to.deep.equal([{ name: 'supervisor outage budget', budgetMs: 3_000, worstMs: 3404 }]);
    // A budget is judged as a budget, not listed again as a timing shift.
    expect(comparison.scenarios[0]!.timings.map((t) => t.name)).to.deep.equal(['failover']);
    expect(comparison.regressions.join('\n'))
      .to.contain('failover is 1.0 s (20.0 s at real time) slower')
      .and.contain('supervisor outage budget exceeded');
  });

  it('reports an end state that changed (a flipped failback policy) and an outcome that became a failure', () => {
    const flipped = run(
      'flipped',
      [0, 1, 2, 3, 4].map((i) => test({ failover: 2002, outage: 2500 }, i, 'ACTIVE', i === 0 ? 'failed' : 'passed')),
    );
    const regressions = compareRuns(baseline, flipped).regressions.join('\n');
    expect(regressions).to.contain('the site ends differently: cms-primary STANDBY → cms-primary ACTIVE');
    expect(regressions).to.contain('the outcome changed: passed → flaky');
  });

  it('leaves out an execution whose timing ran while a stand-in timer fired late past the tolerance (an overloaded host)', () => {
    const lateTimer = (lateMs: number): TimelineEvent => ({
      type: 'late-timer',
      machine: 'heartbeat',
      lateMs,
      node: 'cms-secondary',
      seq: 1,
      atNs: '1',
    });
    const single = (failover: number, late: number | null): RunRecord => {
      const t = test({ failover, outage: 2500 }, 0);
      return run('one', [{ ...t, evidence: { ...t.evidence!, timeline: late === null ? [] : [lateTimer(late)] } }]);
    };
    const base = single(2002, null);
    const overloaded = compareRuns(base, single(3002, 95)).scenarios[0]!.timings[0]!;
    expect(overloaded.shifted, 'its shift is the host’s: not judged').to.equal(false);
    expect(overloaded.overloaded).to.deep.equal({ baseline: 0, candidate: 1, judged: false });
    expect(compareRuns(base, single(3002, 95)).regressions).to.deep.equal([]);
    // A timer late by less than the tolerance is within what the windows allow: the shift stands.
    const slightly = compareRuns(base, single(3002, 30)).scenarios[0]!.timings[0]!;
    expect(slightly.shifted).to.equal(true);
    expect(slightly.overloaded).to.equal(undefined);
  });

  it('judges a scenario with jitter on a link with twice that jitter added to the tolerance, since no seed replays it', () => {
    const jittered = (failover: number): RunRecord => {
      const t = test({ failover, outage: 2500 }, 0);
      const latency = {
        id: 'latency-admin-sync',
        kind: 'latency' as const,
        target: 'admin-sync' as const,
        direction: 'upstream' as const,
        attributes: { latency: 500, jitter: 50 },
        appliedNs: '0',
        confirmedNs: '0',
        removedNs: null,
        healedNs: null,
      };
      return run('jittered', [{ ...t, evidence: { ...t.evidence!, faults: [latency] } }]);
    };
    const within = compareRuns(jittered(2002), jittered(2150)).scenarios[0]!.timings[0]!;
    expect(within.shifted, '148 ms is within 80 + 2·50 ms').to.equal(false);
    expect(within.toleranceMs).to.equal(180);
    expect(compareRuns(jittered(2002), jittered(2200)).scenarios[0]!.timings[0]!.shifted).to.equal(true);
  });
});
