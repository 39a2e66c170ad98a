// The paired design: both runs execute repeat i at the same seeded phase, so their timings pair by repeat and the
// shift is read from the differences alone: Wilcoxon's signed-rank test, the Hodges–Lehmann estimate and interval.

import { medianSorted } from 'simple-statistics';
import { HarnessError } from '../core/errors.js';
import { normalCdf, normalQuantile } from './normal.js';
import { criticalCount, doubledMidRanks, EXACT_BELOW, signedRankCounts, tails, wholeNs } from './rank-distributions.js';
import { checkConfidence, checkValues, orderInterval, type OneSidedPValues, type ShiftAnalysis } from './shift.js';

export interface SignedRankTest extends OneSidedPValues {
  /** V, R's statistic: the sum of the ranks of |d − μ| over the positive d − μ. */
  statistic: number;
  /** Differences ranked: those not equal to μ. */
  n: number;
  /** Differences equal to μ, dropped before ranking (R's and Wilcoxon's way). */
  zeros: number;
  /** Some |d − μ| tied (they share mid-ranks). */
  ties: boolean;
}

/**
 * One-sided signed-rank p-values of the differences d against μ (the test of d − μ), zeros dropped, ties at mid-ranks.
 * Below 50 differences the p-values are counted over all 2^n sign assignments of the observed ranks: R's exact test
 * when there are no ties; with ties it is the exact conditional test (coin's wilcoxsign_test, SciPy's wilcoxon with a
 * PermutationMethod) where R falls back to the normal approximation. From 50 on, the normal approximation with R's
 * tie-corrected variance and continuity correction (wilcox.test(exact = FALSE, correct = TRUE)).
 */
export function signedRankTest(differences: readonly number[], muMs = 0): SignedRankTest {
  checkValues('differences', differences);
  const shifted = differences.map((d) => wholeNs(d - muMs)).filter((e) => e !== 0);
  const n = shifted.length;
  const zeros = differences.length - n;
  const { ranks, tieSizes } = doubledMidRanks(shifted.map(Math.abs));
  const doubled = ranks.reduce((sum, r, i) => (shifted[i]! > 0 ? sum + r : sum), 0);
  const facts = { statistic: doubled / 2, n, zeros, ties: tieSizes.length > 0 };
  // Every difference equal to μ: no evidence either way.
  if (n === 0) return { ...facts, greater: 1, less: 1, exact: true };
  if (n < EXACT_BELOW) {
    const { upper, lower } = tails(signedRankCounts(ranks), doubled);
    return { ...facts, greater: upper, less: lower, exact: true };
  }
  const centred = facts.statistic - (n * (n + 1)) / 4;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieSizes.reduce((sum, t) => sum + t ** 3 - t, 0) / 48);
  return { ...facts, greater: normalCdf(-(centred - 0.5) / sd), less: normalCdf((centred + 0.5) / sd), exact: false };
}

/** The Walsh averages (d_i + d_j)/2, i ≤ j, sorted: n(n+1)/2 of them. */
export function walshAverages(differences: readonly number[]): number[] {
  const averages: number[] = [];
  differences.forEach((di, i) => {
    for (let j = i; j < differences.length; j += 1) averages.push((di + differences[j]!) / 2);
  });
  return averages.sort((a, b) => a - b);
}

/**
 * The shift of paired timings (pair i: repeat i of each run). Estimate: the Hodges–Lehmann pseudo-median, the median of
 * the Walsh averages of all differences. Interval: Walsh averages at the signed-rank critical count (Tukey's; what R
 * returns when it computes exactly), exact below 50 pairs, from the normal approximation with continuity correction
 * beyond. Zeros and ties do not change it: it is the data's, not the test's (R instead drops differences equal to μ
 * and, with ties, solves its approximate statistic by uniroot).
 */
export function pairedShift(baseline: readonly number[], candidate: readonly number[]): ShiftAnalysis {
  checkValues('baseline', baseline);
  checkValues('candidate', candidate);
  if (baseline.length !== candidate.length)
    throw new HarnessError(
      'BAD_INPUT',
      `Pairing by repeat needs as many baseline as candidate values: ${baseline.length} and ${candidate.length}. Judge them unpaired.`,
      { details: { option: 'paired', baseline: baseline.length, candidate: candidate.length } },
    );
  const differences = candidate.map((c, i) => c - baseline[i]!);
  const n = differences.length;
  const walsh = walshAverages(differences);
  let cumulative: number[] | undefined;
  return {
    design: 'paired',
    n: { baseline: n, candidate: n },
    estimateMs: medianSorted(walsh),
    smallestP: 2 ** -n,
    interval(confidence) {
      checkConfidence(confidence);
      const tail = (1 - confidence) / 2;
      if (n < EXACT_BELOW) {
        cumulative ??= nullCdf(n);
        const { count, achievedTail } = criticalCount((v) => cumulative![v] ?? 1, tail);
        return orderInterval(walsh, count, confidence, achievedTail);
      }
      const mean = (n * (n + 1)) / 4;
      const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
      const count = Math.max(0, Math.floor(mean - normalQuantile(1 - tail) * sd + 0.5));
      return orderInterval(walsh, count, confidence, count === 0 ? 0 : normalCdf((count - 0.5 - mean) / sd));
    },
    test: (muMs) => signedRankTest(differences, muMs),
  };
}

/** P(V ≤ v) for v = 0..n(n+1)/2, V the signed-rank statistic of n untied, non-zero differences. */
function nullCdf(n: number): number[] {
  const counts = signedRankCounts(Array.from({ length: n }, (_, i) => 2 * (i + 1)));
  const all = 2 ** n;
  const cdf: number[] = [];
  let below = 0;
  // Doubled ranks: V = v sits at index 2v.
  for (let v = 0; 2 * v < counts.length; v += 1) {
    below += counts[2 * v]!;
    cdf.push(below / all);
  }
  return cdf;
}
