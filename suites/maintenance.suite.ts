// maintenance (DESIGN §2): a planned switchover by the operator and back, in both orders of the two commands. No ACD
// gap on the ACTIVE CMS; the supervisor follows each switch; Admin-Sync flows from the CMS that is ACTIVE; both CMS
// ACTIVE only between the two commands.

import { expect, family, scenario, type Site } from '../harness/index.js';

type Order = 'standby first' | 'active first';

/** The operator's procedure: the two commands in the given order, each seen to take effect. */
async function switchTo(site: Site, active: 'cms-primary' | 'cms-secondary', order: Order): Promise<void> {
  const standby = active === 'cms-primary' ? 'cms-secondary' : 'cms-primary';
  const steps: Array<() => Promise<void>> = [
    async () => {
      await site.operator.setStandby(standby);
      await expect(site).toTakeRole(standby, 'STANDBY');
    },
    async () => {
      await site.operator.setActive(active);
      await expect(site).toTakeRole(active, 'ACTIVE');
    },
  ];
  if (order === 'active first') steps.reverse();
  for (const step of steps) await step();
}

family('maintenance', 'a planned switchover by the operator, and back', () => {
  for (const order of ['standby first', 'active first'] as const) {
    scenario(`switches to the secondary and back (${order}), the supervisor and Admin-Sync following, no data gap`, {
      async outcome(site) {
        await switchTo(site, 'cms-secondary', order);
        await expect(site).toMoveSupervisorTo('cms-secondary');
        await expect(site).toApplyAdminChange(await site.operator.adminChange('cms-secondary', 'vector 12', 'during maintenance'));
        await switchTo(site, 'cms-primary', order);
        await expect(site).toMoveSupervisorTo('cms-primary');
        await expect(site).toApplyAdminChange(await site.operator.adminChange('cms-primary', 'vector 12', 'after maintenance'));
        await expect(site).toHaveNoAcdGap('cms-primary');
        await expect(site).toHaveNoAcdGap('cms-secondary');
        await expect(site).toKeepDualActiveBetweenCommands();
        await expect(site).toNotRaise('NO_ACTIVE_CMS');
        await expect(site).toHoldInvariants();
      },
    });
  }
});
