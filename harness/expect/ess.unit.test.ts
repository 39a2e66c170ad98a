// The ESS expectations on synthetic timelines: the return once the CM is back, counted from the heal's request.

import { expect } from 'chai';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('ESS expectations', () => {
  describe('ESS return', () => {
    it('counts a return that came while the heal request was still running: the heal took effect during it', async () => {
      const site = new FakeSite();
      site.lastHeal = { ns: site.at(1000), label: 'cm back', requestMs: 300 };
      site.add(site.make.ess(1200, 'RESETTING', 'ACTIVE'));
      site.timeline.markObserved(site.at(5000));
      await new SiteExpect(site).toReturnEssOnceCmIsBack();
      expect(Math.round(site.evidence.toJSON().measurements[0]!.valueMs)).to.equal(200);
    });
  });
});

describe('ESS expectations: no pre-emptive return', () => {
  const onEssWhenCmBack = () => {
    const site = new FakeSite();
    site.add(site.make.ess(-500, 'ACTIVE', 'NO_SERVICE_TIMING'), site.make.link('cms-primary', -100, 'DATA_TRANSFER', 'ess', 6, 2));
    site.lastHeal = { ns: site.at(1000), label: 'cm back', requestMs: 20 };
    return site;
  };

  it('holds a CMS that stays on the ESS for a Dual-IP cycle and a pump-up after the main CM is back', async () => {
    const site = onEssWhenCmBack();
    await new SiteExpect(site).toStayOnEss('cms-primary');
    expect(site.evidence.toJSON().assertions.at(-1)?.text).to.equal(
      'cms-primary stayed in data transfer with the ESS throughout the observation 10.8 s long after cm back',
    );
  });

  it('fails a CMS that goes back to the main CM while its ESS link is up', async () => {
    const site = onEssWhenCmBack();
    site.add(site.make.link('cms-primary', 3000, 'CONNECTING', 'cm', 1, 3));
    expect(await failure(new SiteExpect(site).toStayOnEss('cms-primary'))).to.contain(
      'cms-primary left the ESS (CONNECTING with cm) 2.0 s after cm back while the ESS was still ACTIVE',
    );
  });
});
