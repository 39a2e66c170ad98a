// Unit tests of when a scenario's faults go in (and are healed): the instant at a phase of the heartbeat cycle, counted
// from the last heartbeat seen, that is still a few ms ahead, however many cycles have passed since that heartbeat; and
// what the timings after a heal count from.

import { expect } from 'chai';
import { msToNs, nsToMs } from '../core/clock.js';
import { AssertionError } from 'chai';
import { HarnessError } from '../core/errors.js';
import { healAnchor, heldUntilNs, injectionInstant, planStep, runEndChecks } from './site.js';

const PERIOD_MS = 1_000;
const TICK = 10_000_000_000n;
/** An instant `ms` after the heartbeat tick. */
const after = (ms: number) => TICK + msToNs(ms);

describe('injectionInstant', () => {
  it('plans phase 0 at the start of the next cycle when the tick itself has passed', () => {
    expect(injectionInstant(TICK, after(10), PERIOD_MS, 0)).to.equal(after(1_000));
  });

  it('plans phase 0.5 half a period after the tick while that is still ahead', () => {
    expect(injectionInstant(TICK, after(10), PERIOD_MS, 0.5)).to.equal(after(500));
  });

  it('plans phase 0.999 just before the next tick', () => {
    expect(injectionInstant(TICK, after(10), PERIOD_MS, 0.999)).to.equal(after(999));
  });

  it('counts on whole cycles when several have passed since the tick', () => {
    expect(injectionInstant(TICK, after(3_200), PERIOD_MS, 0.5)).to.equal(after(3_500));
    expect(injectionInstant(TICK, after(3_200), PERIOD_MS, 0.25)).to.equal(after(3_250));
    expect(injectionInstant(TICK, after(3_200), PERIOD_MS, 0)).to.equal(after(4_000));
    expect(injectionInstant(TICK, after(3_200), PERIOD_MS, 0.999)).to.equal(after(3_999));
  });

  it('skips to the next cycle when the instant at the phase is less than the lead ahead', () => {
    expect(injectionInstant(TICK, after(3_497), PERIOD_MS, 0.5)).to.equal(after(4_500));
    expect(injectionInstant(TICK, after(3_494), PERIOD_MS, 0.5)).to.equal(after(3_500));
  });

  it('plans in the current cycle when asked right at the tick', () => {
    expect(injectionInstant(TICK, TICK, PERIOD_MS, 0.5)).to.equal(after(500));
    expect(injectionInstant(TICK, TICK, PERIOD_MS, 0)).to.equal(after(1_000));
  });

  it('honours a longer lead when one is given', () => {
    expect(injectionInstant(TICK, after(460), PERIOD_MS, 0.5, 50)).to.equal(after(1_500));
    expect(injectionInstant(TICK, after(440), PERIOD_MS, 0.5, 50)).to.equal(after(500));
  });

  it('always lands at the phase, at least the lead and less than a period plus the lead ahead', () => {
    for (const phase of [0, 0.1, 0.25, 0.5, 0.75, 0.999]) {
      for (const elapsedMs of [0, 1, 4.9, 5.1, 499, 501, 999, 1_000, 1_001, 2_345.6, 9_999]) {
        const now = after(elapsedMs);
        const planned = injectionInstant(TICK, now, PERIOD_MS, phase);
        const aheadMs = nsToMs(planned - now);
        const intoCycleMs = nsToMs(planned - TICK) % PERIOD_MS;
        const label = `phase ${phase}, ${elapsedMs} ms after the tick`;
        expect(aheadMs, label).to.be.at.least(5);
        expect(aheadMs, label).to.be.below(5 + PERIOD_MS);
        expect(Math.abs(intoCycleMs - phase * PERIOD_MS), label).to.be.below(0.001);
      }
    }
  });
});

describe('healAnchor', () => {
  it("counts a restart from the node's own begun event, with nothing to widen", () => {
    const anchor = healAnchor([{ fromNs: after(240), toNs: after(240), label: 'cms-primary began again' }]);
    expect(anchor).to.deep.equal({ ns: after(240), requestMs: 0, label: 'cms-primary began again' });
  });

  it('counts heals made together from the earliest effect, widened until the last surely took effect', () => {
    const anchor = healAnchor([
      { fromNs: after(100), toNs: after(112), label: 'admin-sync back' },
      { fromNs: after(300), toNs: after(300), label: 'cms-primary began again' },
    ]);
    expect(anchor.ns).to.equal(after(100));
    expect(anchor.requestMs).to.be.closeTo(200, 1e-9);
    expect(anchor.label).to.equal('admin-sync back and cms-primary began again');
  });

  it('refuses a heal of nothing', () => {
    expect(() => healAnchor([])).to.throw('at least one fault');
  });
});

describe('planStep', () => {
  const plan = (p: { reachedMs?: number; notBeforeMs?: number; nowMs: number; phase?: number }) =>
    planStep({
      tickNs: TICK,
      periodMs: PERIOD_MS,
      phase: p.phase ?? 0.5,
      leadMs: 5,
      reachedNs: p.reachedMs === undefined ? null : after(p.reachedMs),
      notBeforeNs: p.notBeforeMs === undefined ? null : after(p.notBeforeMs),
      nowNs: after(p.nowMs),
    });

  it('plans after what the site last did, so a replay chooses the same cycle, and from now when the harness came late', () => {
    expect(plan({ reachedMs: 2_100, nowMs: 2_200 })).to.deep.equal({ plannedNs: after(2_500), late: false });
    expect(plan({ reachedMs: 2_100, nowMs: 2_700 })).to.deep.equal({ plannedNs: after(3_500), late: true });
    expect(plan({ nowMs: 2_200 })).to.deep.equal({ plannedNs: after(2_500), late: false });
  });

  it('holds a fault for a set length: never before `notBeforeNs`, at the phase, late or not', () => {
    expect(plan({ reachedMs: 2_100, notBeforeMs: 5_000, nowMs: 2_200 })).to.deep.equal({ plannedNs: after(5_500), late: false });
    expect(plan({ notBeforeMs: 5_000, nowMs: 2_200, phase: 0 })).to.deep.equal({ plannedNs: after(6_000), late: false });
    expect(plan({ reachedMs: 9_100, notBeforeMs: 5_000, nowMs: 9_200 })).to.deep.equal({ plannedNs: after(9_500), late: false });
    expect(plan({ notBeforeMs: 5_000, nowMs: 7_000 })).to.deep.equal({ plannedNs: after(7_500), late: true });
  });
});

describe('heldUntilNs', () => {
  it('counts the held cycles from the latest fault applied', () => {
    expect(heldUntilNs([{ appliedNs: after(100) }, { appliedNs: after(300) }], 3, PERIOD_MS)).to.equal(after(3_300));
  });

  it('refuses a hold that is not a positive number of cycles, naming the option and the value', () => {
    for (const held of [0, -1, Number.NaN])
      expect(() => heldUntilNs([{ appliedNs: TICK }], held, PERIOD_MS))
        .to.throw(HarnessError, 'option "held" must be a number of heartbeat cycles above 0')
        .with.property('details')
        .that.deep.includes({ option: 'held' });
  });
});

describe('runEndChecks', () => {
  it('runs every check left for the end of a scenario, then throws a lone failure as it is', async () => {
    const ran: number[] = [];
    const lone = new AssertionError('cms-secondary became ACTIVE');
    const error = await runEndChecks([
      async () => void ran.push(1),
      async () => {
        ran.push(2);
        throw lone;
      },
      async () => void ran.push(3),
    ]).catch((e: unknown) => e);
    expect(ran).to.deep.equal([1, 2, 3]);
    expect(error).to.equal(lone);
  });

  it('throws several failures as one, every sentence in it, and nothing when all held', async () => {
    const fail = (text: string) => async () => {
      throw new AssertionError(text);
    };
    const error = await runEndChecks([fail('one'), fail('two')]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AssertionError).with.property('message', 'one\ntwo');
    await runEndChecks([async () => undefined]);
  });
});
