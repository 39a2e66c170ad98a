// rolling-upgrade (DESIGN §1 "Versions", §2): each CMS in turn stopped, started on the candidate's image and switched
// over by the operator's procedure, administration going on throughout. Never without an ACTIVE CMS beyond the
// detection window; one data gap per upgraded CMS, as long as its downtime; Admin-Sync across mixed versions as DESIGN
// says; the site ends on the candidate everywhere. In `validate` the candidate is the candidate site's images; in a
// plain run, the site's own (an upgrade to the same software).

import { expect, family, scenario, type Site } from '../harness/index.js';

/** The operator's switchover to `active`, the other STANDBY first. */
async function switchTo(site: Site, active: 'cms-primary' | 'cms-secondary'): Promise<void> {
  const standby = active === 'cms-primary' ? 'cms-secondary' : 'cms-primary';
  await site.operator.setStandby(standby);
  await expect(site).toTakeRole(standby, 'STANDBY');
  await site.operator.setActive(active);
  await expect(site).toTakeRole(active, 'ACTIVE');
  await expect(site).toMoveSupervisorTo(active);
}

family('rolling-upgrade', 'each CMS in turn upgraded to the candidate', () => {
  scenario('upgrades the secondary, switches over, upgrades the primary, and ends on the candidate, never without an ACTIVE CMS', {
    upgrade: true,
    async outcome(site) {
      await expect(site).toApplyAdminChange(await site.operator.adminChange('cms-primary', 'vector 1', 'before the upgrade'));
      const secondary = await site.upgrade('cms-secondary');
      await expect(site).toReconnectAdminSync('cms-primary');
      await expect(site).toCountGap('cms-secondary', { from: secondary });
      await switchTo(site, 'cms-secondary');
      await site.operator.adminChange('cms-secondary', 'vector 2', 'on the upgraded secondary');
      const primary = await site.upgrade('cms-primary');
      // The operator switches back only once the upgraded primary has heard the secondary and holds STANDBY: until
      // then it is waiting, and a secondary made STANDBY under it would make it ACTIVE by itself.
      await expect(site).toRejoinAs('STANDBY');
      await expect(site).toCountGap('cms-primary', { from: primary });
      await expect(site).toApplyEachOnce(site.adminChanges('cms-secondary'));
      await switchTo(site, 'cms-primary');
      for (const node of ['cms-primary', 'cms-secondary'] as const) await expect(site).toRun(node, site.upgradeTarget(node));
      await expect(site).toNotRaise('NO_ACTIVE_CMS');
      await expect(site).toHoldInvariants();
    },
  });

  // Mixed versions: the upgraded secondary runs a newer version than the primary. What it administers while ACTIVE
  // waits on it (ADMIN_SYNC_VERSION), none lost, until the primary is upgraded too; then it drains in order.
  scenario('holds the changes of the upgraded CMS for the older one until it is upgraded too, then drains them in order', {
    upgrade: true,
    async outcome(site) {
      await site.upgrade('cms-secondary', { version: '99.0.0' });
      await switchTo(site, 'cms-secondary');
      await site.operator.adminChange('cms-secondary', 'vector 3', 'on the newer version');
      await site.operator.adminChange('cms-secondary', 'vector 4', 'on the newer version too');
      const changes = site.adminChanges('cms-secondary');
      await expect(site).toHoldForVersion(changes);
      await site.upgrade('cms-primary', { version: '99.0.0' });
      await expect(site).toDrainAdminChanges(changes);
      await expect(site).toRunVersion('cms-primary', '99.0.0');
      await expect(site).toHoldInvariants();
    },
  });
});
