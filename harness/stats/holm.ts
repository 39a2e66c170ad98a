// Family-wise error control over the timings of a comparison: Holm's step-down adjustment, which keeps the chance of
// any false call in the family at α, as Bonferroni does, but calls at least as many.

import { HarnessError } from '../core/errors.js';

/**
 * Holm-adjusted p-values, in the order given: the i-th smallest p becomes max over j ≤ i of min(1, (k − j + 1)·p_(j)),
 * so they never fall as p rises and never exceed 1 (R's p.adjust(p, 'holm')). A call at level α is adjusted p ≤ α.
 */
export function holm(pValues: readonly number[]): number[] {
  const bad = pValues.find((p) => !(p >= 0 && p <= 1));
  if (bad !== undefined)
    throw new HarnessError('BAD_INPUT', `holm: p-value ${bad} is not in [0, 1].`, { details: { option: 'pValues', value: bad } });
  const k = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const adjusted = new Array<number>(k).fill(1);
  let running = 0;
  order.forEach((index, step) => {
    running = Math.max(running, Math.min(1, (k - step) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}
