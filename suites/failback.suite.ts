// failback: the primary comes back after a failover. Failback is manual by default: the returning primary
// holds STANDBY (or, if so configured, stays ACTIVE and DUAL_ACTIVE is raised); with autoFailback it takes over.

import * as chai from 'chai';
import { cmshaChai, primaryDownDetection, sitePerTest, type Policy, type Site } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

/** Kills the primary, waits for the failover, brings the primary back; returns when it is back. */
async function failoverAndReturn(site: Site): Promise<bigint> {
  const kill = await site.topology.nodes.kill('cms-primary');
  const window = site.window('primary-down detection', primaryDownDetection(site.windows), {
    anchorNs: kill.appliedNs,
    anchorLabel: 'cms-primary killed',
  });
  await site.waitForRole('cms-secondary', 'ACTIVE', { afterNs: kill.appliedNs, deadlineMs: window.toMs + 1_000 });
  expect(site.timeline).to.showActivation('cms-secondary').within(window);
  return kill.remove(); // resolves once the primary runs again and has begun
}

/** Deadline for the returning primary to decide: its longest wait for a heartbeat (misses·interval + timeout), from the config. */
function decisionDeadlineMs(site: Site): number {
  return site.timers.heartbeatMisses * site.timers.heartbeatIntervalMs + site.timers.heartbeatTimeoutMs + 2_000;
}

function policy(p: Partial<Policy>) {
  return p;
}

describe('failback: manual by default, the returning primary holds STANDBY', function () {
  const fixture = sitePerTest({ scenario: 'failback', policy: policy({ autoFailback: false, returningPrimary: 'hold-standby' }) });

  it('keeps the secondary ACTIVE and makes the returning primary STANDBY', async () => {
    const { site } = fixture;
    const back = await failoverAndReturn(site);
    await site.waitForRole('cms-primary', 'STANDBY', { afterNs: back, deadlineMs: decisionDeadlineMs(site) });
    const span = await site.observeFor(2 * site.timers.heartbeatIntervalMs, 'the site after the primary returned');
    expect(site.timeline).to.keepRole('cms-secondary', 'ACTIVE').throughout(site.timeline.span(back, span.toNs));
    expect(site.timeline).to.exactlyOneActive();
    // The killed primary's last known role (ACTIVE) lasts, on the timeline, until its new life says otherwise;
    // while it was down it was not observable, so only observable stretches count.
    expect(site.timeline).to.haveNoDualActive({ observableOnly: true, span: site.timeline.span(back, span.toNs) });
  });
});

describe('failback: manual, the returning primary configured to stay ACTIVE', function () {
  const fixture = sitePerTest({ scenario: 'failback', policy: policy({ autoFailback: false, returningPrimary: 'stay-active' }) });

  it('raises DUAL_ACTIVE and reports the dual-active window', async () => {
    const { site } = fixture;
    const back = await failoverAndReturn(site);
    await site.timeline.waitFor((e) => e.type === 'alarm' && e.alarm === 'DUAL_ACTIVE' && e.raised && BigInt(e.atNs) >= back, {
      deadlineMs: decisionDeadlineMs(site),
      label: 'a DUAL_ACTIVE alarm after the primary returned',
    });
    await site.observeFor(site.timers.heartbeatIntervalMs, 'the dual-active site');
    expect(site.timeline).to.haveAlarm('cms-primary', 'DUAL_ACTIVE');
    const stretch = expect(site.timeline).to.showDualActive({ observableOnly: true });
    expect(stretch.durationMs).to.be.greaterThan(0);
  });
});

describe('failback: automatic', function () {
  const fixture = sitePerTest({ scenario: 'failback', policy: policy({ autoFailback: true }) });

  it('gives the ACTIVE role back to the returning primary and makes the secondary STANDBY', async () => {
    const { site } = fixture;
    const back = await failoverAndReturn(site);
    await site.waitForRole('cms-secondary', 'STANDBY', { afterNs: back, deadlineMs: decisionDeadlineMs(site) });
    await site.observeFor(site.timers.heartbeatIntervalMs, 'the site after the failback');
    expect((await site.status('cms-primary')).role).to.equal('ACTIVE');
    expect(site.timeline).to.exactlyOneActive();
  });
});
