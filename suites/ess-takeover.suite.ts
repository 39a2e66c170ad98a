// ess-takeover (seed: the Dual-IP setup, and Avaya's ESS behaviour): the main CM is lost; the CMS cycle through
// Dual-IP; the ESS goes ACTIVE after its No-Service timeout and the CMS reach it at the computed cycle step.

import * as chai from 'chai';
import { cmshaChai, cmsReachesEss, essTakeover, notYet, sitePerTest, waitFor, type CmsName } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

describe('ess-takeover: the main CM is stopped', function () {
  const fixture = sitePerTest({ scenario: 'ess-takeover' });

  it('makes the ESS ACTIVE after the no-service timeout, moves both CMS to it at the computed Dual-IP step, and back to the CM after a forced takeover', async () => {
    const { site } = fixture;
    const fault = await site.topology.nodes.stop('cm', 1);
    const essWindow = site.window('ESS takeover', essTakeover(site.windows, 'closed'), {
      anchorNs: fault.appliedNs,
      anchorLabel: 'cm stopped',
      description: 'the ESS becomes ACTIVE after the No-Service timeout',
    });
    const reach = cmsReachesEss(site.windows, { cycleStartOffsetMs: 0, detectMs: 'closed' });
    const reachWindow = site.window(`CMS reaches the ESS (cycle ${reach.cycle}, attempt ${reach.attempt})`, reach, {
      anchorNs: fault.appliedNs,
      anchorLabel: 'cm stopped',
      description: 'a CMS is in data transfer with the ESS',
    });
    const cmsNodes: CmsName[] = ['cms-primary', 'cms-secondary'];
    for (const node of cmsNodes) {
      await site.timeline
        .waitFor(
          (e) =>
            e.node === node &&
            e.type === 'acd-link' &&
            e.target === 'ess' &&
            e.state === 'DATA_TRANSFER' &&
            BigInt(e.atNs) >= fault.appliedNs,
          {
            deadlineMs: reachWindow.toMs + 2_000,
            anchorNs: fault.appliedNs,
            label: `${node} in data transfer with the ESS`,
          },
        )
        .catch(() => undefined);
    }
    expect(site.timeline).to.showEvent({ node: 'ess', type: 'ess', state: 'ACTIVE' }, 'the ESS went ACTIVE').within(essWindow);
    for (const node of cmsNodes) {
      expect(site.timeline)
        .to.showEvent(
          (e) => e.node === node && e.type === 'acd-link' && e.target === 'ess' && e.state === 'DATA_TRANSFER',
          `${node} in data transfer with the ESS`,
        )
        .within(reachWindow);
    }
    // Both CMS are now served by the ESS (a CMS has one ACD link at a time: never linked to cm and ess at once).
    const onEss = (await site.status('ess')).linkedCms ?? [];
    expect(onEss.sort()).to.deep.equal(['cms-primary', 'cms-secondary']);

    // The main CM comes back; the ESS stays ACTIVE (no pre-emptive return) until the CM forces a takeover.
    await fault.remove(); // the main CM runs again and has begun
    const restored = process.hrtime.bigint();
    await site.timeline
      .waitFor((e) => e.node === 'cm' && e.type === 'started' && BigInt(e.atNs) >= restored - 5_000_000_000n, {
        deadlineMs: 10_000,
        label: 'cm started again',
      })
      .catch(() => undefined);
    expect((await site.status('ess')).ess?.state, 'ESS state once the main CM is back, before the forced takeover').to.equal('ACTIVE');
    // The order goes over ess-cm, so the ESS must have registered with the restarted CM (it redials every keepalive period).
    await waitFor(
      () =>
        site.observer.control('cm', { action: 'forced-takeover' }).then(
          () => true,
          (e: Error) => notYet(e.message),
        ),
      {
        deadlineMs: 3 * site.timers.keepaliveIntervalMs + 5_000,
        label: 'the main CM to accept the forced takeover (ESS registered again)',
      },
    );
    const takeoverNs = process.hrtime.bigint();
    for (const node of cmsNodes) {
      await site.timeline.waitFor(
        (e) => e.node === node && e.type === 'acd-link' && e.target === 'cm' && e.state === 'DATA_TRANSFER' && BigInt(e.atNs) >= takeoverNs,
        {
          deadlineMs: site.timers.mainAttempts * site.timers.linkRetryMs + site.timers.pumpupMs + 5_000,
          label: `${node} back in data transfer with the main CM`,
        },
      );
    }
    await site.timeline.waitFor((e) => e.node === 'ess' && e.type === 'ess' && e.state === 'STANDBY' && BigInt(e.atNs) >= takeoverNs, {
      deadlineMs: site.timers.essResetMs + 5_000,
      label: 'the ESS back in STANDBY after resetting',
    });
    const cm = await site.status('cm');
    expect((cm.linkedCms ?? []).sort()).to.deep.equal(['cms-primary', 'cms-secondary']);
  });
});
