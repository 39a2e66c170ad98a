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

  // Dual-IP spacing (DESIGN §1): a link dropped during pump-up counts as an attempt; the next waits its slot.
  scenario('counts a link dropped during pump-up as an attempt, the next one waiting its slot (no reconnect storm)', {
    schedule: [
      { fault: 'f1', kind: 'cut', target: 'acd-primary', at: { phase: 0.6 } },
      { wait: { cycles: 1 } },
      { heal: 'f1', at: { phase: 0 } },
      { fault: 'f2', kind: 'cut', target: 'acd-primary', at: { event: 'pumpup', node: 'cms-primary', withinCycles: 6 } },
      { wait: { cycles: 3.5 } },
      { heal: 'f2', at: { phase: 0 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  scenario('raises ACD_LINK_DOWN on a primary that restarts while its CM link is cut and never reaches data transfer', {
    before: cut('acd-primary'),
    async outcome(site) {
      await site.restart('cms-primary');
      await expect(site).toRaiseAcdLinkDown('cms-primary');
      await site.heal();
      await expect(site).toRestoreAcdLink('cms-primary');
      await expect(site).toHoldInvariants();
    },
  });
});
