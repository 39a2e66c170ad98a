// Tests of ACD sequence tracking: gaps within one source, re-basing on a source change or a restarted counter.

import { expect } from 'chai';
import { initialAcdData, observeAcd, type AcdDataSnapshot } from './acd-data.js';
import type { AcdTarget } from '../../protocol/index.js';

function feed(items: Array<[AcdTarget, number]>): { state: AcdDataSnapshot; gaps: unknown[] } {
  let state = initialAcdData();
  const gaps: unknown[] = [];
  for (const [source, seq] of items) {
    const r = observeAcd(state, source, seq);
    state = r.state;
    for (const e of r.effects) if (e.type === 'emit' && e.event.type === 'acd-gap') gaps.push(e.event);
  }
  return { state, gaps };
}

describe('ACD data tracking', () => {
  it('re-bases on the very first event without counting a gap', () => {
    const { state, gaps } = feed([
      ['cm', 500],
      ['cm', 501],
    ]);
    expect(gaps).to.deep.equal([]);
    expect(state).to.include({ received: 2, lastSeq: 501, gaps: 0, missing: 0 });
  });

  it('counts a jump within one source as a gap, also across a reconnect to the same source', () => {
    const { state, gaps } = feed([
      ['cm', 1],
      ['cm', 2],
      ['cm', 30],
    ]);
    expect(gaps).to.deep.equal([{ type: 'acd-gap', source: 'cm', fromSeq: 3, toSeq: 29, missing: 27 }]);
    expect(state).to.include({ gaps: 1, missing: 27 });
  });

  it('re-bases without a gap when the source changes (cm and ess number separately)', () => {
    const { state, gaps } = feed([
      ['cm', 100],
      ['ess', 7],
      ['ess', 8],
      ['cm', 400],
    ]);
    expect(gaps).to.deep.equal([]);
    expect(state).to.include({ lastSeq: 400, source: 'cm', gaps: 0 });
  });

  it('re-bases without a gap when the source restarted its counter', () => {
    const { state, gaps } = feed([
      ['cm', 100],
      ['cm', 1],
      ['cm', 2],
    ]);
    expect(gaps).to.deep.equal([]);
    expect(state.lastSeq).to.equal(2);
  });

  it('does not change the state it is given', () => {
    const s0 = initialAcdData();
    observeAcd(s0, 'cm', 5);
    expect(s0).to.deep.equal(initialAcdData());
  });
});
