// What both designs (paired by repeat, or two independent runs) say about the shift of a timing, candidate minus
// baseline, so a judge can ask either the same questions: the estimate, an interval, one-sided p-values against μ.

import { HarnessError } from '../core/errors.js';

/** An interval for the shift (ms), with the confidence asked for and the one the discrete distribution gives. */
export interface ShiftInterval {
  lowMs: number;
  highMs: number;
  /** The two-sided confidence asked for, e.g. 0.9. */
  confidence: number;
  /** Its actual coverage: at least `confidence`, or 1 with an unbounded end when the sample is too small for it. */
  achievedConfidence: number;
}

/** One-sided p-values of the shift θ against μ. */
export interface OneSidedPValues {
  /** H0: θ ≤ μ against H1: θ > μ (the candidate is later by more than μ). */
  greater: number;
  /** H0: θ ≥ μ against H1: θ < μ. */
  less: number;
  /** Exact (counted) rather than from the normal approximation. */
  exact: boolean;
}

export interface ShiftAnalysis {
  readonly design: 'paired' | 'unpaired';
  /** Values of each run used. Paired: both are the number of pairs. */
  readonly n: { baseline: number; candidate: number };
  /** Hodges–Lehmann estimate of the shift (ms). */
  readonly estimateMs: number;
  /** The smallest one-sided p-value the exact test can give with these n: 2^-n paired, 1/C(n₁+n₂, n₁) unpaired. */
  readonly smallestP: number;
  /** Two-sided interval at `confidence` (0.5 ≤ confidence < 1): one-sided at 1 − (1 − confidence)/2 at each end. */
  interval(confidence: number): ShiftInterval;
  /** One-sided p-values of the rank test of the shift against `muMs`. */
  test(muMs: number): OneSidedPValues;
}

/** Some finite values, at least one; rejected up front with the option named otherwise. */
export function checkValues(option: string, values: readonly number[]): void {
  if (values.length === 0) throw new HarnessError('BAD_INPUT', `${option} has no values: give at least one.`, { details: { option } });
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined)
    throw new HarnessError('BAD_INPUT', `${option} holds ${bad}: every value must be a finite number of ms.`, {
      details: { option, value: bad },
    });
}

export function checkConfidence(confidence: number): void {
  if (!(confidence >= 0.5 && confidence < 1))
    throw new HarnessError('BAD_INPUT', `confidence ${confidence} is outside [0.5, 1): give e.g. 0.9 for a 90% interval.`, {
      details: { option: 'confidence', value: confidence },
    });
}

/** [C-th smallest, C-th largest] of sorted values, unbounded when C is 0. */
export function orderInterval(sorted: readonly number[], count: number, confidence: number, achievedTail: number): ShiftInterval {
  // A low confidence on few values could cross the ends over: never past the median.
  const c = Math.min(count, Math.floor((sorted.length + 1) / 2));
  return {
    lowMs: c === 0 ? -Infinity : sorted[c - 1]!,
    highMs: c === 0 ? Infinity : sorted[sorted.length - c]!,
    confidence,
    achievedConfidence: 1 - 2 * achievedTail,
  };
}
