// Adaptive repeats: an inconclusive comparison doubles its repeats (or jumps to what its exact test needs) up to the
// cap; calls are final; and each look of the schedule gets its share of α.

import { expect } from 'chai';
import type { TimingJudgement, Verdict } from './judge.js';
import { alphaPerLook, nextRepeats } from './repeats.js';

function judged(name: string, verdict: Verdict, minimumRepeats = 5): TimingJudgement {
  return { name, verdict, minimumRepeats } as TimingJudgement;
}

describe('adaptive repeats', () => {
  it('doubles the repeats while a timing is inconclusive, up to the cap', () => {
    const family = [judged('failover', 'inconclusive'), judged('failback', 'equivalent')];
    expect(nextRepeats(family, { repeats: 5, maxRepeats: 40 })).to.deep.equal({
      more: true,
      repeats: 10,
      inconclusive: ['failover'],
      why: 'failover inconclusive at 5 repeats: run 10',
    });
    expect(nextRepeats(family, { repeats: 30, maxRepeats: 40 }).repeats).to.equal(40);
  });

  it('jumps to the repeats an exact test needs when doubling falls short', () => {
    expect(nextRepeats([judged('failover', 'inconclusive', 9)], { repeats: 3, maxRepeats: 40 }).repeats).to.equal(9);
  });

  it('stops when every timing is called, a regression included', () => {
    const advice = nextRepeats([judged('failover', 'regression'), judged('failback', 'equivalent')], { repeats: 5, maxRepeats: 40 });
    expect(advice).to.deep.include({ more: false, repeats: 5, why: 'every timing is called' });
  });

  it('stops at the cap, and when even the cap cannot reach the level', () => {
    expect(nextRepeats([judged('failover', 'inconclusive')], { repeats: 40, maxRepeats: 40 })).to.deep.include({
      more: false,
      why: 'the cap of 40 repeats is reached with 1 timing(s) inconclusive',
    });
    expect(nextRepeats([judged('failover', 'inconclusive', 9)], { repeats: 2, maxRepeats: 8 })).to.deep.include({
      more: false,
      repeats: 2,
      why: 'even 8 repeats cannot reach the level: 9 at least',
    });
  });

  it('rejects repeats that are not whole or exceed the cap', () => {
    expect(() => nextRepeats([], { repeats: 0, maxRepeats: 5 })).to.throw('repeats 0 and maxRepeats 5');
    expect(() => nextRepeats([], { repeats: 6, maxRepeats: 5 })).to.throw('1 ≤ repeats ≤ maxRepeats');
  });

  it('shares α over the looks of a doubling schedule: 5, 10, 20, 40 is four looks', () => {
    expect(alphaPerLook(0.05, 5, 40)).to.equal(0.0125);
    expect(alphaPerLook(0.05, 5, 30)).to.equal(0.0125);
    expect(alphaPerLook(0.05, 10, 10)).to.equal(0.05);
  });
});
