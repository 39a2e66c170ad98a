// dual-ip (seed: "Standard operation: Dual-IP setup"): with an ESS configured, both CMS are linked to the main
// CM and not to the ESS, the ESS stays in STANDBY, and Admin-Sync pushes changes to the secondary in real time.

import * as chai from 'chai';
import { adminSyncLag, cmshaChai, sitePerTest } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

describe('dual-ip: standard operation with an ESS', function () {
  const fixture = sitePerTest({ scenario: 'dual-ip' });

  it('links both CMS to the main CM and neither to the ESS, which stays in STANDBY', async () => {
    const { site } = fixture;
    await site.observeFor(3 * site.timers.keepaliveIntervalMs, 'the Dual-IP site on a sunny day');
    const [cm, ess] = await Promise.all([site.status('cm'), site.status('ess')]);
    expect((cm.linkedCms ?? []).sort()).to.deep.equal(['cms-primary', 'cms-secondary']);
    expect(ess.linkedCms ?? []).to.deep.equal([]);
    expect(ess.ess?.state).to.equal('STANDBY');
    const toEss = site.timeline.events((e) => e.type === 'acd-link' && e.target === 'ess' && e.state === 'DATA_TRANSFER');
    expect(toEss, 'ACD links in data transfer with the ESS').to.have.length(0);
  });

  it('pushes an administration change from the primary to the secondary within the Admin-Sync budget', async () => {
    const { site } = fixture;
    const { seq, window } = await site.pushAdminChange(
      'skill 12 objective 20 s',
      'admin-sync budget',
      adminSyncLag(site.windows, { latencyMs: 0, jitterMs: 0 }),
    );
    expect(site.timeline)
      .to.showEvent({ node: 'cms-secondary', type: 'admin', action: 'applied', changeSeq: seq }, `change ${seq} applied on cms-secondary`)
      .within(window);
  });
});
