// The ACD link expectations on synthetic timelines: the Dual-IP step at which the ESS is tried, the gap of a move.

import { expect } from 'chai';
import type { StandinEvent } from '../../images/protocol/index.js';
import { nowNs } from '../core/clock.js';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('ACD link expectations', () => {
  describe('Dual-IP', () => {
    it('fails a CMS that tries the ESS one attempt early (mainAttempts one short)', async () => {
      const site = new FakeSite().fault('cut', 'acd-primary', 0);
      site.add(site.make.link('cms-primary', 1, 'CONNECTING', 'cm', 1, 2));
      const cycle = site.timeline.last(() => true)!;
      (cycle as { reason?: string }).reason = 'attempt 1 of cycle 2: cm try 1 of 5';
      const ess = site.make.link('cms-primary', 6001, 'CONNECTING', 'ess', 5, 2);
      site.add({ ...ess, reason: 'attempt 5 of cycle 2: ess try 1 of 2' } as StandinEvent);
      site.timeline.markObserved(site.at(30_000));
      const message = await failure(new SiteExpect(site).toTryEssAtItsStep('cms-primary'));
      expect(message).to.contain(
        "cms-primary first tried the ESS (attempt 5) 6000 ms after cms-primary's Dual-IP cycle 2 began; expected 7499–7540 ms",
      );
      expect(message).to.contain('expected attempt 6, after 5 at the main CM');
    });
  });

  describe('the data gap of a move to the ESS', () => {
    it('waits for the gap, counted on the first event of the new stream, up to one event period after the move', async () => {
      const site = new FakeSite().fault('stop', 'cm', 0);
      const nowMs = Number(nowNs() - site.base) / 1e6;
      site.add(site.make.link('cms-primary', nowMs, 'DATA_TRANSFER', 'ess', 6, 2));
      // The first event of the ESS's stream comes 80 ms after the data transfer began (period 100 ms at 10 Hz).
      setTimeout(() => site.add(site.make.gap('cms-primary', nowMs + 80, 183, 'ess', 'source-switch', nowMs)), 80);
      await new SiteExpect(site).toCountOneGapWhileMoving('cms-primary');
      expect(site.evidence.toJSON().assertions.at(-1)!.text).to.contain('counted 1 gap(s) after the fault');
    });

    it('fails when no gap is counted within the event period after the move', async () => {
      const site = new FakeSite().fault('stop', 'cm', 0);
      site.add(site.make.link('cms-primary', 18_000, 'DATA_TRANSFER', 'ess', 6, 2));
      expect(await failure(new SiteExpect(site).toCountOneGapWhileMoving('cms-primary'))).to.contain(
        'cms-primary counted no data gap after the fault; expected one for the 18.0 s without data',
      );
    });
  });
});

describe('ACD link expectations: back after a heal, a gap that must exist', () => {
  const healed = (backMs: number) => {
    const site = new FakeSite().fault('cut', 'acd-primary', 0);
    site.add(site.make.link('cms-primary', 1, 'CONNECTING'));
    site.lastHeal = { ns: site.at(1000), label: 'acd-primary back', requestMs: 3 };
    site.add(site.make.link('cms-primary', backMs, 'DATA_TRANSFER'));
    return site;
  };

  it('holds a link back in data transfer within one Dual-IP slot and a pump-up of the heal, and fails a later one', async () => {
    const site = healed(2150);
    await new SiteExpect(site).toRestoreAcdLink('cms-primary');
    expect(Math.round(site.evidence.toJSON().measurements[0]!.valueMs)).to.equal(1150);
    expect(await failure(new SiteExpect(healed(4000)).toRestoreAcdLink('cms-primary'))).to.contain(
      'cms-primary back in data transfer with cm 3.000 s after acd-primary back; expected 0.249–1.793 s after acd-primary back (next Dual-IP slot 0 … 1500 + pump-up 250',
    );
  });

  it('holds one gap whose missing is the silence times the rate, and fails one that counts half', async () => {
    const gap = (missing: number) => {
      const site = healed(4000);
      site.add(site.make.gap('cms-primary', 4050, missing, 'cm', 'sequence', 4040));
      return site;
    };
    await new SiteExpect(gap(41)).toCountGap('cms-primary');
    expect(await failure(new SiteExpect(gap(20)).toCountGap('cms-primary'))).to.contain(
      'cms-primary counted 1 gap(s) after acd-primary cut, the first 20 event(s) missing over 4.0 s (sequence); expected one gap of 39 ± 4 event(s)',
    );
  });
});
