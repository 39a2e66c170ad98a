// heartbeat-path and heartbeat-jitter: cutting the heartbeat makes the secondary ACTIVE although the primary is
// healthy (split brain, DUAL_ACTIVE reported); latency below the timeout must not cause a failover.

import * as chai from 'chai';
import { cmshaChai, primaryDownDetection, sitePerTest } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

describe('heartbeat-path: the heartbeat link is cut while the primary is healthy', function () {
  const fixture = sitePerTest({ scenario: 'heartbeat-path' });

  it('makes the secondary ACTIVE after detection, raises DUAL_ACTIVE and measures the dual-active window', async () => {
    const { site } = fixture;
    const fault = await site.topology.links.cut('heartbeat');
    const window = site.window('heartbeat-loss detection', primaryDownDetection(site.windows), {
      anchorNs: fault.appliedNs,
      anchorLabel: 'heartbeat cut',
      description: 'the secondary becomes ACTIVE after the heartbeat path is cut',
    });
    await site.waitForRole('cms-secondary', 'ACTIVE', { afterNs: fault.appliedNs, deadlineMs: window.toMs + 1_000 }).catch(() => undefined);
    // Admin-Sync keep-alives still carry each side's role, so the stand-ins learn of the split within a few of them.
    await site.timeline
      .waitFor((e) => e.type === 'alarm' && e.alarm === 'DUAL_ACTIVE' && e.raised, {
        deadlineMs: window.toMs + 4 * site.timers.keepaliveIntervalMs,
        anchorNs: fault.appliedNs,
        label: 'a DUAL_ACTIVE alarm',
      })
      .catch(() => undefined);
    await site.observeFor(site.timers.keepaliveIntervalMs, 'the split brain');
    expect(site.timeline).to.showActivation('cms-secondary').within(window);
    expect(site.timeline).to.haveAlarm('cms-secondary', 'DUAL_ACTIVE');
    const stretch = expect(site.timeline).to.showDualActive();
    expect(stretch.durationMs).to.be.greaterThan(0);
  });
});

describe('heartbeat-jitter: latency below the heartbeat timeout', function () {
  const fixture = sitePerTest({ scenario: 'heartbeat-jitter' });

  it('does not fail over when the heartbeat is slowed but answered within its timeout', async () => {
    const { site } = fixture;
    // Each direction gets latency + jitter; the round trip stays under 70% of the timeout.
    const latencyMs = Math.round(site.timers.heartbeatTimeoutMs * 0.25);
    const jitterMs = Math.round(site.timers.heartbeatTimeoutMs * 0.1);
    const fault = await site.topology.links.latency('heartbeat', { latencyMs, jitterMs });
    const span = await site.observeFor(2 * primaryDownDetection(site.windows).toMs, 'twice the detection window under latency');
    const observed = site.timeline.span(fault.appliedNs, span.toNs, {
      label: 'observation under heartbeat latency',
      anchorLabel: 'latency applied',
    });
    expect(site.timeline).to.keepRole('cms-secondary', 'STANDBY').throughout(observed);
    expect(site.timeline).to.keepRole('cms-primary', 'ACTIVE').throughout(observed);
    const missed = site.timeline.events((e) => e.type === 'heartbeat' && e.outcome === 'missed' && BigInt(e.atNs) >= fault.appliedNs);
    expect(missed, 'heartbeats missed under latency below the timeout').to.have.length(0);
    expect(site.timeline).to.haveNoDualActive();
  });
});
