// basic-ha (seed: "Standard operation: Basic CMS HA setup"): the sunny day. Both CMS take the ACD feed from the
// main CM, the primary is ACTIVE, the secondary STANDBY and heartbeats it every heartbeatIntervalMs.

import { expect, family, scenario } from '../harness/index.js';

family('basic-ha', 'standard operation', () => {
  scenario('keeps the primary ACTIVE and the secondary STANDBY, both in data transfer with the main CM', {
    async outcome(site) {
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' });
      await expect(site).toKeepAcdLink('cms-primary');
      await expect(site).toKeepAcdLink('cms-secondary');
      await expect(site).toHaveExactlyOneActive('cms-primary');
      await expect(site).toHaveNoDualActive();
    },
  });

  scenario('sends the heartbeat at the configured period, and the primary answers every one', {
    async outcome(site) {
      await expect(site).toBeatAtThePeriod();
      await expect(site).toKeepAnsweringHeartbeats();
    },
  });

  scenario('delivers the same ACD data stream to both CMS without a gap', {
    async outcome(site) {
      await expect(site).toFeedBothCmsTheSameData();
      await expect(site).toHaveNoAcdGap('cms-primary');
      await expect(site).toHaveNoAcdGap('cms-secondary');
    },
  });
});
