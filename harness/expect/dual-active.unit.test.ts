// The dual-active expectations on synthetic timelines: stretches measured once over, returned to the scenario.

import { expect } from 'chai';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('dual-active expectations', () => {
  describe('dual-active window', () => {
    it('measures a dual-active stretch once it is over, when the test ends, and not one still open then', async () => {
      const site = new FakeSite().fault('cut', 'heartbeat', 0);
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'));
      site.timeline.markObserved(site.at(4000));
      await new SiteExpect(site).toShowDualActive();
      expect(site.evidence.toJSON().assertions.at(-1)?.text).to.match(/both ACTIVE from .*, still so when checked/);
      expect(site.evidence.toJSON().measurements, 'nothing measured while it lasts').to.have.length(0);
      site.add(site.make.role('cms-primary', 5500, 'STANDBY', 'ACTIVE'), site.make.role('cms-primary', 9000, 'ACTIVE', 'STANDBY'));
      site.evidence.finish();
      const spans = site.evidence.toJSON().measurements.filter((m) => m.name === 'dual-active span');
      expect(
        spans.map((m) => Math.round(m.valueMs)),
        'the closed stretch only; the one from 9 s is still open',
      ).to.deep.equal([2500]);
    });
  });
});

describe('dual-active expectations: stretches and the alarm cleared', () => {
  it('returns the stretches after the fault, for a scenario to count or bound', async () => {
    const site = new FakeSite().fault('cut', 'heartbeat', 0).sunnyDay();
    site.add(
      site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'),
      site.make.role('cms-primary', 5500, 'STANDBY', 'ACTIVE'),
      site.make.role('cms-primary', 9000, 'ACTIVE', 'STANDBY'),
    );
    const stretches = await new SiteExpect(site).toShowDualActive();
    expect(stretches).to.deep.equal([
      { fromNs: site.at(3000), toNs: site.at(5500), lengthMs: 2500 },
      { fromNs: site.at(9000), toNs: null, lengthMs: null },
    ]);
  });

  const raisedThenStandby = (standby: 'cms-primary' | 'cms-secondary', clearedMs: number) => {
    const site = new FakeSite().sunnyDay();
    site.add(
      site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'),
      site.make.alarm('cms-secondary', 4000, 'DUAL_ACTIVE'),
      site.make.role(standby, 6000, 'STANDBY', 'ACTIVE'),
      site.make.alarm('cms-secondary', clearedMs, 'DUAL_ACTIVE', false),
    );
    return site;
  };

  it('holds DUAL_ACTIVE cleared at once on the CMS that went STANDBY, and within a heartbeat exchange on its peer', async () => {
    await new SiteExpect(raisedThenStandby('cms-secondary', 6000)).toClearDualActive('cms-secondary');
    const site = raisedThenStandby('cms-primary', 7000);
    await new SiteExpect(site).toClearDualActive('cms-secondary');
    expect(site.evidence.toJSON().windows.at(-1)).to.include({ name: 'DUAL_ACTIVE cleared', anchorLabel: 'cms-primary went STANDBY' });
  });

  it('fails DUAL_ACTIVE cleared later than a heartbeat exchange after one CMS went STANDBY, naming the window', async () => {
    const message = await failure(new SiteExpect(raisedThenStandby('cms-primary', 8000)).toClearDualActive('cms-secondary'));
    expect(message).to.match(
      /^cms-secondary cleared DUAL_ACTIVE 2\.0\d* s after cms-primary went STANDBY; expected 0\.0+–1\.29\d* s after/,
    );
  });
});
