// heartbeat-path and heartbeat-jitter: cutting the heartbeat makes the secondary ACTIVE although the primary is
// healthy (split brain, DUAL_ACTIVE reported); latency below the timeout must not cause a failover.

import { cut, expect, family, latency, scenario } from '../harness/index.js';

family('heartbeat-path', 'the heartbeat link is cut while the primary is healthy', () => {
  scenario('makes the secondary ACTIVE after detection, raises DUAL_ACTIVE and measures the dual-active window', {
    faults: cut('heartbeat'),
    async outcome(site) {
      await expect(site).toFailOver();
      await expect(site).toRaiseDualActive('cms-secondary');
      await expect(site).toShowDualActive();
      // The window is over once the two hear each other again and the returning primary applies the policy.
      await site.heal();
      await expect(site).toFailBack();
    },
  });

  // DESIGN §1: a manual role change sticks until the heartbeat has been answered again.
  scenario('keeps the operator’s STANDBY on the secondary through further heartbeat misses, until the heartbeat answers again', {
    faults: cut('heartbeat'),
    async outcome(site) {
      await expect(site).toFailOver();
      await site.operator.setStandby('cms-secondary');
      await expect(site).toTakeRole('cms-secondary', 'STANDBY');
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' }, { from: 'now' });
      await site.heal();
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' }, { from: 'now' });
      await expect(site).toHaveExactlyOneActive('cms-primary');
    },
  });
});

family('heartbeat-jitter', 'latency below the heartbeat timeout', () => {
  scenario('does not fail over when the heartbeat is slowed but answered within its timeout', {
    // Each direction gets latency + jitter; the round trip stays under 70% of the timeout.
    faults: latency('heartbeat', (site) => ({
      latencyMs: 0.25 * site.timers.heartbeatTimeoutMs,
      jitterMs: 0.1 * site.timers.heartbeatTimeoutMs,
    })),
    async outcome(site) {
      await expect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' });
      await expect(site).toKeepAnsweringHeartbeats();
      await expect(site).toHaveNoDualActive();
    },
  });
});
