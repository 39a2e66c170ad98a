// Exact null distributions of the rank statistics, by counting: the signed-rank sum over every assignment of signs,
// the rank sum over every choice of one run's ranks. Ranks are doubled mid-ranks, so tied values keep whole numbers.

/** Below this many values the tests and intervals are counted exactly, as R's wilcox.test does (exact when n < 50). */
export const EXACT_BELOW = 50;

/**
 * Timings come from nanosecond timestamps: values are compared as whole nanoseconds, or the float noise of a
 * subtraction (2002.1 − 2001.9 is 0.2000000000000455) would split ties and hide zeros.
 */
export function wholeNs(ms: number): number {
  return Math.round(ms * 1_000_000);
}

/**
 * Doubled mid-ranks of some values, in their order: tied values share the mean of their ranks, doubled to stay whole
 * (ranks 3 and 4 tied are 7 each). With the sizes of the tie groups of more than one value.
 */
export function doubledMidRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length).fill(0);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end += 1;
    // Positions start..end (0-based) hold ranks start+1..end+1: their mean, doubled, is start + end + 2.
    for (let k = start; k <= end; k += 1) ranks[order[k]!] = start + end + 2;
    if (end > start) tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/**
 * How many of the 2^n assignments of signs to the ranks give each sum s of the positive ones (index s). Counts up to
 * 2^53 are exact in a double: far more than the 49 values below which the tests count.
 */
export function signedRankCounts(ranks: readonly number[]): Float64Array {
  const total = ranks.reduce((a, r) => a + r, 0);
  const counts = new Float64Array(total + 1);
  counts[0] = 1;
  let reached = 0;
  for (const r of ranks) {
    for (let s = reached; s >= 0; s -= 1) counts[s + r]! += counts[s]!;
    reached += r;
  }
  return counts;
}

/** How many of the C(N, k) choices of k of the N ranks give each sum s (index s). */
export function rankSumCounts(ranks: readonly number[], k: number): Float64Array {
  const total = ranks.reduce((a, r) => a + r, 0);
  // rows[j][s]: ways to choose j of the ranks seen so far with sum s.
  const rows = Array.from({ length: k + 1 }, () => new Float64Array(total + 1));
  rows[0]![0] = 1;
  let reached = 0;
  ranks.forEach((r, seen) => {
    for (let j = Math.min(seen + 1, k); j >= 1; j -= 1) {
      const from = rows[j - 1]!;
      const to = rows[j]!;
      for (let s = reached; s >= 0; s -= 1) if (from[s] !== 0) to[s + r]! += from[s]!;
    }
    reached += r;
  });
  return rows[k]!;
}

/** P(S ≥ s) and P(S ≤ s) under counts. */
export function tails(counts: Float64Array, s: number): { upper: number; lower: number } {
  let all = 0;
  let upper = 0;
  let lower = 0;
  counts.forEach((ways, at) => {
    all += ways;
    if (at >= s) upper += ways;
    if (at <= s) lower += ways;
  });
  return { upper: upper / all, lower: lower / all };
}

/**
 * Where a distribution-free interval cuts the sorted averages or differences: C, the largest count such that P(S ≤ C −
 * 1) ≤ tail for the statistic S counting those above the true shift (S symmetric on 0..total). The interval is then
 * [C-th smallest, C-th largest], each end missing with probability at most `tail`; C is 0 when even the extremes miss
 * more often (the interval is unbounded). `cdf(v)` is P(S ≤ v).
 */
export function criticalCount(cdf: (v: number) => number, tail: number): { count: number; achievedTail: number } {
  let count = 0;
  let achievedTail = 0;
  for (;;) {
    const p = cdf(count);
    if (p > tail) break;
    achievedTail = p;
    count += 1;
  }
  return { count, achievedTail };
}
