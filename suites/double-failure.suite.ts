// double-failure: the main CM and the secondary CMS fail together. The primary has nobody to hand over to and stays
// ACTIVE; it loses its CM, cycles through Dual-IP and reaches the ESS when the ESS takes over.

import { expect, family, kill, scenario, stop } from '../harness/index.js';

family('double-failure', 'the main CM and the secondary CMS fail together', () => {
  scenario('keeps the primary ACTIVE and moves it to the ESS at the computed Dual-IP step', {
    faults: [stop('cm'), kill('cms-secondary')],
    async outcome(site) {
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE' });
      const essActive = await expect(site).toActivateEss();
      await expect(site).toMoveToEss('cms-primary', essActive);
      await expect(site).toHaveExactlyOneActive('cms-primary');
      await expect(site).toNeverLinkBoth();
    },
  });
});
