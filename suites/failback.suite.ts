// failback (DESIGN §1 "Return of the primary and failback"): the primary returns after a failover, by a restart,
// a resume from pause, the end of an isolation or a healed heartbeat path, and the policy decides, the same way
// for every kind of return: automatic failback, or a returning primary that holds STANDBY or stays ACTIVE.

import { cut, expect, family, isolate, kill, pause, scenario, type FaultSpec, type SiteChange } from '../harness/index.js';

const RETURNS: Array<[FaultSpec, string]> = [
  [kill('cms-primary'), 'restarts'],
  [pause('cms-primary'), 'resumes from a pause'],
  [isolate('cms-primary'), 'comes back from an isolation'],
  [cut('heartbeat'), 'is heard again over a healed heartbeat path'],
];

const POLICIES: Array<[SiteChange, string]> = [
  [{ policy: { autoFailback: false, returningPrimary: 'hold-standby' } }, 'keeps the secondary ACTIVE and makes the primary STANDBY'],
  [{ policy: { autoFailback: false, returningPrimary: 'stay-active' } }, 'leaves both ACTIVE and raises DUAL_ACTIVE'],
  [{ policy: { autoFailback: true } }, 'gives the ACTIVE role back to the primary within one heartbeat exchange'],
];

family('failback', 'the primary returns after a failover', () => {
  for (const [change, outcome] of POLICIES) {
    for (const [fault, returns] of RETURNS) {
      scenario(
        `${outcome} when the primary ${returns} (${change.policy?.autoFailback ? 'automatic failback' : change.policy?.returningPrimary})`,
        {
          site: change,
          faults: fault,
          async outcome(site) {
            await expect(site).toFailOver();
            await site.heal();
            await expect(site).toFailBack();
          },
        },
      );
    }
  }

  // The site's own policy, whatever the site file says: what `cmsha validate` compares across two sites.
  scenario('applies the site’s configured failback policy when the primary restarts', {
    faults: kill('cms-primary'),
    async outcome(site) {
      await expect(site).toFailOver();
      await site.heal();
      await expect(site).toFailBack();
    },
  });
});
