// The fault phases replay exactly from a seed and, over a run's repeats, cover the whole heartbeat cycle.

import { expect } from 'chai';
import { draw, stratifiedPhase } from './random.js';

describe('seeded phases', () => {
  it('draws the same number for the same seed and words, and another for another seed', () => {
    expect(draw(7, 'a test', 0)).to.equal(draw(7, 'a test', 0));
    expect(draw(7, 'a test', 0)).to.not.equal(draw(8, 'a test', 0));
    expect(draw(7, 'a test', 0)).to.be.within(0, 1);
  });

  it('puts repeat k of n in the k-th n-th of the cycle, so n repeats cover it evenly', () => {
    const phases = [0, 1, 2, 3, 4].map((k) => stratifiedPhase(42, 'primary-down', k, 5));
    phases.forEach((phase, k) =>
      expect(phase)
        .to.be.at.least(k / 5)
        .and.below((k + 1) / 5),
    );
  });

  it('does not depend on the order or the parallelism of the run, only on the test and its repeat', () => {
    const alone = stratifiedPhase(1, 'title', 2, 4);
    for (let i = 0; i < 10; i++) stratifiedPhase(1, `other ${i}`, i, 4);
    expect(stratifiedPhase(1, 'title', 2, 4)).to.equal(alone);
  });
});
