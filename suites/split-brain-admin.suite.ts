// split-brain-admin (DESIGN §1 "Conflicts", §2): the two CMS cannot hear each other, both are ACTIVE, and the same
// object is administered on both. Once they hear each other again ADMIN_SYNC_CONFLICT is raised on both, both hold
// the value of the CMS that is ACTIVE after the return, and the losing value is kept in the conflict record.

import { cut, expect, family, scenario } from '../harness/index.js';

family('split-brain-admin', 'the same object administered on both sides of a split brain', () => {
  for (const [policy, winner] of [
    [{ autoFailback: false, returningPrimary: 'hold-standby' }, 'cms-secondary'],
    [{ autoFailback: true }, 'cms-primary'],
  ] as const) {
    scenario(`converges on the value of the CMS that is ACTIVE after the return (${winner}) and records the other`, {
      site: { policy },
      faults: [cut('heartbeat'), cut('admin-sync')],
      async outcome(site) {
        await expect(site).toFailOver();
        const onPrimary = await site.operator.adminChange('cms-primary', 'vdn 4001', 'skill 1 on the primary');
        const onSecondary = await site.operator.adminChange('cms-secondary', 'vdn 4001', 'skill 2 on the secondary');
        await expect(site).toHoldAdminChanges([onPrimary]);
        await site.heal();
        const [value, lost] =
          winner === 'cms-primary'
            ? ['skill 1 on the primary', 'skill 2 on the secondary']
            : ['skill 2 on the secondary', 'skill 1 on the primary'];
        await expect(site).toResolveConflict('vdn 4001', { winner, value, lost });
        await expect(site).toApplyEachOnce([onPrimary, onSecondary]);
        await expect(site).toHoldInvariants();
      },
    });
  }
});
