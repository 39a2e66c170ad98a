// Judges each timing of a comparison as a canary judge does: the candidate's shift against a margin, with its interval
// (Kayenta's Mann–Whitney), Holm's control over the family, and 'inconclusive' when the repeats cannot tell (Argo's).

import { formatDurationMs } from '../core/format.js';
import { HarnessError, isHarnessError } from '../core/errors.js';
import { holm } from './holm.js';
import { unpairedShift, choose } from './rank-sum.js';
import type { ShiftAnalysis, ShiftInterval } from './shift.js';
import { pairedShift } from './signed-rank.js';

/** The side on which a shift is bad: 'higher' (later, the default), 'lower' (earlier), or 'either'. */
export type Worse = 'higher' | 'lower' | 'either';

/**
 * regression: beyond the margin on the bad side; equivalent: within ±margin; improvement: beyond the margin on the good
 * side (not a regression); inconclusive: none of these at the family's level.
 */
export type Verdict = 'regression' | 'equivalent' | 'improvement' | 'inconclusive';

export interface TimingSamples {
  /** The timing's name, e.g. "failover from the first unanswered heartbeat". */
  name: string;
  /** The baseline run's values (ms), one per kept execution. */
  baseline: readonly number[];
  /** The candidate run's values (ms). */
  candidate: readonly number[];
  /** Pair by repeat index: both runs executed repeat i at the same seeded phase. Needs as many values in each. */
  paired: boolean;
  /** Shifts within ±marginMs are no change (from the windows' tolerance and the site's smallest timer step). Above 0. */
  marginMs: number;
  /** The bad side. Default 'higher': later is worse. */
  worse?: Worse;
}

export interface JudgeOptions {
  /** Family-wise level of each kind of call (regressions, equivalences, improvements), in (0, 0.25]. Default 0.05. */
  alpha?: number;
}

export interface TimingJudgement {
  name: string;
  verdict: Verdict;
  design: 'paired' | 'unpaired';
  /** Values used from each run (paired: the pairs). */
  n: { baseline: number; candidate: number };
  marginMs: number;
  worse: Worse;
  /** The Hodges–Lehmann shift, candidate − baseline (ms): positive is later. */
  shiftMs: number;
  /**
   * The two-sided 1 − 2α interval: each end is the one-sided α bound matching the tests against ±margin (TOST's
   * interval), per timing. A regression's or equivalence's interval always clears or stays within the margin; one that
   * does but is inconclusive lost to Holm (compare `p` with `adjusted`).
   */
  interval: ShiftInterval;
  /**
   * One-sided p-values. regression: H0 shift ≤ margin on the bad side ('either': twice the smaller of the two sides);
   * equivalence: TOST, the larger of H0 shift ≥ +margin and H0 shift ≤ −margin; improvement: H0 shift ≤ margin on the
   * good side (null for 'either').
   */
  p: { regression: number; equivalence: number; improvement: number | null };
  /** The same, Holm-adjusted over the family, each kind on its own. A call is adjusted p ≤ α. */
  adjusted: { regression: number; equivalence: number; improvement: number | null };
  /** Every p-value counted exactly (else from the normal approximation). */
  exact: boolean;
  /**
   * The smallest shift on the bad side (a magnitude, ms) this design would call a regression whatever the rest of the
   * family: the margin plus the bad-side half-width of the interval at the Bonferroni level (α/k, α/2k for 'either'),
   * which Holm's first step uses. A true shift that large puts the estimate there and the interval's end on the margin,
   * about even odds of a call if the spread stays as observed. Infinity when the exact test cannot reach that level at
   * these n (the smallest p, 2^-n paired, is above it).
   */
  smallestDetectableShiftMs: number;
  /** The fewest repeats per run at which the exact test can reach that level at all. */
  minimumRepeats: number;
  /** The verdict in one sentence, with the numbers behind it. */
  why: string;
}

const ORDER: Record<Verdict, number> = { regression: 0, inconclusive: 1, improvement: 2, equivalent: 3 };

/**
 * Judges a family of timings: each one's shift, interval and p-values, the calls made at family-wise level α by
 * Holm's step-down (regressions, equivalences and improvements as three families), and a sentence. Regressions
 * first (smallest adjusted p first), then inconclusive, improvements and equivalent ones, each in the order given.
 */
export function judgeTimings(family: readonly TimingSamples[], options: JudgeOptions = {}): TimingJudgement[] {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha <= 0.25))
    throw new HarnessError('BAD_INPUT', `alpha ${alpha} is outside (0, 0.25]: give e.g. 0.05.`, {
      details: { option: 'alpha', value: alpha },
    });
  const k = family.length;
  const judged = family.map((timing) => ownNumbers(timing, alpha, k));
  const regression = holm(judged.map((j) => j.p.regression));
  const equivalence = holm(judged.map((j) => j.p.equivalence));
  const withGoodSide = judged.flatMap((j, i) => (j.p.improvement === null ? [] : [i]));
  const improvementAdjusted = holm(withGoodSide.map((i) => judged[i]!.p.improvement!));
  const improvement = judged.map((_, i) => {
    const at = withGoodSide.indexOf(i);
    return at < 0 ? null : improvementAdjusted[at]!;
  });
  const results = judged.map((j, i): TimingJudgement => {
    const adjusted = { regression: regression[i]!, equivalence: equivalence[i]!, improvement: improvement[i] ?? null };
    const verdict: Verdict =
      adjusted.regression <= alpha
        ? 'regression'
        : adjusted.equivalence <= alpha
          ? 'equivalent'
          : adjusted.improvement !== null && adjusted.improvement <= alpha
            ? 'improvement'
            : 'inconclusive';
    const judgement = { ...j, verdict, adjusted, why: '' };
    return { ...judgement, why: sentence(judgement, alpha, k) };
  });
  return results
    .map((r, index) => ({ r, index }))
    .sort(
      (a, b) =>
        ORDER[a.r.verdict] - ORDER[b.r.verdict] ||
        (a.r.verdict === 'regression' ? a.r.adjusted.regression - b.r.adjusted.regression : 0) ||
        a.index - b.index,
    )
    .map(({ r }) => r);
}

/** A timing's own numbers, before the family is adjusted. */
function ownNumbers(timing: TimingSamples, alpha: number, k: number): Omit<TimingJudgement, 'verdict' | 'adjusted' | 'why'> {
  const worse = timing.worse ?? 'higher';
  if (!['higher', 'lower', 'either'].includes(worse))
    throw new HarnessError('BAD_INPUT', `${timing.name}: worse '${worse}' is not one of 'higher', 'lower', 'either'.`, {
      details: { option: 'worse', value: worse, timing: timing.name },
    });
  const marginMs = timing.marginMs;
  if (!(marginMs > 0 && Number.isFinite(marginMs)))
    throw new HarnessError('BAD_INPUT', `${timing.name}: marginMs ${marginMs} is not a finite number above 0: pass the tolerance in ms.`, {
      details: { option: 'marginMs', value: marginMs, timing: timing.name },
    });
  let analysis: ShiftAnalysis;
  try {
    analysis = timing.paired ? pairedShift(timing.baseline, timing.candidate) : unpairedShift(timing.baseline, timing.candidate);
  } catch (error) {
    // Say which timing of the family was bad.
    if (!isHarnessError(error)) throw error;
    throw new HarnessError(error.code, `${timing.name}: ${error.message}`, {
      cause: error,
      details: { ...error.details, timing: timing.name },
    });
  }
  const above = analysis.test(marginMs);
  const below = analysis.test(-marginMs);
  const p = {
    regression: worse === 'higher' ? above.greater : worse === 'lower' ? below.less : Math.min(1, 2 * Math.min(above.greater, below.less)),
    equivalence: Math.max(above.less, below.greater),
    improvement: worse === 'higher' ? below.less : worse === 'lower' ? above.greater : null,
  };
  // Holm's first step, and Bonferroni's every step: a call at this level stands whatever the rest of the family.
  const level = alpha / k / (worse === 'either' ? 2 : 1);
  const wide = analysis.interval(1 - 2 * level);
  const halfWidth =
    worse === 'higher'
      ? analysis.estimateMs - wide.lowMs
      : worse === 'lower'
        ? wide.highMs - analysis.estimateMs
        : Math.max(analysis.estimateMs - wide.lowMs, wide.highMs - analysis.estimateMs);
  return {
    name: timing.name,
    design: analysis.design,
    n: analysis.n,
    marginMs,
    worse,
    shiftMs: analysis.estimateMs,
    interval: analysis.interval(1 - 2 * alpha),
    p,
    exact: above.exact && below.exact,
    smallestDetectableShiftMs: marginMs + halfWidth,
    minimumRepeats: minimumRepeats(analysis.design, level),
  };
}

/** The fewest repeats per run whose smallest exact p (2^-r paired, 1/C(2r, r) unpaired) is at most `level`. */
export function minimumRepeats(design: 'paired' | 'unpaired', level: number): number {
  let r = 1;
  while ((design === 'paired' ? 2 ** -r : 1 / choose(2 * r, r)) > level) r += 1;
  return r;
}

function sentence(j: Omit<TimingJudgement, 'why'>, alpha: number, k: number): string {
  const ms = (v: number): string => (v === Infinity ? '+∞' : v === -Infinity ? '−∞' : formatDurationMs(v));
  const { lowMs, highMs } = j.interval;
  // An interval narrower than a second reads in whole ms, the shift with it, or "1.0 s to 1.0 s" would hide it.
  const narrow = highMs - lowMs < 1000 && Math.max(Math.abs(lowMs), Math.abs(highMs)) < 100_000;
  const shown = (v: number): string => (narrow ? `${v < 0 ? '-' : ''}${Math.round(Math.abs(v))} ms` : ms(v));
  const p = (v: number): string => v.toPrecision(2);
  const interval = `${Math.round(100 * j.interval.confidence)}% interval ${shown(lowMs)} to ${shown(highMs)}`;
  const side = j.shiftMs >= 0 ? 'later' : 'earlier';
  const margin = `the ±${ms(j.marginMs)} margin`;
  switch (j.verdict) {
    case 'regression':
      return `${side} by ${shown(Math.abs(j.shiftMs))} (${interval}), beyond ${margin}: p = ${p(j.p.regression)}, Holm ${p(j.adjusted.regression)}`;
    case 'improvement':
      return `${side} by ${shown(Math.abs(j.shiftMs))} (${interval}), beyond ${margin} on the good side: p = ${p(j.p.improvement!)}, Holm ${p(j.adjusted.improvement!)}`;
    case 'equivalent':
      return `within ${margin}: shift ${shown(j.shiftMs)} (${interval}), TOST p = ${p(j.p.equivalence)}, Holm ${p(j.adjusted.equivalence)}`;
    case 'inconclusive': {
      const count = j.design === 'paired' ? `${j.n.baseline} pairs` : `${j.n.baseline} and ${j.n.candidate} values`;
      if (j.smallestDetectableShiftMs === Infinity) {
        const level = alpha / k / (j.worse === 'either' ? 2 : 1);
        return `${side} by ${shown(Math.abs(j.shiftMs))}, too few repeats to call: with ${count} no p can reach ${p(level)}; run at least ${j.minimumRepeats} repeats`;
      }
      const bad = j.worse === 'higher' ? 'a later shift' : j.worse === 'lower' ? 'an earlier shift' : 'a shift either way';
      return (
        `shift ${shown(j.shiftMs)} (${interval}) is neither beyond nor within ${margin}; ` +
        `with ${count} at this spread ${bad} of ${ms(j.smallestDetectableShiftMs)} or more is called a regression`
      );
    }
  }
}
