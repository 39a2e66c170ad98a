// explored (DESIGN §2 "explore"): schedules `cmsha explore` found breaking an invariant, promoted once the stand-ins
// were fixed, so every nightly run keeps checking them: on the stand-ins as they were (tag explore-baseline, seed 2026),
// then on the fixed ones (seed 1). Each is the finding's schedule after shrinking (waits and steps that did not matter
// dropped), and must now hold I1–I7.

import { expect, family, scenario } from '../harness/index.js';

family('explored', 'schedules that once broke an invariant', () => {
  // I5 no ACTIVE CMS, no alarm: the primary dies and automatic failover is off
  scenario('raises NO_ACTIVE_CMS when the primary dies and automatic failover is off (explore seed 2026, I5)', {
    site: { policy: { autoFailover: false, autoFailback: false, returningPrimary: 'stay-active' } },
    schedule: [
      { fault: 'f1', kind: 'kill', target: 'cms-primary', at: { phase: 0.35 } },
      { wait: { cycles: 6 } },
      { heal: 'f1', at: { phase: 0.35 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I4 no ACTIVE CMS: the secondary stops after a planned switchover, and nobody takes the role back
  scenario('takes the ACTIVE role back when the secondary stops after a planned switchover (explore seed 2026, I4)', {
    site: { policy: { autoFailover: true, autoFailback: false, returningPrimary: 'hold-standby' } },
    schedule: [
      { operator: 'set-active', node: 'cms-secondary', at: { phase: 0.45 } },
      { wait: { cycles: 2 } },
      { operator: 'set-standby', node: 'cms-primary', at: { phase: 0.45 } },
      { wait: { cycles: 2 } },
      { fault: 'f1', kind: 'stop', target: 'cms-secondary', at: { phase: 0.6 } },
      { wait: { cycles: 4 } },
      { heal: 'f1', at: { phase: 0.2 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I3 a conflict not raised: one object administered on both sides of an isolation
  scenario('raises and resolves the conflict when one object is administered on both sides of an isolation (explore seed 2026, I3)', {
    site: { policy: { autoFailover: true, autoFailback: true, returningPrimary: 'hold-standby' } },
    schedule: [
      { fault: 'f1', kind: 'isolate', target: 'cms-primary', at: { phase: 0.45 } },
      { wait: { cycles: 5 } },
      { admin: { node: 'cms-secondary', object: 'split-3', value: 'set on the secondary' }, at: { phase: 0.5 } },
      { admin: { node: 'cms-primary', object: 'split-3', value: 'set on the primary' }, at: { phase: 0.5 } },
      { wait: { cycles: 1 } },
      { heal: 'f1', at: { phase: 0 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I7 Dual-IP attempts too close: the CM link cut again while the primary pumps up
  scenario('waits the next Dual-IP slot when the CM link is cut again during pump-up (explore seed 2026, I7)', {
    site: { policy: { autoFailover: true, autoFailback: false, returningPrimary: 'stay-active' } },
    schedule: [
      { fault: 'f1', kind: 'cut', target: 'acd-primary', at: { phase: 0.6 } },
      { wait: { cycles: 1 } },
      { heal: 'f1', at: { phase: 0 } },
      { fault: 'f2', kind: 'cut', target: 'acd-primary', at: { event: 'pumpup', node: 'cms-primary', withinCycles: 6 } },
      { wait: { cycles: 3.5 } },
      { heal: 'f2', at: { phase: 0 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I2 two switches serving: the main CM back while the ESS is in control, then the secondary's ESS link drops
  scenario('keeps a CMS whose ESS link drops on the ESS while the main CM is back but out of control (explore seed 2026, I2)', {
    site: { policy: { autoFailover: true, autoFailback: false, returningPrimary: 'stay-active' } },
    schedule: [
      { fault: 'f1', kind: 'stop', target: 'cm', at: { phase: 0.7 } },
      { wait: { cycles: 23.5 } },
      { heal: 'f1', at: { phase: 0.9 } },
      { wait: { cycles: 2 } },
      { fault: 'f2', kind: 'cut', target: 'acd-secondary-ess', at: { phase: 0.55 } },
      { wait: { cycles: 3 } },
      { heal: 'f2', at: { phase: 0.55 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I6 a restart gap not counted: the primary restarted, its downtime never counted as a gap
  scenario('counts a restarted primary’s downtime as one data gap (explore seed 2026, I6)', {
    site: { policy: { autoFailover: true, autoFailback: true, returningPrimary: 'hold-standby' } },
    schedule: [
      { fault: 'f1', kind: 'kill', target: 'cms-primary', at: { phase: 0.55 } },
      { wait: { cycles: 4 } },
      { heal: 'f1', at: { phase: 0.85 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I4 no ACTIVE CMS: the ACTIVE secondary restarts within the detection window and comes back STANDBY, so its
  // heartbeats never stop for long enough, and the STANDBY primary never took the role back
  scenario('takes the role back when the ACTIVE secondary restarts within the detection window (explore seed 1, I4)', {
    site: { policy: { autoFailover: true, autoFailback: false, returningPrimary: 'hold-standby' } },
    schedule: [
      { fault: 'f1', kind: 'kill', target: 'cms-primary', at: { phase: 0.3 } },
      { heal: 'f1', at: { event: 'failover', withinCycles: 6 } },
      { wait: { cycles: 2 } },
      { fault: 'f2', kind: 'kill', target: 'cms-secondary', at: { phase: 0.8 } },
      { wait: { cycles: 0.5 } },
      { heal: 'f2', at: { phase: 0.7 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
      await expect(site).toHaveExactlyOneActive('cms-primary');
    },
  });

  // I7 Dual-IP attempts too close: the secondary paused while its CM link was down dialled late on resuming, and its
  // next attempt kept the old grid
  scenario('keeps the Dual-IP spacing after an attempt dialled late on resuming from a pause (explore seed 1, I7)', {
    site: { policy: { autoFailover: false, autoFailback: false, returningPrimary: 'hold-standby' } },
    schedule: [
      { fault: 'f1', kind: 'cut', target: 'acd-secondary', at: { phase: 0.15 } },
      { wait: { cycles: 1 } },
      { fault: 'f2', kind: 'pause', target: 'cms-secondary', at: { phase: 0.15 } },
      { wait: { cycles: 2.5 } },
      { heal: 'f2', at: { phase: 0 } },
      { wait: { cycles: 2 } },
      { heal: 'f1', at: { phase: 0 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
    },
  });

  // I4 both ACTIVE after the heal: the primary isolated again within a cycle of an automatic failback; the secondary
  // took over anew before any beat got through, and the primary took that second return for the first one
  scenario('fails back again when the primary is isolated a second time right after a failback (explore seed 3, I4)', {
    site: { policy: { autoFailover: true, autoFailback: true, returningPrimary: 'hold-standby' } },
    schedule: [
      { fault: 'f1', kind: 'isolate', target: 'cms-primary', at: { phase: 0.9 } },
      { wait: { cycles: 2 } },
      { heal: 'f1', at: { phase: 0 } },
      { wait: { cycles: 1 } },
      { fault: 'f2', kind: 'isolate', target: 'cms-primary', at: { phase: 0.9 } },
      { wait: { cycles: 2 } },
      { heal: 'f2', at: { phase: 0 } },
      { wait: { cycles: 1 } },
    ],
    async outcome(site) {
      await expect(site).toHoldInvariants();
      await expect(site).toHaveExactlyOneActive('cms-primary');
    },
  });
});
