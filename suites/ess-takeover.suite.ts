// ess-takeover (seed: the Dual-IP setup, and Avaya's ESS behaviour): the main CM is lost; the CMS cycle through
// Dual-IP; the ESS goes ACTIVE after its No-Service timeout and the CMS reach it at the computed cycle step.

import { cut, expect, family, scenario, stop } from '../harness/index.js';

family('ess-takeover', 'the main CM is lost', () => {
  scenario(
    'makes the ESS ACTIVE after the no-service timeout, moves both CMS to it at the computed Dual-IP step and back to the CM after a forced takeover',
    {
      faults: stop('cm'),
      async outcome(site) {
        const essActive = await expect(site).toActivateEss();
        await expect(site).toMoveToEss('cms-primary', essActive);
        await expect(site).toMoveToEss('cms-secondary', essActive);
        await expect(site).toCountOneGapWhileMoving('cms-primary');
        await expect(site).toCountOneGapWhileMoving('cms-secondary');
        // The main CM comes back; the ESS stays ACTIVE (no pre-emptive return) until the CM forces a takeover.
        await site.heal();
        await expect(site).toShowEss('ACTIVE', { serving: ['cms-primary', 'cms-secondary'] });
        await site.operator.forcedTakeover();
        await expect(site).toReturnToCm('cms-primary');
        await expect(site).toReturnToCm('cms-secondary');
        await expect(site).toResetEss();
        await expect(site).toNeverLinkBoth();
      },
    },
  );

  scenario('returns the ESS on its schedule only once the main CM is reachable again', {
    site: { policy: { essAutoReturnMs: 60_000 } },
    faults: stop('cm'),
    async outcome(site) {
      const essActive = await expect(site).toActivateEss();
      await expect(site).toKeepEssActivePastItsSchedule(essActive);
      await site.heal();
      await expect(site).toReturnEssOnceCmIsBack();
      await expect(site).toReturnToCm('cms-primary');
      await expect(site).toNeverLinkBoth();
    },
  });

  // Switch control (DESIGN §1): the main CM back while the ESS is in control stays out of control, so a CMS whose ESS
  // link drops goes back to the ESS, and the two CMS are never fed by two switches.
  scenario('keeps the main CM out of control when it comes back while the ESS is ACTIVE, so no CMS is split from the other', {
    faults: stop('cm'),
    async outcome(site, [cmStop]) {
      const essActive = await expect(site).toActivateEss();
      await expect(site).toMoveToEss('cms-primary', essActive);
      await expect(site).toMoveToEss('cms-secondary', essActive);
      await site.heal([cmStop!]);
      await expect(site).toStayOnEss('cms-primary');
      const [essLink] = await site.inject([cut('acd-secondary-ess')], 'seeded');
      await expect(site).toLoseAcdLink('cms-secondary', { from: essLink });
      await site.heal([essLink!], { held: 2 });
      await expect(site).toNeverLinkBoth();
      await expect(site).toHoldInvariants();
    },
  });
});
