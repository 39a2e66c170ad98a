// The failback expectation on synthetic timelines: each policy's outcome on the first heartbeat the primary hears.

import { expect } from 'chai';
import type { StandinEvent } from '../../images/protocol/index.js';
import { withSite } from '../core/site-config.js';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('failback expectations', () => {
  describe('toFailBack', () => {
    const returned = (
      policy: Parameters<typeof withSite>[1]['policy'],
      primary: 'ACTIVE' | 'STANDBY',
      secondaryStandbyMs: number | null,
    ) => {
      const site = new FakeSite({ policy });
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 1000, 'ACTIVE', 'STANDBY'));
      site.lastHeal = { ns: site.at(5000), label: 'the heal', requestMs: 0 };
      site.add(site.make.received(5600, 9, 'ACTIVE', true));
      site.add(site.make.role('cms-primary', 5600, primary, 'ACTIVE'));
      if (secondaryStandbyMs !== null) site.add(site.make.role('cms-secondary', secondaryStandbyMs, 'STANDBY', 'ACTIVE'));
      site.timeline.markObserved(site.at(60_000));
      return site;
    };

    it('holds under hold-standby when the primary goes STANDBY on the first heartbeat it hears', async () => {
      const site = returned({ autoFailback: false, returningPrimary: 'hold-standby' }, 'STANDBY', null);
      expect(await new SiteExpect(site).toFailBack()).to.equal('hold-standby: cms-primary STANDBY, cms-secondary ACTIVE');
    });

    it('holds automatic failback with a handover within one heartbeat exchange, and fails a longer one', async () => {
      await new SiteExpect(returned({ autoFailback: true }, 'ACTIVE', 5602)).toFailBack();
      const message = await failure(new SiteExpect(returned({ autoFailback: true }, 'ACTIVE', 6000)).toFailBack());
      expect(message)
        .to.contain('cms-secondary went STANDBY, ending the handover 400 ms after the first heartbeat the primary heard')
        .and.contain('expected 0–290 ms');
    });

    it('times the handover from the next heartbeat when the primary took the role back on one the secondary had missed', async () => {
      // A paused primary reads on its resume a beat the secondary already gave up on: the demand rides on the next.
      const stale = (standbyMs: number) => {
        const site = returned({ autoFailback: true }, 'ACTIVE', standbyMs);
        site.add({ ...(site.make.heartbeat('cms-secondary', 5000, 'sent', 9) as object), lateMs: 0 } as StandinEvent);
        site.add(site.make.heartbeat('cms-secondary', 5250, 'missed', 9, 4));
        site.add({ ...(site.make.heartbeat('cms-secondary', 6000, 'sent', 10) as object), lateMs: 0 } as StandinEvent);
        return new SiteExpect(site).toFailBack();
      };
      await stale(6002);
      expect(await failure(stale(6400))).to.contain('ending the handover 400 ms after the next heartbeat (beat 10)');
    });

    it('fails a site whose primary stays ACTIVE when the policy says hold STANDBY', async () => {
      const message = await failure(
        new SiteExpect(returned({ autoFailback: false, returningPrimary: 'hold-standby' }, 'ACTIVE', null)).toFailBack(),
      );
      expect(message).to.contain('cms-primary was ACTIVE').and.contain('expected STANDBY');
    });
  });
});
