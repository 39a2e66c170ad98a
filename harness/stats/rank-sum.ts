// The unpaired design, for when repeats cannot pair (different counts, executions left out): the Mann–Whitney test,
// the Hodges–Lehmann shift (median of all candidate − baseline differences) and its distribution-free interval.

import { medianSorted } from 'simple-statistics';
import { normalCdf, normalQuantile } from './normal.js';
import { criticalCount, doubledMidRanks, EXACT_BELOW, rankSumCounts, tails, wholeNs } from './rank-distributions.js';
import { checkConfidence, checkValues, orderInterval, type OneSidedPValues, type ShiftAnalysis } from './shift.js';

export interface RankSumTest extends OneSidedPValues {
  /** W, R's statistic for wilcox.test(candidate − μ, baseline): how many candidate − μ exceed a baseline value, ties half. */
  statistic: number;
  /** Some values tied across or within the runs (they share mid-ranks). */
  ties: boolean;
}

/**
 * One-sided Mann–Whitney p-values of the shift (candidate − baseline) against μ: the rank test of candidate − μ against
 * baseline, ties at mid-ranks. With both runs below 50 values the p-values are counted over every choice of the
 * candidate's ranks: R's exact test when there are no ties, the exact conditional (permutation) test with them, where
 * R falls back to the normal approximation. Otherwise R's normal approximation with tie-corrected variance and
 * continuity correction.
 */
export function rankSumTest(baseline: readonly number[], candidate: readonly number[], muMs = 0): RankSumTest {
  checkValues('baseline', baseline);
  checkValues('candidate', candidate);
  const n1 = candidate.length;
  const n2 = baseline.length;
  const { ranks, tieSizes } = doubledMidRanks([...candidate.map((c) => wholeNs(c - muMs)), ...baseline.map(wholeNs)]);
  const doubled = ranks.slice(0, n1).reduce((sum, r) => sum + r, 0);
  const statistic = doubled / 2 - (n1 * (n1 + 1)) / 2;
  const ties = tieSizes.length > 0;
  if (n1 < EXACT_BELOW && n2 < EXACT_BELOW) {
    // Count over the smaller run's choices: the candidate's rank sum is the total less the baseline's.
    if (n1 <= n2) {
      const { upper, lower } = tails(rankSumCounts(ranks, n1), doubled);
      return { statistic, ties, greater: upper, less: lower, exact: true };
    }
    const total = ranks.reduce((sum, r) => sum + r, 0);
    const { upper, lower } = tails(rankSumCounts(ranks, n2), total - doubled);
    return { statistic, ties, greater: lower, less: upper, exact: true };
  }
  const n = n1 + n2;
  const centred = statistic - (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieSizes.reduce((sum, t) => sum + t ** 3 - t, 0) / (n * (n - 1))));
  // Every value tied: no evidence either way.
  if (sd === 0) return { statistic, ties, greater: 1, less: 1, exact: false };
  return { statistic, ties, greater: normalCdf(-(centred - 0.5) / sd), less: normalCdf((centred + 0.5) / sd), exact: false };
}

/** Every candidate − baseline difference, sorted: n₁·n₂ of them. */
export function pairwiseDifferences(baseline: readonly number[], candidate: readonly number[]): number[] {
  return candidate.flatMap((c) => baseline.map((b) => c - b)).sort((a, b) => a - b);
}

/**
 * The shift of unpaired timings. Estimate: the Hodges–Lehmann shift, the median of all candidate − baseline
 * differences. Interval: those differences at the Mann–Whitney critical count (what R's wilcox.test(candidate,
 * baseline, conf.int = TRUE) returns when it computes exactly), exact with both runs below 50 values, from the normal
 * approximation with continuity correction otherwise; ties do not change it.
 */
export function unpairedShift(baseline: readonly number[], candidate: readonly number[]): ShiftAnalysis {
  checkValues('baseline', baseline);
  checkValues('candidate', candidate);
  const n1 = candidate.length;
  const n2 = baseline.length;
  const differences = pairwiseDifferences(baseline, candidate);
  let cumulative: number[] | undefined;
  return {
    design: 'unpaired',
    n: { baseline: n2, candidate: n1 },
    estimateMs: medianSorted(differences),
    smallestP: 1 / choose(n1 + n2, n1),
    interval(confidence) {
      checkConfidence(confidence);
      const tail = (1 - confidence) / 2;
      if (n1 < EXACT_BELOW && n2 < EXACT_BELOW) {
        cumulative ??= nullCdf(n1, n2);
        const { count, achievedTail } = criticalCount((u) => cumulative![u] ?? 1, tail);
        return orderInterval(differences, count, confidence, achievedTail);
      }
      const mean = (n1 * n2) / 2;
      const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
      const count = Math.max(0, Math.floor(mean - normalQuantile(1 - tail) * sd + 0.5));
      return orderInterval(differences, count, confidence, count === 0 ? 0 : normalCdf((count - 0.5 - mean) / sd));
    },
    test: (muMs) => rankSumTest(baseline, candidate, muMs),
  };
}

/** C(n, k), as a double. */
export function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i += 1) c = (c * (n - Math.min(k, n - k) + i)) / i;
  return c;
}

/** P(U ≤ u) for u = 0..n₁n₂, U the Mann–Whitney statistic of untied runs of n₁ and n₂ values. */
function nullCdf(n1: number, n2: number): number[] {
  const k = Math.min(n1, n2);
  const counts = rankSumCounts(
    Array.from({ length: n1 + n2 }, (_, i) => 2 * (i + 1)),
    k,
  );
  const all = choose(n1 + n2, k);
  const cdf: number[] = [];
  let below = 0;
  // Doubled ranks: U = u is a rank sum of u + k(k+1)/2, at twice that index. U has the same law for either run.
  for (let u = 0; u <= n1 * n2; u += 1) {
    below += counts[2 * (u + (k * (k + 1)) / 2)]!;
    cdf.push(below / all);
  }
  return cdf;
}
