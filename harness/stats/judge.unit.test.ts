// Judging a family of timings like a canary judge: an A/A comparison is equivalent, a clear shift a regression, an
// earlier one an improvement, too few repeats inconclusive with the reason, and Holm can withhold a call.

import { expect } from 'chai';
import { isHarnessError } from '../core/errors.js';
import { judgeTimings, minimumRepeats, type TimingSamples } from './judge.js';

// Twelve repeats of a failover near 2 s; the candidate is the same site again, jittered by a few ms per repeat.
const BASELINE = [2001, 2003, 2002, 2004, 2002, 2000, 2005, 2003, 2001, 2002, 2004, 2003];
const JITTER = [1, -2, 2, -1, 3, 1, -2, 1, -1, 1, -2, 2];
const shifted = (byMs: number): number[] => BASELINE.map((b, i) => b + byMs + JITTER[i]!);

function timing(name: string, candidate: number[], extra: Partial<TimingSamples> = {}): TimingSamples {
  return { name, baseline: BASELINE, candidate, paired: true, marginMs: 80, ...extra };
}

describe('judging timings', () => {
  it('calls an A/A comparison equivalent: both one-sided tests against ±margin reject', () => {
    const [aa] = judgeTimings([timing('failover', shifted(0))]);
    expect(aa!.verdict).to.equal('equivalent');
    // The differences are JITTER. scipy.stats.wilcoxon(d - 80, alternative='less') and wilcoxon(d + 80,
    // alternative='greater') → 0.000244140625 each (= 2^-12): TOST p is the larger. numpy.median of the Walsh averages → 0.
    expect(aa!.p.equivalence).to.equal(2 ** -12);
    expect(aa!.shiftMs).to.equal(0);
    expect(aa!.interval.confidence).to.equal(0.9);
    expect(aa!.interval.lowMs).to.be.above(-80);
    expect(aa!.interval.highMs).to.be.below(80);
    expect(aa!.why).to.equal('within the ±80 ms margin: shift 0 ms (90% interval -1 ms to 2 ms), TOST p = 0.00024, Holm 0.00024');
  });

  it('calls a timing one second later a regression, with its shift, interval and p-value', () => {
    const [late] = judgeTimings([timing('failover', shifted(1000))]);
    expect(late!.verdict).to.equal('regression');
    // Every difference less the margin is positive: scipy.stats.wilcoxon(d - 80, alternative='greater') → 2^-12.
    expect(late!.p.regression).to.equal(2 ** -12);
    expect(late!.shiftMs).to.equal(1000);
    expect(late!.interval.lowMs).to.be.above(80);
    expect(late!.why).to.equal('later by 1000 ms (90% interval 1000 ms to 1002 ms), beyond the ±80 ms margin: p = 0.00024, Holm 0.00024');
  });

  it('calls a timing half a second earlier an improvement, not a regression', () => {
    const [early] = judgeTimings([timing('failover', shifted(-500))]);
    expect(early!.verdict).to.equal('improvement');
    expect(early!.p.improvement).to.equal(2 ** -12);
    expect(early!.p.regression).to.equal(1);
    expect(early!.why).to.contain('earlier by 500 ms').and.contain('on the good side');
  });

  it('leaves three pairs inconclusive however large the shift, stating no shift is detectable and the repeats needed', () => {
    const [few] = judgeTimings([
      { name: 'failover', baseline: [2001, 2003, 2002], candidate: [3001, 3003, 3002], paired: true, marginMs: 80 },
    ]);
    // The smallest exact p with 3 pairs is 2^-3 = 0.125 > 0.05; 2^-5 = 0.03125 is the first at or below it.
    expect(few!.verdict).to.equal('inconclusive');
    expect(few!.p.regression).to.equal(0.125);
    expect(few!.smallestDetectableShiftMs).to.equal(Infinity);
    expect(few!.minimumRepeats).to.equal(5);
    expect(few!.why).to.equal('later by 1.0 s, too few repeats to call: with 3 pairs no p can reach 0.050; run at least 5 repeats');
  });

  it('leaves a shift straddling the margin inconclusive, with the smallest shift the design could call', () => {
    const d = [150, -45, 95, 30, 210, 5, 125, 60];
    const [straddle] = judgeTimings([
      { name: 'failover', baseline: d.map(() => 2000), candidate: d.map((v) => 2000 + v), paired: true, marginMs: 80 },
    ]);
    // R 4.2.2: wilcox.test(d, conf.int = TRUE, conf.level = 0.9) → (pseudo)median 77.5, CI 17.5 137.5;
    // wilcox.test(d, mu = 80, alternative = "greater") → 0.578125, "less" → 0.47265625; mu = -80, "greater" →
    // 0.00390625. The smallest detectable shift is the margin plus the estimate less the lower end: 80 + 77.5 − 17.5.
    expect(straddle!.verdict).to.equal('inconclusive');
    expect(straddle!.shiftMs).to.equal(77.5);
    expect([straddle!.interval.lowMs, straddle!.interval.highMs]).to.deep.equal([17.5, 137.5]);
    expect(straddle!.p.regression).to.equal(0.578125);
    expect(straddle!.p.equivalence).to.equal(0.47265625);
    expect(straddle!.smallestDetectableShiftMs).to.equal(140);
    expect(straddle!.why).to.contain('a later shift of 140 ms or more is called a regression');
  });

  it('judges unpaired runs of different sizes by the Mann–Whitney test', () => {
    const [unpaired] = judgeTimings([
      {
        name: 'failover',
        baseline: [2001, 2003, 2002, 2004, 2000, 2005, 1999, 2006],
        candidate: [2310, 2295, 2301, 2320, 2290, 2305],
        paired: false,
        marginMs: 80,
      },
    ]);
    // R 4.2.2: wilcox.test(cand, base, mu = 80, alternative = "greater") → 0.000333000333000333 (scipy.stats.
    // mannwhitneyu(cand - 80, base, alternative='greater', method='exact') agrees); wilcox.test(cand, base,
    // conf.int = TRUE, conf.level = 0.9) → difference in location 300.5, CI 291 309.
    expect(unpaired!).to.deep.include({ verdict: 'regression', design: 'unpaired', n: { baseline: 8, candidate: 6 }, shiftMs: 300.5 });
    expect(unpaired!.p.regression).to.be.closeTo(0.000333000333000333, 1e-15);
    expect([unpaired!.interval.lowMs, unpaired!.interval.highMs]).to.deep.equal([291, 309]);
    expect(unpaired!.exact).to.equal(true);
  });

  it('withholds two regressions that each pass alone when Holm adjusts them as a family', () => {
    // Differences less the margin with one negative, of rank 4 and of rank 5 of 8: scipy.stats.wilcoxon(d - 80,
    // alternative='greater') → 7/256 = 0.02734375 and 10/256 = 0.0390625. R 4.2.2: p.adjust(c(7/256, 10/256),
    // "holm") → 0.0546875 0.0546875, above 0.05.
    const a = [90, 100, 110, 40, 130, 140, 150, 160];
    const b = [90, 100, 110, 120, 30, 140, 150, 160];
    const base = a.map(() => 2000);
    const pair = (name: string, d: number[]): TimingSamples => ({
      name,
      baseline: base,
      candidate: d.map((v) => 2000 + v),
      paired: true,
      marginMs: 80,
    });
    const alone = judgeTimings([pair('a', a)]);
    expect(alone[0]!.verdict).to.equal('regression');
    const family = judgeTimings([pair('a', a), pair('b', b)]);
    expect(family.map((j) => j.p.regression)).to.deep.equal([0.02734375, 0.0390625]);
    expect(family.map((j) => j.adjusted.regression)).to.deep.equal([0.0546875, 0.0546875]);
    expect(family.map((j) => j.verdict)).to.deep.equal(['inconclusive', 'inconclusive']);
    // Each interval still clears the margin on its own: the p-values show what Holm took away.
    expect(family.every((j) => j.interval.lowMs > 80)).to.equal(true);
  });

  it("turns the bad side over for worse: 'lower' and counts both sides, twice the smaller p, for 'either'", () => {
    const [lower] = judgeTimings([timing('throughput dip', shifted(-1000), { worse: 'lower' })]);
    expect(lower!.verdict).to.equal('regression');
    expect(lower!.p.regression).to.equal(2 ** -12);
    const [laterIsGood] = judgeTimings([timing('throughput dip', shifted(1000), { worse: 'lower' })]);
    expect(laterIsGood!.verdict).to.equal('improvement');
    const [either] = judgeTimings([timing('sync drift', shifted(-1000), { worse: 'either' })]);
    expect(either!.verdict).to.equal('regression');
    expect(either!.p.regression).to.equal(2 * 2 ** -12);
    expect(either!.p.improvement).to.equal(null);
    expect(either!.adjusted.improvement).to.equal(null);
  });

  it('handles zeros and ties: identical runs are equivalent, and zeros at the margin are dropped', () => {
    // Every difference 0: against ±80 none is a zero, all are tied, and each one-sided test gives 2^-12.
    const [same] = judgeTimings([timing('failover', [...BASELINE])]);
    expect(same!).to.deep.include({ verdict: 'equivalent', shiftMs: 0, smallestDetectableShiftMs: 80 });
    expect(same!.p.equivalence).to.equal(2 ** -12);
    // Exactly 80 ms later each time: every difference equals the margin, so the regression test has nothing to rank.
    const [atMargin] = judgeTimings([
      timing(
        'failover',
        BASELINE.map((b) => b + 80),
      ),
    ]);
    expect(atMargin!.verdict).to.equal('inconclusive');
    expect(atMargin!.p.regression).to.equal(1);
  });

  it('sorts regressions first, then inconclusive, improvements and equivalent timings', () => {
    const family = judgeTimings([
      timing('same', shifted(0)),
      timing('earlier', shifted(-500)),
      { name: 'few', baseline: [1, 2, 3], candidate: [1, 2, 3], paired: true, marginMs: 80 },
      timing('later', shifted(1000)),
    ]);
    expect(family.map((j) => `${j.name} ${j.verdict}`)).to.deep.equal([
      'later regression',
      'few inconclusive',
      'earlier improvement',
      'same equivalent',
    ]);
  });

  it('rejects bad input up front, naming the option and the value given', () => {
    const bad =
      (extra: Partial<TimingSamples>, options = {}) =>
      () =>
        judgeTimings([timing('failover', shifted(0), extra)], options);
    expect(bad({ marginMs: 0 }))
      .to.throw('failover: marginMs 0 is not a finite number above 0')
      .that.satisfies((e: unknown) => isHarnessError(e, 'BAD_INPUT'));
    expect(bad({ candidate: [1, 2] })).to.throw('failover: Pairing by repeat needs as many baseline as candidate values: 12 and 2.');
    expect(bad({ worse: 'sideways' as 'higher' })).to.throw("worse 'sideways'");
    expect(bad({}, { alpha: 0.5 })).to.throw('alpha 0.5 is outside (0, 0.25]');
  });

  it('counts the repeats an exact test needs to reach a level at all', () => {
    // 2^-5 = 0.03125 ≤ 0.05 < 2^-4; 1/C(6, 3) = 1/20 ≤ 0.05 < 1/C(4, 2) = 1/6; 2^-9 ≤ 0.05/20 < 2^-8.
    expect(minimumRepeats('paired', 0.05)).to.equal(5);
    expect(minimumRepeats('unpaired', 0.05)).to.equal(3);
    expect(minimumRepeats('paired', 0.05 / 20)).to.equal(9);
  });
});
