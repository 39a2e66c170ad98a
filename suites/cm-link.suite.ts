// cm-link (seed: "Failure scenario: Communication Manager link is not working"): the primary loses its ACD
// link, the heartbeat keeps answering, the secondary does NOT take over by itself; an operator must.

import * as chai from 'chai';
import { cmshaChai, primaryDownDetection, silentLinkDetection, sitePerTest, type FaultHandle, type Site } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

async function assertNoAutomaticFailoverThenManual(site: Site, fault: FaultHandle): Promise<void> {
  // Watch for twice the longest time an automatic failover could take: if the secondary were going to react, it would.
  const observationMs = 2 * primaryDownDetection(site.windows).toMs;
  const span = await site.observeFor(observationMs, 'the observation window after the ACD link failure');
  const observed = site.timeline.span(BigInt(fault.record.appliedNs), span.toNs, {
    label: 'observation after the link failure',
    anchorLabel: 'acd-primary failed',
  });
  expect(site.timeline).to.keepRole('cms-secondary', 'STANDBY').throughout(observed);
  const answered = site.timeline.events(
    (e) =>
      e.node === 'cms-secondary' && e.type === 'heartbeat' && e.outcome === 'answered' && BigInt(e.atNs) > BigInt(fault.record.appliedNs),
  );
  expect(answered.length, 'heartbeats answered while the ACD link is down').to.be.at.least(site.timers.heartbeatMisses);

  // The manual procedure of the seed: set the primary standby, then the secondary active.
  await site.observer.control('cms-primary', { action: 'set-standby' });
  const manualNs = process.hrtime.bigint();
  await site.observer.control('cms-secondary', { action: 'set-active' });
  await site.waitForRole('cms-secondary', 'ACTIVE', { afterNs: manualNs, deadlineMs: 5_000 });
  await site.observeFor(site.timers.heartbeatIntervalMs, 'the site after the manual procedure');
  expect(site.timeline).to.exactlyOneActive();
  expect((await site.status('cms-secondary')).role).to.equal('ACTIVE');
}

describe('cm-link: the primary loses its ACD link to the CM', function () {
  const fixture = sitePerTest({ scenario: 'cm-link' });

  it('leaves the secondary STANDBY when the ACD link of the primary is cut (reset), until the operator switches', async () => {
    const { site } = fixture;
    const fault = await site.topology.links.cut('acd-primary');
    await site.timeline.waitFor(
      (e) => e.node === 'cms-primary' && e.type === 'acd-link' && e.state === 'CONNECTING' && BigInt(e.atNs) >= fault.appliedNs,
      {
        deadlineMs: 5_000,
        label: 'cms-primary to show the loss of its ACD link',
      },
    );
    expect(site.timeline)
      .to.showEvent((e) => e.node === 'cms-primary' && e.type === 'acd-link' && e.state === 'CONNECTING', 'cms-primary lost its ACD link')
      .within(
        site.window(
          'reset detection',
          { fromMs: 0, toMs: 250, derivation: 'a reset is seen at once; ±250 ms tolerance' },
          { anchorNs: fault.appliedNs, anchorLabel: 'acd-primary cut' },
        ),
      );
    await assertNoAutomaticFailoverThenManual(site, fault);
  });

  it('detects a silent (blackholed) ACD link by keep-alive silence and leaves the secondary STANDBY until the operator switches', async () => {
    const { site } = fixture;
    const fault = await site.topology.links.blackhole('acd-primary');
    const window = site.window('silent-link detection', silentLinkDetection(site.windows), {
      anchorNs: fault.appliedNs,
      anchorLabel: 'acd-primary blackholed',
      description: 'the primary declares its silent ACD link lost',
    });
    await site.timeline
      .waitFor((e) => e.node === 'cms-primary' && e.type === 'acd-link' && e.state === 'CONNECTING' && BigInt(e.atNs) >= fault.appliedNs, {
        deadlineMs: window.toMs + 1_000,
        anchorNs: fault.appliedNs,
        label: 'cms-primary to declare the silent link lost',
      })
      .catch(() => undefined);
    expect(site.timeline)
      .to.showEvent(
        (e) => e.node === 'cms-primary' && e.type === 'acd-link' && e.state === 'CONNECTING',
        'cms-primary declared its ACD link lost',
      )
      .within(window);
    await assertNoAutomaticFailoverThenManual(site, fault);
  });
});
