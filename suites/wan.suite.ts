// wan (seed: the two CMS are in different data centres): the links between them (heartbeat, Admin-Sync, and the
// CM link of the secondary, remote from the CM) carry a latency with jitter as the site's normal condition. The
// outcomes of the faults are unchanged and every window includes the WAN delay.

import { blackhole, expect, family, kill, scenario, type SiteChange } from '../harness/index.js';

/** Real-time values: the run's time scale shrinks them with the timers. */
const TWO_DATA_CENTRES: SiteChange = {
  wan: {
    heartbeat: { latencyMs: 1_000, jitterMs: 200, bandwidthKBps: null },
    'admin-sync': { latencyMs: 1_000, jitterMs: 200, bandwidthKBps: null },
    'acd-secondary': { latencyMs: 1_000, jitterMs: 200, bandwidthKBps: null },
  },
};

family('wan', 'the site spans two data centres', () => {
  scenario('keeps the roles and every heartbeat answered across the WAN', {
    site: TWO_DATA_CENTRES,
    async outcome(site) {
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' });
      await expect(site).toKeepAnsweringHeartbeats();
      await expect(site).toKeepAcdLink('cms-secondary');
    },
  });

  scenario('makes the secondary ACTIVE within the heartbeat window across the WAN when the primary is killed', {
    site: TWO_DATA_CENTRES,
    faults: kill('cms-primary'),
    async outcome(site) {
      await expect(site).toFailOver();
      await expect(site).toMoveSupervisorTo('cms-secondary');
      await expect(site).toHaveExactlyOneActive('cms-secondary');
    },
  });

  scenario('pushes an administration change across the WAN within the lag its delay allows', {
    site: TWO_DATA_CENTRES,
    async outcome(site) {
      const change = await site.operator.adminChange('cms-primary', 'skill 3 objective 15 s');
      await expect(site).toApplyAdminChange(change);
    },
  });

  scenario('detects the silent loss of the remote CMS’s ACD link by keep-alive silence across the WAN', {
    site: TWO_DATA_CENTRES,
    faults: blackhole('acd-secondary'),
    async outcome(site) {
      await expect(site).toLoseAcdLink('cms-secondary');
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' });
    },
  });
});
