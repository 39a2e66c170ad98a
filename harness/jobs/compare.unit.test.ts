// Comparing a baseline and a candidate run: each timing's paired shift judged against its equivalence margin (a site
// compared with itself is equivalent, a heartbeat later is a regression); outcome, end-state and budget changes are
// regressions whatever the statistics; an overloaded execution is left out with its twin.

import { expect } from 'chai';
import type { RunRecord, TestRecord, TimelineEvent, Window } from '../core/model.js';
import { testRunRecord } from '../testing/run-records.js';
import { compareRuns } from './compare.js';

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
  it('finds the same site equivalent to itself (the same timings, jittered a few ms)', () => {
    const again = run(
      'again',
      [2002, 2001, 2004, 2003, 2005].map((f, i) => test({ failover: f, outage: 2501 + i }, i)),
    );
    const comparison = compareRuns(baseline, again);
    expect(comparison.regressions).to.deep.equal([]);
    const failover = comparison.scenarios[0]!.timings[0]!;
    expect(failover.verdict).to.equal('equivalent');
    expect(failover.design).to.equal('paired');
    expect(failover.interval!.highMs).to.be.below(failover.marginMs!);
  });

  it('reports a timing one heartbeat interval later as a regression with its interval, and the budget it breaks', () => {
    const slower = run(
      'slower',
      [3001, 3003, 3002, 3004, 3002].map((f, i) => test({ failover: f, outage: 3400 + i }, i)),
    );
    const comparison = compareRuns(baseline, slower);
    const failover = comparison.scenarios[0]!.timings.find((t) => t.name === 'failover')!;
    expect(failover.verdict).to.equal('regression');
    expect(failover.shiftMs).to.be.closeTo(1000, 1);
    expect(failover.interval!.lowMs).to.be.above(failover.marginMs!);
    expect(failover.pValue).to.be.at.most(0.05);
    expect(comparison.scenarios[0]!.budgetViolations).to.deep.equal([{ name: 'supervisor outage budget', budgetMs: 3_000, worstMs: 3404 }]);
    // A budget is judged as a budget, not listed again as a timing.
    expect(comparison.scenarios[0]!.timings.map((t) => t.name)).to.deep.equal(['failover']);
    expect(comparison.regressions.join('\n')).to.contain('failover: later by 1000 ms').and.contain('supervisor outage budget exceeded');
  });

  it('calls a single execution per side inconclusive: one pair cannot prove equivalence or a regression', () => {
    const one = (failover: number) => run('one', [test({ failover, outage: 2500 }, 0)]);
    const timing = compareRuns(one(2002), one(3002)).scenarios[0]!.timings[0]!;
    expect(timing.verdict).to.equal('inconclusive');
    expect(timing.smallestDetectableShiftMs).to.equal(Infinity);
    expect(compareRuns(one(2002), one(3002)).inconclusive).to.deep.equal(['primary-down t: failover']);
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

  it('leaves out an execution whose timing ran while a stand-in timer fired late past the tolerance, with its twin', () => {
    const lateTimer = (lateMs: number): TimelineEvent => ({
      type: 'late-timer',
      machine: 'heartbeat',
      lateMs,
      node: 'cms-secondary',
      seq: 1,
      atNs: '1',
    });
    const runOf = (failovers: number[], lateAt: number | null, lateMs = 95): RunRecord =>
      run(
        'r',
        failovers.map((failover, i) => {
          const t = test({ failover, outage: 2500 }, i);
          return { ...t, evidence: { ...t.evidence!, timeline: i === lateAt ? [lateTimer(lateMs)] : [] } };
        }),
      );
    const base = runOf([2001, 2003, 2002, 2004, 2002, 2001], null);
    const overloaded = compareRuns(base, runOf([2002, 2004, 2003, 2005, 2003, 3002], 5)).scenarios[0]!.timings[0]!;
    expect(overloaded.overloaded).to.deep.equal({ baseline: 0, candidate: 1, judged: true });
    expect(overloaded.design, 'the pairs left are judged apart: one side lost its twin').to.equal('unpaired');
    expect(overloaded.verdict).to.not.equal('regression');
    // A timer late by less than the tolerance is within what the windows allow: the execution stands.
    const slightly = compareRuns(base, runOf([2002, 2004, 2003, 2005, 2003, 3002], 5, 30)).scenarios[0]!.timings[0]!;
    expect(slightly.overloaded).to.equal(undefined);
    expect(slightly.n).to.deep.equal({ baseline: 6, candidate: 6 });
  });

  it('judges a timing against the margin the candidate’s site file names for it, scaled with the run', () => {
    const tests = [2120, 2123, 2121, 2124, 2122].map((f, i) => test({ failover: f, outage: 2500 + i }, i));
    const plain = run('plain', tests);
    expect(compareRuns(baseline, plain).scenarios[0]!.timings[0]!.verdict, 'the default 40 ms').to.equal('regression');
    // 4 s real time at scale 0.05 is 200 ms: a shift of 120 ms is within it.
    const wide = { ...plain, site: { ...plain.site, compare: { marginsMs: { failover: 4_000 } } } };
    const judged = compareRuns(baseline, wide).scenarios[0]!.timings[0]!;
    expect(judged.marginMs).to.equal(200);
    expect(judged.verdict).to.equal('equivalent');
  });

  it('leaves out an inconclusive execution (the harness failed), its outcome, end state and timing, and says how many', () => {
    // The candidate's repeat 0 ran on an engine that died: a late failover, another end state, an outcome of its own.
    const candidate = run('cand', [
      { ...test({ failover: 9_000, outage: 9_000 }, 0, 'gone'), outcome: 'inconclusive' as const },
      ...[2003, 2002, 2004, 2002].map((f, i) => test({ failover: f, outage: 2500 + i }, i + 1)),
    ]);
    const comparison = compareRuns(baseline, candidate);
    expect(comparison.regressions, 'nothing about the candidate site regressed').to.deep.equal([]);
    expect(comparison.leftOut).to.deep.equal({ baseline: 0, candidate: 1 });
    const scenario = comparison.scenarios[0]!;
    expect(scenario.outcome).to.deep.equal({ baseline: 'passed', candidate: 'passed' });
    expect(scenario.timings[0]!.candidate.max).to.equal(2004);
    expect(scenario.budgetViolations).to.deep.equal([]);
    expect(compareRuns(baseline, baseline).leftOut, 'absent when nothing was left out').to.equal(undefined);
  });

  it('widens a timing’s margin by twice the jitter on its links, since no seed replays Toxiproxy’s jitter', () => {
    const jittered = (failover: number): RunRecord =>
      run(
        'jittered',
        [0, 1, 2, 3, 4].map((i) => {
          const t = test({ failover: failover + i, outage: 2500 }, i);
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
          return { ...t, evidence: { ...t.evidence!, faults: [latency] } };
        }),
      );
    const within = compareRuns(jittered(2002), jittered(2122)).scenarios[0]!.timings[0]!;
    expect(within.marginMs, 'the default 40 ms at scale 0.05, + 2·50 ms of jitter').to.equal(140);
    expect(within.verdict).to.equal('equivalent');
    expect(compareRuns(jittered(2002), jittered(2202)).scenarios[0]!.timings[0]!.verdict).to.equal('regression');
  });
});
