// Tests of ACD sequence tracking: exact gaps within one source's numbering, one time-based gap across a source
// switch (cm -> ess) or a restarted source counter, no gap without silence.

import { expect } from 'chai';
import { initialAcdData, observeAcd, type AcdDataSnapshot } from './acd-data.js';
import type { AcdTarget } from '../../protocol/index.js';

/** 10 events per second: one every 100 ms; a silence beyond 150 ms is a gap when the numbers cannot tell. */
const CFG = { acdEventRateHz: 10 };

function feed(items: Array<[AcdTarget, number, number]>): { state: AcdDataSnapshot; gaps: unknown[] } {
  let state = initialAcdData();
  const gaps: unknown[] = [];
  for (const [source, seq, atMs] of items) {
    const r = observeAcd(state, source, seq, atMs, CFG);
    state = r.state;
    for (const e of r.effects) if (e.type === 'emit' && e.event.type === 'acd-gap') gaps.push(e.event);
  }
  return { state, gaps };
}

describe('ACD data tracking', () => {
  it('re-bases on the very first event without counting a gap', () => {
    const { state, gaps } = feed([
      ['cm', 500, 60_000],
      ['cm', 501, 60_100],
    ]);
    expect(gaps).to.deep.equal([]);
    expect(state).to.include({ received: 2, lastSeq: 501, gaps: 0, missing: 0 });
  });

  it('counts a jump within one source as a gap of exactly the missing count, also across a reconnect to the same source', () => {
    const { state, gaps } = feed([
      ['cm', 1, 0],
      ['cm', 2, 100],
      ['cm', 30, 2_900],
    ]);
    expect(gaps).to.deep.equal([{ type: 'acd-gap', source: 'cm', cause: 'sequence', fromSeq: 3, toSeq: 29, missing: 27, silentMs: 2_800 }]);
    expect(state).to.include({ gaps: 1, missing: 27 });
  });

  it('counts the minutes without data while the links move from cm to the ESS as one gap, from the silence', () => {
    const { state, gaps } = feed([
      ['cm', 100, 0],
      ['cm', 101, 100],
      ['ess', 7, 60_100],
      ['ess', 8, 60_200],
    ]);
    expect(gaps).to.deep.equal([
      { type: 'acd-gap', source: 'ess', cause: 'source-switch', fromSeq: 102, toSeq: 700, missing: 599, silentMs: 60_000 },
    ]);
    expect(state).to.include({ lastSeq: 8, source: 'ess', gaps: 1, missing: 599 });
  });

  it('counts no gap on a source switch whose silence is at most 1.5 event periods, and one from 1 ms beyond', () => {
    expect(
      feed([
        ['ess', 8, 0],
        ['cm', 400, 150],
      ]).gaps,
    ).to.deep.equal([]);
    expect(
      feed([
        ['ess', 8, 0],
        ['cm', 400, 151],
      ]).gaps,
    ).to.deep.equal([{ type: 'acd-gap', source: 'cm', cause: 'source-switch', fromSeq: 9, toSeq: 9, missing: 1, silentMs: 151 }]);
  });

  it('counts one gap from the silence when the source restarted its counter (a killed and restarted CM)', () => {
    const { state, gaps } = feed([
      ['cm', 100, 0],
      ['cm', 1, 5_000],
      ['cm', 2, 5_100],
    ]);
    expect(gaps).to.deep.equal([
      { type: 'acd-gap', source: 'cm', cause: 'source-restart', fromSeq: 101, toSeq: 149, missing: 49, silentMs: 5_000 },
    ]);
    expect(state).to.include({ lastSeq: 2, gaps: 1, missing: 49 });
  });

  it('counts no gap when a restarted counter follows without silence', () => {
    expect(
      feed([
        ['cm', 100, 0],
        ['cm', 1, 100],
      ]).gaps,
    ).to.deep.equal([]);
  });

  it('does not change the state it is given', () => {
    const s0 = initialAcdData();
    observeAcd(s0, 'cm', 5, 0, CFG);
    expect(s0).to.deep.equal(initialAcdData());
  });
});
