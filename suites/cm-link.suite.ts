// cm-link (seed: "Failure scenario: Communication Manager link is not working"): the primary loses its ACD link,
// the heartbeat keeps answering, the secondary does NOT take over by itself; an operator must.

import { blackhole, cut, expect, family, kill, scenario, type FaultSpec } from '../harness/index.js';

family('cm-link', 'the primary loses its ACD link to the CM', () => {
  const losses: Array<[FaultSpec, string]> = [
    [cut('acd-primary'), 'cut (reset)'],
    [blackhole('acd-primary'), 'silent (blackholed)'],
  ];
  for (const [fault, how] of losses) {
    scenario(`leaves the secondary STANDBY when the ACD link of the primary is ${how}, until the operator switches`, {
      faults: fault,
      async outcome(site) {
        await expect(site).toLoseAcdLink('cms-primary');
        await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' });
        await expect(site).toKeepAnsweringHeartbeats();
        await expect(site).toKeepAcdLink('cms-secondary');
        // The manual procedure of the seed: set the primary standby, then the secondary active.
        await site.operator.setStandby('cms-primary');
        await expect(site).toTakeRole('cms-primary', 'STANDBY');
        await site.operator.setActive('cms-secondary');
        await expect(site).toTakeRole('cms-secondary', 'ACTIVE');
        await expect(site).toMoveSupervisorTo('cms-secondary');
        await expect(site).toHaveExactlyOneActive('cms-secondary');
      },
    });
  }

  scenario('cycles the primary through Dual-IP and tries the ESS at the step computed from the timers', {
    faults: cut('acd-primary'),
    async outcome(site) {
      await expect(site).toTryEssAtItsStep('cms-primary');
    },
  });

  scenario('makes the secondary ACTIVE within the heartbeat window even while its own ACD link is down', {
    before: cut('acd-secondary'),
    faults: kill('cms-primary'),
    async outcome(site) {
      await expect(site).toFailOver();
      await expect(site).toShowAcdLinkDown('cms-secondary');
      await expect(site).toMoveSupervisorTo('cms-secondary');
      await expect(site).toHaveExactlyOneActive('cms-secondary');
    },
  });
});
