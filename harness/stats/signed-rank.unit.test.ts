// The paired design against known answers: R's wilcox.test paired example, SciPy's exact permutation test for ties
// and zeros, R's normal approximation from 50 differences on, and the signed-rank null distribution counted by brute force.

import { expect } from 'chai';
import { isHarnessError } from '../core/errors.js';
import { pairedShift, signedRankTest, walshAverages } from './signed-rank.js';

// R's ?wilcox.test: Hamilton depression scale before (x) and after (y) the first tranquilizer. Pair i is (y_i, x_i),
// so the shift is x − y.
const X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

// 60 differences, no two of the same size: ((i·37) mod 61) − 20 + i/1000, i = 1..60.
const UNTIED_60 = Array.from({ length: 60 }, (_, k) => (((k + 1) * 37) % 61) - 20 + (k + 1) / 1000);
// 60 differences with many ties and five zeros: ((i·37) mod 61) mod 13 − 4.
const TIED_60 = Array.from({ length: 60 }, (_, k) => ((((k + 1) * 37) % 61) % 13) - 4);

describe('the paired shift', () => {
  it("gives R's exact signed-rank p-values for the paired example: V = 40, p = 0.01953 one-sided", () => {
    const d = X.map((x, i) => x - Y[i]!);
    // R 4.2.2: wilcox.test(x, y, paired = TRUE, alternative = "greater") → V = 40, p-value = 0.01953 (= 10/512);
    // scipy.stats.wilcoxon(x - y, alternative='greater') → 0.01953125; alternative = "less" → 0.986328125 in both.
    const test = signedRankTest(d);
    expect(test.statistic).to.equal(40);
    expect(test.greater).to.equal(0.01953125);
    expect(test.less).to.equal(0.986328125);
    expect(test.exact).to.equal(true);
  });

  it("gives R's pseudo-median and exact intervals for the paired example", () => {
    const shift = pairedShift(Y, X);
    // R 4.2.2: wilcox.test(x, y, paired = TRUE, conf.int = TRUE) → (pseudo)median 0.46, 95 percent CI 0.010 0.786;
    // with conf.level = 0.9 → 0.175 0.726. numpy.median of the 45 Walsh averages, listed by brute force → 0.46.
    expect(shift.estimateMs).to.be.closeTo(0.46, 1e-12);
    const ci95 = shift.interval(0.95);
    expect(ci95.lowMs).to.be.closeTo(0.01, 1e-12);
    expect(ci95.highMs).to.be.closeTo(0.786, 1e-12);
    // P(V ≤ 5) = 10/512 for n = 9, counted over all 2^9 sign patterns (itertools.product), so coverage is 1 − 20/512.
    expect(ci95.achievedConfidence).to.equal(1 - 20 / 512);
    const ci90 = shift.interval(0.9);
    expect(ci90.lowMs).to.be.closeTo(0.175, 1e-12);
    expect(ci90.highMs).to.be.closeTo(0.726, 1e-12);
  });

  it('ranks ties at mid-ranks and drops zeros, counting the exact conditional p-value where R approximates', () => {
    const d = [3, -1, 2, 2, 0, 5, -2, 4, 0, 1, 3];
    // scipy.stats.wilcoxon(d, zero_method='wilcox', alternative='greater', method=PermutationMethod(n_resamples=inf))
    // → statistic 39.5, p = 0.025390625; alternative='less' → 0.986328125. R 4.2.2 falls back to the normal
    // approximation here ("cannot compute exact p-value with ties"): V = 39.5, p = 0.0247000939956018.
    const test = signedRankTest(d);
    expect(test).to.deep.include({ statistic: 39.5, n: 9, zeros: 2, ties: true, exact: true });
    expect(test.greater).to.equal(0.025390625);
    expect(test.less).to.equal(0.986328125);
  });

  it('tests the shift against any μ as the differences less μ, whole nanoseconds deciding zeros and ties', () => {
    const d = [120, 95, 140, 80, 60, 130];
    expect(signedRankTest(d, 80)).to.deep.equal(signedRankTest(d.map((v) => v - 80)));
    // 2002.1 − 2001.9 is 0.2000000000000455 in floating point: still a zero against μ = 0.2.
    expect(pairedShift([2001.9, 1000], [2002.1, 1000.5]).test(0.2)).to.deep.include({ n: 1, zeros: 1 });
  });

  it("uses R's normal approximation with continuity correction from 50 differences on, ties corrected", () => {
    // R 4.2.2: wilcox.test(d, mu = 2, exact = FALSE, correct = TRUE, alternative = "greater") on UNTIED_60 →
    // 0.000432478206244386; on TIED_60 with mu = 0 → V = 1167.5, greater 0.000425142911074661, less
    // 0.999587528111351; with mu = 2 → V = 719, greater 0.667481015468521, less 0.335578393459662.
    expect(signedRankTest(UNTIED_60, 2).greater).to.be.closeTo(0.000432478206244386, 1e-12);
    const tied = signedRankTest(TIED_60);
    expect(tied).to.deep.include({ statistic: 1167.5, n: 55, zeros: 5, ties: true, exact: false });
    expect(tied.greater).to.be.closeTo(0.000425142911074661, 1e-12);
    expect(tied.less).to.be.closeTo(0.999587528111351, 1e-12);
    const atTwo = signedRankTest(TIED_60, 2);
    expect(atTwo.statistic).to.equal(719);
    expect(atTwo.greater).to.be.closeTo(0.667481015468521, 1e-12);
    expect(atTwo.less).to.be.closeTo(0.335578393459662, 1e-12);
  });

  it("lands the large-sample interval on R's exact order statistics for 60 untied differences", () => {
    // R 4.2.2: wilcox.test(d, conf.int = TRUE, exact = TRUE) → estimate 10.5305, 95% CI 5.5485 15.5125; with
    // conf.level = 0.9 → 6.5205 14.5405 (qsignrank(0.025, 60) = 649, the count the approximation gives too).
    const shift = pairedShift(
      UNTIED_60.map(() => 0),
      UNTIED_60,
    );
    expect(shift.estimateMs).to.be.closeTo(10.5305, 1e-9);
    expect(shift.interval(0.95).lowMs).to.be.closeTo(5.5485, 1e-9);
    expect(shift.interval(0.95).highMs).to.be.closeTo(15.5125, 1e-9);
    expect(shift.interval(0.9).lowMs).to.be.closeTo(6.5205, 1e-9);
    expect(shift.interval(0.9).highMs).to.be.closeTo(14.5405, 1e-9);
  });

  it('leaves an interval unbounded when the pairs are too few to reach its confidence at all', () => {
    // With 4 pairs the extremes miss with probability 2^-4 = 0.0625 each, above the 0.05 a 90% interval allows.
    const interval = pairedShift([0, 0, 0, 0], [5, 7, 6, 9]).interval(0.9);
    expect(interval).to.deep.equal({ lowMs: -Infinity, highMs: Infinity, confidence: 0.9, achievedConfidence: 1 });
    // 5 pairs reach it: 2^-5 = 0.03125, so the interval is [min, max] of the Walsh averages, covering 1 − 2/32.
    const five = pairedShift([0, 0, 0, 0, 0], [5, 7, 6, 9, 8]).interval(0.9);
    expect(five).to.deep.equal({ lowMs: 5, highMs: 9, confidence: 0.9, achievedConfidence: 1 - 2 / 32 });
  });

  it('calls a regression against a margin exactly when the matching interval clears it (untied differences)', () => {
    const shift = pairedShift([0, 0, 0, 0, 0, 0, 0, 0], [150, -45, 95, 30, 210, 5, 125, 60]);
    const low = shift.interval(0.9).lowMs;
    // Margins between the Walsh averages (all multiples of 2.5 here): at one, mid-ranks count it half.
    for (let m = -59.7; m <= 220; m += 2.5) expect(shift.test(m).greater <= 0.05, `margin ${m}`).to.equal(low > m);
  });

  it('lists every Walsh average, i ≤ j, sorted', () => {
    expect(walshAverages([3, 1, 2])).to.deep.equal([1, 1.5, 2, 2, 2.5, 3]);
  });

  it('rejects pairs of unequal counts up front, saying to judge them unpaired', () => {
    expect(() => pairedShift([1, 2, 3], [1, 2]))
      .to.throw(/3 and 2\. Judge them unpaired/)
      .that.satisfies((e: unknown) => isHarnessError(e, 'BAD_INPUT'));
    expect(() => pairedShift([], [])).to.throw(/baseline has no values/);
    expect(() => pairedShift([1], [NaN])).to.throw(/candidate holds NaN/);
  });
});
