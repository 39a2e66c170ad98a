// partition (DESIGN §1 "Split brain"): the heartbeat and Admin-Sync are cut together, an inter-site partition.
// Neither CMS can learn of the other: only the harness's timeline shows the dual-active window.

import { cut, expect, family, scenario } from '../harness/index.js';

family('partition', 'the heartbeat and Admin-Sync are cut together', () => {
  scenario(
    'makes the secondary ACTIVE after detection, with neither side aware of the dual-active window, and fails back per policy after the heal',
    {
      faults: [cut('heartbeat'), cut('admin-sync')],
      async outcome(site) {
        await expect(site).toFailOver();
        await expect(site).toShowDualActive();
        await expect(site).toNotRaise('DUAL_ACTIVE');
        await site.heal();
        await expect(site).toFailBack();
      },
    },
  );
});
