// flapping (DESIGN §2): the heartbeat path, an ACD link or the primary itself failing and returning again and again.
// The policy applies at each return, no reconnect storm, every alarm raised is cleared, and the site converges after
// the last heal (I4).

import { cut, expect, family, kill, scenario, type SiteChange } from '../harness/index.js';

const FLAPS = 3;

const POLICIES: Array<[SiteChange, string]> = [
  [{ policy: { autoFailback: false, returningPrimary: 'hold-standby' } }, 'hold-standby'],
  [{ policy: { autoFailback: false, returningPrimary: 'stay-active' } }, 'stay-active'],
  [{ policy: { autoFailback: true } }, 'automatic failback'],
];

family('flapping', 'a failure that comes and goes, again and again', () => {
  for (const [site, name] of POLICIES) {
    scenario(`applies the ${name} policy at each return of a flapping heartbeat path, and converges after the last`, {
      site,
      async outcome(site) {
        for (let flap = 1; flap <= FLAPS; flap += 1) {
          const [path] = await site.inject([cut('heartbeat')], 'seeded');
          // The first cut fails over; later ones find the secondary ACTIVE already unless the primary took it back.
          if (flap === 1 || name === 'automatic failback') await expect(site).toFailOver({ from: path });
          await site.heal([path!], { held: 4 });
          await expect(site).toFailBack();
        }
        await expect(site).toHoldInvariants();
      },
    });
  }

  scenario('reconnects a flapping ACD link of the primary at its Dual-IP slots, without a storm, and clears ACD_LINK_DOWN', {
    async outcome(site) {
      for (let flap = 1; flap <= FLAPS; flap += 1) {
        const [link] = await site.inject([cut('acd-primary')], 'seeded');
        await expect(site).toLoseAcdLink('cms-primary', { from: link });
        await site.heal([link!], { held: 1 });
        await expect(site).toRestoreAcdLink('cms-primary');
      }
      await expect(site).toHoldInvariants();
    },
  });

  scenario('fails over and back at each return of a flapping primary (automatic failback)', {
    site: { policy: { autoFailback: true } },
    async outcome(site) {
      for (let flap = 1; flap <= FLAPS; flap += 1) {
        const [primary] = await site.inject([kill('cms-primary')], 'seeded');
        await expect(site).toFailOver({ from: primary });
        await site.heal([primary!], { held: 4 });
        await expect(site).toFailBack();
      }
      await expect(site).toHoldInvariants();
    },
  });
});
