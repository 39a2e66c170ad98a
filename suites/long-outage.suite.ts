// long-outage (DESIGN §2): the primary down for a long time (a real half hour; minutes at a shortened scale) while
// administration goes on on the secondary. ADMIN_SYNC_LAG stays raised throughout; once the primary returns the
// queue drains in order, none twice; the primary counts one data gap whose missing events are the silence.

import { expect, family, kill, scenario, type ScenarioSpec } from '../harness/index.js';

/** A real half hour, in heartbeat cycles (20 s each at real time), whatever the time scale of the run. */
const OUTAGE_CYCLES = (30 * 60_000) / 20_000;
const CHANGES = 12;

/** One change as soon as the secondary took over, then one every few cycles, spread over the outage. */
const ADMINISTRATION: NonNullable<ScenarioSpec['schedule']> = Array.from({ length: CHANGES }, (_, n) => [
  {
    admin: { node: 'cms-secondary' as const, object: `agent ${4701 + n}`, value: `skill ${n + 1}` },
    at: n === 0 ? { event: 'failover' as const, withinCycles: 6 } : { phase: 0.5 },
  },
  { wait: { cycles: OUTAGE_CYCLES / CHANGES - 1 } },
]).flat();

family('long-outage', 'the primary down for a long time while administration goes on', () => {
  scenario('keeps every change made during a half-hour outage queued, then drains them in order, and counts one gap', {
    faults: kill('cms-primary'),
    schedule: ADMINISTRATION,
    async outcome(site, [down]) {
      const changes = site.adminChanges('cms-secondary');
      await expect(site).toHoldAdminChanges(changes);
      await expect(site).toKeepAlarmRaised('cms-secondary', 'ADMIN_SYNC_LAG');
      await site.heal([down!]);
      await expect(site).toDrainAdminChanges(changes);
      await expect(site).toCountGap('cms-primary', { from: down });
      await expect(site).toHoldInvariants();
    },
  });
});
