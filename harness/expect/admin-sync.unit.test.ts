// The Admin-Sync expectations on synthetic timelines: held changes drained in order, none applied twice.

import { expect } from 'chai';
import type { CmsName } from '../../images/protocol/index.js';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('Admin-Sync expectations', () => {
  describe('Admin-Sync', () => {
    const change = (site: FakeSite, seq: number, ms: number) => ({ origin: 'cms-primary' as CmsName, seq, changedNs: site.at(ms) });

    it('drains held changes at once when the link is back, in order, and fails a change applied twice', async () => {
      const site = new FakeSite();
      const changes = [change(site, 1, 100), change(site, 2, 200)];
      site.lastHeal = { ns: site.at(1000), label: 'the heal', requestMs: 0 };
      site.add(
        site.make.adminLink('cms-primary', 1300, true, 'cms-secondary'),
        site.make.admin('cms-secondary', 1302, 'applied', 'cms-primary', 1),
        site.make.admin('cms-secondary', 1303, 'applied', 'cms-primary', 2),
        site.make.alarm('cms-primary', 1304, 'ADMIN_SYNC_LAG', false),
      );
      await new SiteExpect(site).toDrainAdminChanges(changes);
      site.add(site.make.admin('cms-secondary', 1400, 'applied', 'cms-primary', 1));
      expect(await failure(new SiteExpect(site).toApplyEachOnce(changes))).to.contain(
        'change 1 of cms-primary was applied 2 time(s) on cms-secondary; expected once',
      );
    });

    it('gives each held change of a long queue its place in the in-order drain, and fails one applied later than that', async () => {
      // Twelve changes applied 4 ms apart, as a peer on a busy host writes each to disk before the next: the last
      // comes 48 ms after the link, past a drain that would give every change the same bound.
      const drainOf = async (lastMs: number) => {
        const site = new FakeSite();
        const changes = Array.from({ length: 12 }, (_, i) => change(site, i + 1, 100 + i));
        site.lastHeal = { ns: site.at(1000), label: 'the heal', requestMs: 0 };
        site.add(site.make.adminLink('cms-primary', 1300, true, 'cms-secondary'));
        for (const c of changes)
          site.add(site.make.admin('cms-secondary', c.seq === 12 ? 1300 + lastMs : 1300 + 4 * c.seq, 'applied', 'cms-primary', c.seq));
        site.add(site.make.alarm('cms-primary', 1300 + lastMs + 1, 'ADMIN_SYNC_LAG', false));
        await new SiteExpect(site).toDrainAdminChanges(changes);
        return site;
      };
      // Each place keeps its own window in the evidence, so the report shows the bound each change was judged by.
      const drains = (await drainOf(48)).evidence.toJSON().windows.filter((w) => w.name.startsWith('Admin-Sync drain'));
      expect(drains.map((w) => [w.name, w.toMs])).to.deep.include.members([
        ['Admin-Sync drain, place 1', 5 + 40],
        ['Admin-Sync drain, place 12', 60 + 40],
      ]);
      expect(drains).to.have.length(12);
      expect(await failure(drainOf(12 * 5 + 40 + 2))).to.match(
        /held change 12 applied on cms-secondary 102 ms after the admin-sync link came back up; expected/,
      );
    });
  });
});
