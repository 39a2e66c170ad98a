// The counted null distributions against brute force (every sign pattern, every choice of ranks, listed one by one),
// mid-ranks as R's rank() gives them, and the normal distribution against R's qnorm and pnorm.

import { expect } from 'chai';
import { normalCdf, normalQuantile } from './normal.js';
import { criticalCount, doubledMidRanks, rankSumCounts, signedRankCounts, tails, wholeNs } from './rank-distributions.js';

/** Every subset of 0..n-1, as arrays of indices. */
function subsets(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, mask) => [...Array(n).keys()].filter((i) => mask & (1 << i)));
}

describe('rank distributions', () => {
  it("gives mid-ranks as R's rank() does, doubled, with the tie-group sizes", () => {
    // R 4.2.2: rank(c(3, 1, 4, 1, 5, 9, 2, 6, 5)) → 4.0 1.5 5.0 1.5 6.5 9.0 3.0 8.0 6.5.
    const { ranks, tieSizes } = doubledMidRanks([3, 1, 4, 1, 5, 9, 2, 6, 5]);
    expect(ranks.map((r) => r / 2)).to.deep.equal([4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5]);
    expect(tieSizes).to.deep.equal([2, 2]);
  });

  it('counts the signed-rank sums of every sign pattern, ties included, as brute force does', () => {
    const ranks = [2, 5, 5, 8, 10, 12, 14];
    const counted = signedRankCounts(ranks);
    const listed = new Array<number>(counted.length).fill(0);
    for (const positive of subsets(ranks.length)) listed[positive.reduce((s, i) => s + ranks[i]!, 0)]! += 1;
    expect([...counted]).to.deep.equal(listed);
    // n = 9 untied: P(V ≤ 5) = 10/512, listed with itertools.product([0, 1], repeat=9).
    expect(tails(signedRankCounts([2, 4, 6, 8, 10, 12, 14, 16, 18]), 10).lower).to.equal(10 / 512);
  });

  it('counts the rank sums of every choice of k ranks, ties included, as brute force does', () => {
    const ranks = [2, 4, 7, 7, 10, 13, 13, 16];
    const counted = rankSumCounts(ranks, 3);
    const listed = new Array<number>(counted.length).fill(0);
    for (const chosen of subsets(ranks.length).filter((s) => s.length === 3)) listed[chosen.reduce((s, i) => s + ranks[i]!, 0)]! += 1;
    expect([...counted]).to.deep.equal(listed);
  });

  it('cuts an interval at the largest count whose lower tail stays within the level, or at none', () => {
    // n = 9: P(V ≤ 5) = 0.01953125 ≤ 0.025 < P(V ≤ 6) = 0.02734375, so C = 6 (R: qsignrank(0.025, 9) = 6).
    const cdf = [1, 2, 3, 5, 7, 10, 14, 19, 25].map((c) => c / 512);
    expect(criticalCount((v) => cdf[v] ?? 1, 0.025)).to.deep.equal({ count: 6, achievedTail: 10 / 512 });
    expect(criticalCount(() => 0.0625, 0.05)).to.deep.equal({ count: 0, achievedTail: 0 });
  });

  it('compares timings as whole nanoseconds, so float noise neither splits ties nor hides zeros', () => {
    expect(wholeNs(2002.1 - 2001.9)).to.equal(wholeNs(0.2));
    expect(wholeNs(0.000_000_4)).to.equal(0);
  });

  it("matches R's qnorm and pnorm", () => {
    // R 4.2.2: qnorm(0.975) → 1.9599639845400536; pnorm(-1.96) → 0.024997895148220428.
    expect(normalQuantile(0.975)).to.be.closeTo(1.9599639845400536, 1e-12);
    expect(normalCdf(-1.96)).to.be.closeTo(0.024997895148220428, 1e-15);
  });
});
