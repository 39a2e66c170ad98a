// always-active (DESIGN §1 "Always an ACTIVE CMS", "One policy for every return", "An operator's command wins"): a
// running site never settles with no ACTIVE CMS. A STANDBY primary watches the ACTIVE secondary and takes the role
// back when its heartbeats stop; without automatic failover a CMS says so with NO_ACTIVE_CMS.

import { expect, family, kill, scenario } from '../harness/index.js';

family('always-active', 'the site never settles with no ACTIVE CMS', () => {
  scenario('lets the STANDBY primary take the ACTIVE role back when the secondary dies after a hold-standby return', {
    site: { policy: { autoFailback: false, returningPrimary: 'hold-standby' } },
    faults: kill('cms-primary'),
    async outcome(site, [primaryKill]) {
      await expect(site).toFailOver();
      await site.heal([primaryKill!]);
      await expect(site).toFailBack();
      const [secondaryKill] = await site.inject([kill('cms-secondary')], 'seeded');
      await expect(site).toTakeBackActive({ from: secondaryKill });
      await expect(site).toMoveSupervisorTo('cms-primary', { from: secondaryKill });
      await site.heal([secondaryKill!]);
      await expect(site).toHoldInvariants();
    },
  });

  scenario('lets the STANDBY primary take the role back when the secondary dies after a planned switchover', {
    async outcome(site) {
      await site.operator.setStandby('cms-primary');
      await site.operator.setActive('cms-secondary');
      await expect(site).toTakeRole('cms-secondary', 'ACTIVE');
      const [secondaryKill] = await site.inject([kill('cms-secondary')], 'seeded');
      await expect(site).toTakeBackActive({ from: secondaryKill });
      await site.heal([secondaryKill!]);
      await expect(site).toHoldInvariants();
    },
  });

  scenario('raises NO_ACTIVE_CMS on the secondary when the primary dies and automatic failover is off', {
    site: { policy: { autoFailover: false } },
    faults: kill('cms-primary'),
    async outcome(site) {
      await expect(site).toRaiseNoActive('cms-secondary');
      await expect(site).toKeepRoles({ 'cms-secondary': 'STANDBY' });
      await site.heal();
      await expect(site).toHoldInvariants();
    },
  });

  scenario('applies the return policy to a secondary the operator made ACTIVE while the primary was lost (automatic failback)', {
    site: { policy: { autoFailover: false, autoFailback: true } },
    faults: kill('cms-primary'),
    async outcome(site) {
      await expect(site).toRaiseNoActive('cms-secondary');
      await site.operator.setActive('cms-secondary');
      await expect(site).toTakeRole('cms-secondary', 'ACTIVE');
      await site.heal();
      await expect(site).toFailBack();
      await expect(site).toHoldInvariants();
    },
  });

  // The operator's set-standby on the primary lands while the automatic failback is handing over (a WAN makes the
  // exchange last): the failback is cancelled and the secondary stays ACTIVE.
  scenario('lets the operator’s set-standby on the primary win over an automatic failback in flight', {
    site: { policy: { autoFailback: true }, wan: { heartbeat: { latencyMs: 1_500, jitterMs: 0, bandwidthKBps: null } } },
    schedule: [
      { fault: 'f1', kind: 'kill', target: 'cms-primary', at: { phase: 0.3 } },
      { heal: 'f1', at: { event: 'failover', withinCycles: 6 } },
      { operator: 'set-standby', node: 'cms-primary', at: { event: 'failback-handover', withinCycles: 6 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
      await expect(site).toHaveExactlyOneActive('cms-secondary');
    },
  });
});
