// The unpaired design against known answers: R's wilcox.test two-sample example, SciPy's exact permutation test for
// ties, R's normal approximation and its exact intervals from 50 values on.

import { expect } from 'chai';
import { choose, pairwiseDifferences, rankSumTest, unpairedShift } from './rank-sum.js';

// R's ?wilcox.test: permeability constants of the placenta at term (x) and at 12–26 weeks (y). x plays the
// candidate, so the shift is x − y.
const X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const Y = [1.15, 0.88, 0.9, 0.74, 1.21];

const I = Array.from({ length: 60 }, (_, k) => k + 1);
const J = Array.from({ length: 55 }, (_, k) => k + 1);

describe('the unpaired shift', () => {
  it("gives R's exact Mann–Whitney p-values for the two-sample example, whichever run is larger", () => {
    // R 4.2.2: wilcox.test(x, y, alternative = "greater") → W = 35, p-value = 0.127206127206127; "less" →
    // 0.896769896769897.
    const test = rankSumTest(Y, X);
    expect(test.statistic).to.equal(35);
    expect(test.greater).to.be.closeTo(0.127206127206127, 1e-12);
    expect(test.less).to.be.closeTo(0.896769896769897, 1e-12);
    expect(test.exact).to.equal(true);
    // The runs swapped: the shift changes sign, so the tails swap.
    const swapped = rankSumTest(X, Y);
    expect(swapped.greater).to.be.closeTo(test.less, 1e-12);
    expect(swapped.less).to.be.closeTo(test.greater, 1e-12);
  });

  it("gives R's difference in location and exact interval for the two-sample example", () => {
    // R 4.2.2: wilcox.test(x, y, conf.int = TRUE) → difference in location 0.305, 95 percent CI -0.15 0.76.
    const shift = unpairedShift(Y, X);
    expect(shift.estimateMs).to.be.closeTo(0.305, 1e-12);
    expect(shift.interval(0.95).lowMs).to.be.closeTo(-0.15, 1e-12);
    expect(shift.interval(0.95).highMs).to.be.closeTo(0.76, 1e-12);
    expect(shift.n).to.deep.equal({ baseline: 5, candidate: 10 });
    expect(shift.smallestP).to.equal(1 / 3003);
  });

  it('counts the exact conditional p-value over mid-ranks when values tie, where R approximates', () => {
    // scipy.stats.mannwhitneyu(c, b, alternative='greater', method=PermutationMethod(n_resamples=inf)) → U = 34.5,
    // p = 0.02972027972027972; 'less' → 0.9796037296037297 (permutation_test of the U statistic agrees). R 4.2.2
    // falls back to the normal approximation: p = 0.0305589988229809.
    const test = rankSumTest([10, 12, 12, 15, 18, 20], [12, 15, 19, 22, 22, 25, 30]);
    expect(test).to.deep.include({ statistic: 34.5, ties: true, exact: true });
    expect(test.greater).to.be.closeTo(0.02972027972027972, 1e-12);
    expect(test.less).to.be.closeTo(0.9796037296037297, 1e-12);
  });

  it("uses R's tie-corrected normal approximation with continuity correction from 50 values on", () => {
    // c_i = ((i·17) mod 53) + 10 (60 values), b_j = (j·13) mod 47 (55 values). R 4.2.2: wilcox.test(c, b, mu = 5,
    // exact = FALSE, correct = TRUE, alternative = "greater") → W = 2155.5, p = 0.00234232886123954; "less" →
    // 0.997698320899091.
    const test = rankSumTest(
      J.map((j) => (j * 13) % 47),
      I.map((i) => ((i * 17) % 53) + 10),
      5,
    );
    expect(test).to.deep.include({ statistic: 2155.5, ties: true, exact: false });
    expect(test.greater).to.be.closeTo(0.00234232886123954, 1e-12);
    expect(test.less).to.be.closeTo(0.997698320899091, 1e-12);
  });

  it("lands the large-sample interval on R's exact order statistics for 60 and 55 untied values", () => {
    // c_i = ((i·17) mod 61) + i/1000, b_j = ((j·13) mod 59) + j/1000 + 0.0005. R 4.2.2: wilcox.test(c, b,
    // conf.int = TRUE, exact = TRUE) → estimate 1.015, 95% CI -5.0335 7.9945; conf.level = 0.9 → -4.0195 6.9845.
    const shift = unpairedShift(
      J.map((j) => ((j * 13) % 59) + j / 1000 + 0.0005),
      I.map((i) => ((i * 17) % 61) + i / 1000),
    );
    expect(shift.estimateMs).to.be.closeTo(1.015, 1e-9);
    expect(shift.interval(0.95).lowMs).to.be.closeTo(-5.0335, 1e-9);
    expect(shift.interval(0.95).highMs).to.be.closeTo(7.9945, 1e-9);
    expect(shift.interval(0.9).lowMs).to.be.closeTo(-4.0195, 1e-9);
    expect(shift.interval(0.9).highMs).to.be.closeTo(6.9845, 1e-9);
  });

  it('calls a shift beyond μ exactly when the matching interval clears it (untied values)', () => {
    const shift = unpairedShift(Y, X);
    const low = shift.interval(0.9).lowMs;
    // μ between the differences (all multiples of 0.01 here): at one, mid-ranks count it half.
    for (let mu = -0.9987; mu <= 1.5; mu += 0.005) expect(shift.test(mu).greater <= 0.05, `μ ${mu}`).to.equal(low > mu);
  });

  it('lists every candidate − baseline difference, sorted, and counts choices exactly', () => {
    expect(pairwiseDifferences([1, 2], [5, 3])).to.deep.equal([1, 2, 3, 4]);
    expect(choose(15, 5)).to.equal(3003);
    // C(100, 50) = 100891344545564193334812497256, exactly.
    expect(choose(100, 50)).to.be.closeTo(1.008913445455642e29, 1e16);
  });
});
