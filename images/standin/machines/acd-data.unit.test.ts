// Tests of ACD sequence tracking: one gap per interruption, its missing count from the silence whatever the numbers
// say (a source switch, a restarted source counter), no gap without silence, and a CMS's own downtime after a restart.

import { expect } from 'chai';
import { acdDurableOf, checkAcdDurable, initialAcdData, observeAcd, type AcdDataSnapshot } from './acd-data.js';
import type { AcdTarget } from '../../protocol/index.js';

/** 10 events per second: one every 100 ms; a silence beyond 150 ms is a gap when the numbers cannot tell. */
const CFG = { acdEventRateHz: 10 };

function feed(items: Array<[AcdTarget, number, number]>, from = initialAcdData()): { state: AcdDataSnapshot; gaps: unknown[] } {
  let state = from;
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

  it('counts the missing events from the silence when a restarted CM numbers past the old last seq', () => {
    // Old behaviour: a jump ahead in the same source was counted from the numbers: 49 here, for one second of silence.
    const { gaps } = feed([
      ['cm', 100, 0],
      ['cm', 150, 1_000],
    ]);
    expect(gaps).to.deep.equal([
      { type: 'acd-gap', source: 'cm', cause: 'sequence', fromSeq: 101, toSeq: 109, missing: 9, silentMs: 1_000 },
    ]);
  });

  it('counts its own downtime as one gap after a restart from the saved tracker', () => {
    // Old behaviour: a restarted CMS started afresh and its first event was no gap at all.
    const before = feed([
      ['cm', 500, 60_000],
      ['cm', 501, 60_100],
    ]).state;
    const saved = checkAcdDurable(JSON.parse(JSON.stringify(acdDurableOf(before))));
    expect(saved).to.deep.equal({ source: 'cm', lastSeq: 501, lastAtNs: '60100000000' });
    const { state, gaps } = feed(
      [
        ['cm', 552, 65_200],
        ['cm', 553, 65_300],
      ],
      initialAcdData(saved),
    );
    expect(gaps).to.deep.equal([
      { type: 'acd-gap', source: 'cm', cause: 'sequence', fromSeq: 502, toSeq: 551, missing: 50, silentMs: 5_100 },
    ]);
    expect(state).to.include({ gaps: 1, missing: 50, received: 2 });
  });

  it('trusts a saved tracker only when it is whole', () => {
    expect(() => checkAcdDurable({ source: 'cm', lastSeq: 1 })).to.throw(/acd-data state/);
    expect(acdDurableOf(initialAcdData())).to.equal(null);
  });
});
