// Whether a comparison with inconclusive timings should run more repeats, and how many: double them, at least to where
// the exact test can reach the level at all, never past the cap. A call (regression, equivalent, improvement) is final.

import { HarnessError } from '../core/errors.js';
import type { TimingJudgement } from './judge.js';

export interface RepeatOptions {
  /** Repeats each run has had so far (at least 1). */
  repeats: number;
  /** The most repeats a run may have (at least `repeats`). */
  maxRepeats: number;
}

export interface RepeatAdvice {
  /** Run more: some timing is inconclusive and more repeats, within the cap, could settle it. */
  more: boolean;
  /** The repeats each run should have in all (the current count when `more` is false). */
  repeats: number;
  /** The timings still inconclusive. */
  inconclusive: string[];
  /** The advice in one sentence. */
  why: string;
}

/**
 * The next number of repeats: twice the current, or the most any inconclusive timing needs before its exact test can
 * reach the level (its `minimumRepeats`) if that is more, capped at `maxRepeats`. No more when every timing is called,
 * the cap is reached, or no inconclusive timing could be called even at the cap. Each new look is another chance of a
 * false call: judge every look at `alphaPerLook` to keep the whole sequence at α.
 */
export function nextRepeats(judgements: readonly TimingJudgement[], options: RepeatOptions): RepeatAdvice {
  const { repeats, maxRepeats } = options;
  if (!(Number.isInteger(repeats) && repeats >= 1 && Number.isInteger(maxRepeats) && maxRepeats >= repeats))
    throw new HarnessError('BAD_INPUT', `repeats ${repeats} and maxRepeats ${maxRepeats} must be whole, with 1 ≤ repeats ≤ maxRepeats.`, {
      details: { option: 'repeats', repeats, maxRepeats },
    });
  const open = judgements.filter((j) => j.verdict === 'inconclusive');
  const inconclusive = open.map((j) => j.name);
  const stay = (why: string): RepeatAdvice => ({ more: false, repeats, inconclusive, why });
  if (open.length === 0) return stay('every timing is called');
  if (repeats >= maxRepeats) return stay(`the cap of ${maxRepeats} repeats is reached with ${open.length} timing(s) inconclusive`);
  const helped = open.filter((j) => j.minimumRepeats <= maxRepeats);
  if (helped.length === 0)
    return stay(`even ${maxRepeats} repeats cannot reach the level: ${Math.min(...open.map((j) => j.minimumRepeats))} at least`);
  const target = Math.min(maxRepeats, Math.max(2 * repeats, ...helped.map((j) => j.minimumRepeats)));
  return { more: true, repeats: target, inconclusive, why: `${inconclusive.join(', ')} inconclusive at ${repeats} repeats: run ${target}` };
}

/**
 * The level for each look of a doubling schedule from `startRepeats` to `maxRepeats`, Bonferroni over the looks: α
 * divided by their number, 1 + ⌈log₂(max/start)⌉ (a look at the cap included; a jump to a timing's minimum only skips).
 */
export function alphaPerLook(alpha: number, startRepeats: number, maxRepeats: number): number {
  return alpha / (1 + Math.max(0, Math.ceil(Math.log2(maxRepeats / startRepeats))));
}
