// dual-ip (seed: "Standard operation: Dual-IP setup"): with an ESS configured, both CMS are linked to the main CM
// and not to the ESS, the ESS stays in STANDBY, and Admin-Sync pushes changes to the secondary in real time.

import { expect, family, scenario } from '../harness/index.js';

family('dual-ip', 'standard operation with an ESS', () => {
  scenario('links both CMS to the main CM and neither to the ESS, which stays in STANDBY', {
    async outcome(site) {
      await expect(site).toKeepAcdLink('cms-primary');
      await expect(site).toKeepAcdLink('cms-secondary');
      await expect(site).toShowEss('STANDBY', { serving: [] });
      await expect(site).toNeverLinkBoth();
    },
  });

  scenario('pushes an administration change from the primary to the secondary within the Admin-Sync budget', {
    async outcome(site) {
      const change = await site.operator.adminChange('cms-primary', 'skill 12 objective 20 s');
      await expect(site).toApplyAdminChange(change);
    },
  });
});
