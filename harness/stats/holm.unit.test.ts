// Holm's step-down adjustment against R's p.adjust(p, "holm"): in the order given, never falling as p rises, capped
// at 1, and rejecting what is not a p-value.

import { expect } from 'chai';
import { isHarnessError } from '../core/errors.js';
import { holm } from './holm.js';

describe('holm', () => {
  it('adjusts in the order given, as R does: [0.01, 0.04, 0.03, 0.005] → [0.03, 0.06, 0.06, 0.02]', () => {
    // R 4.2.2: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") → 0.03 0.06 0.06 0.02.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => expect(adjusted[i]).to.be.closeTo(p, 1e-15));
  });

  it('keeps adjusted p-values monotone in the raw ones and caps them at 1', () => {
    // R 4.2.2: p.adjust(c(0.5, 0.3), "holm") → 0.6 0.6; p.adjust(c(0.9, 0.8, 0.02), "holm") → 1 1 0.06.
    expect(holm([0.5, 0.3])).to.deep.equal([0.6, 0.6]);
    const capped = holm([0.9, 0.8, 0.02]);
    expect(capped.slice(0, 2)).to.deep.equal([1, 1]);
    expect(capped[2]).to.be.closeTo(0.06, 1e-15);
  });

  it('leaves one p-value as it is and an empty family empty', () => {
    expect(holm([0.04])).to.deep.equal([0.04]);
    expect(holm([])).to.deep.equal([]);
  });

  it('rejects a value that is not a p-value, naming it', () => {
    expect(() => holm([0.1, 1.2]))
      .to.throw('p-value 1.2 is not in [0, 1]')
      .that.satisfies((e: unknown) => isHarnessError(e, 'BAD_INPUT'));
    expect(() => holm([NaN])).to.throw('NaN');
  });
});
