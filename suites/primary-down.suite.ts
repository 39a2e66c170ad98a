// primary-down (seed: "Failure scenario: Primary CMS server is down"): the heartbeat shows the primary's failure
// and the secondary becomes ACTIVE by itself, inside the windows computed from the timers.

import { expect, family, isolate, kill, pause, scenario, stop } from '../harness/index.js';

family('primary-down', 'the primary CMS fails and the secondary takes over', () => {
  for (const fault of [kill('cms-primary'), stop('cms-primary'), pause('cms-primary')]) {
    scenario(`makes the secondary ACTIVE within the heartbeat window when the primary is ${fault.words}`, {
      faults: fault,
      async outcome(site) {
        await expect(site).toFailOver();
        await expect(site).toMoveSupervisorTo('cms-secondary');
        await expect(site).toHaveNoAcdGap('cms-secondary');
        await expect(site).toHaveExactlyOneActive('cms-secondary');
      },
    });
  }

  // No fencing (DESIGN §1): the isolated primary runs on, ACTIVE, but nothing reaches it and it loses its ACD link.
  scenario('makes the secondary ACTIVE when the primary is isolated from the network, which then loses its ACD link', {
    faults: isolate('cms-primary'),
    async outcome(site) {
      await expect(site).toFailOver();
      await expect(site).toLoseAcdLink('cms-primary');
      await expect(site).toMoveSupervisorTo('cms-secondary');
      await expect(site).toHaveNoAcdGap('cms-secondary');
      await expect(site).toShowDualActive();
    },
  });

  // A gap's missing events are the silence times the rate (DESIGN §1); a restarted CMS counts its own downtime.
  scenario('counts the restarted primary’s downtime as one data gap of the silence’s length', {
    faults: kill('cms-primary'),
    async outcome(site, [down]) {
      await expect(site).toFailOver();
      await site.heal([down!]);
      await expect(site).toCountGap('cms-primary', { from: down });
      await expect(site).toHoldInvariants();
    },
  });
});
