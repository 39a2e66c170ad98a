// The site expectations on synthetic timelines (instants in the past, so nothing waits): a right site passes, a
// wrong one fails with the window and the measured value in words, and everything lands in the evidence.

import { AssertionError, expect } from 'chai';
import type { CmsName, NodeName, StandinEvent } from '../../images/protocol/index.js';
import { msToNs, nowNs, toMonoNs } from '../core/clock.js';
import type { FaultKind, FaultRecord } from '../core/model.js';
import { DEFAULT_SITE, scaleSite, withSite, type ScaledSite } from '../core/site-config.js';
import { Evidence } from '../observe/evidence.js';
import { Timeline } from '../observe/timeline.js';
import { EventMaker } from '../observe/test-events.js';
import { SiteExpect, type ObservedSite } from './site-expect.js';

/** A site whose story is written by hand: events at ms after a base a minute in the past. */
class FakeSite implements ObservedSite {
  readonly base = nowNs() - msToNs(60_000);
  readonly timeline = new Timeline();
  readonly evidence: Evidence;
  readonly scaled: ScaledSite;
  injected: FaultRecord[] = [];
  lastHeal: { ns: bigint; label: string; requestMs: number } | null = null;
  lastOperator: ObservedSite['lastOperator'] = null;
  /** The latest instant the expectations said the site reached. */
  reachedNs: bigint | null = null;
  readonly make = new EventMaker();

  constructor(change: Parameters<typeof withSite>[1] = {}) {
    this.scaled = scaleSite(withSite(DEFAULT_SITE, change), 0.05);
    this.evidence = new Evidence('test', null, { timeline: this.timeline, startNs: this.base });
  }

  reached(ns: bigint): void {
    if (this.reachedNs === null || ns > this.reachedNs) this.reachedNs = ns;
  }

  at(ms: number): bigint {
    return this.base + msToNs(ms);
  }

  /** Adds stand-in events made by EventMaker, moved onto this site's base. */
  add(...events: StandinEvent[]): this {
    const shift = this.base - 10_000_000_000_000n;
    this.timeline.add(events.map((e) => ({ ...e, atNs: (BigInt(e.atNs) + shift).toString() })));
    return this;
  }

  fault(kind: FaultKind, target: string, ms: number): this {
    this.injected = [
      {
        id: `${kind}-1`,
        kind,
        target: target as NodeName,
        direction: null,
        attributes: {},
        appliedNs: toMonoNs(this.at(ms)),
        confirmedNs: toMonoNs(this.at(ms + 5)),
        removedNs: null,
        healedNs: null,
      },
    ];
    return this;
  }

  /**
   * The secondary beats every 1000 ms from 0; beats before `downMs` are answered, the others missed at once. A beat
   * in `late` goes out that many ms after its slot, as a timer firing late does; the grid stays.
   */
  beats(downMs: number, count: number, missAfterMs = 1, late: Record<number, number> = {}): this {
    let misses = 0;
    for (let beat = 1; beat <= count; beat += 1) {
      const lateMs = late[beat] ?? 0;
      const sentMs = (beat - 1) * 1000 + lateMs;
      this.add({ ...this.make.heartbeat('cms-secondary', sentMs, 'sent', beat, misses), lateMs } as StandinEvent);
      if (sentMs < downMs) this.add(this.make.heartbeat('cms-secondary', sentMs + 1, 'answered', beat, 0));
      else this.add(this.make.heartbeat('cms-secondary', sentMs + missAfterMs, 'missed', beat, ++misses));
    }
    return this;
  }

  async flush(): Promise<void> {}
  note(): void {}
  status(): never {
    throw new Error('no status in a unit test');
  }
}

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    expect(error).to.be.instanceOf(AssertionError);
    return (error as Error).message;
  }
  throw new Error('the expectation held');
}

function startRoles(site: FakeSite): void {
  site.add(site.make.role('cms-primary', -5000, 'ACTIVE'), site.make.role('cms-secondary', -5000, 'STANDBY'));
}

describe('site expectations', () => {
  describe('toFailOver', () => {
    it('holds when the secondary goes ACTIVE at the third refused heartbeat, within both windows', async () => {
      const site = new FakeSite().fault('kill', 'cms-primary', 500).beats(500, 6);
      startRoles(site);
      site.add(site.make.role('cms-secondary', 3002, 'ACTIVE', 'STANDBY'));
      await new SiteExpect(site).toFailOver();
      const json = site.evidence.toJSON();
      expect(json.measurements.map((m) => [m.name, Math.round(m.valueMs), m.withinWindow])).to.deep.equal([
        ['failover from the fault', 2502, true],
        ['failover from the first unanswered heartbeat', 2002, true],
      ]);
      expect(json.windows.map((w) => w.kind)).to.deep.equal(['fault', 'protocol']);
      expect(site.reachedNs, 'the harness’s next step counts from the failover it saw').to.equal(site.at(3002));
    });

    it('counts from the slot of a beat whose timer fired late, so the late beat does not make the failover early', async () => {
      const site = new FakeSite().fault('kill', 'cms-primary', 500).beats(500, 6, 1, { 2: 47 });
      startRoles(site);
      site.add(site.make.role('cms-secondary', 3002, 'ACTIVE', 'STANDBY'));
      await new SiteExpect(site).toFailOver();
      const protocol = site.evidence.toJSON().measurements[1]!;
      expect([Math.round(protocol.valueMs), protocol.withinWindow]).to.deep.equal([2002, true]);
      expect(site.evidence.toJSON().windows[1]!.anchorLabel).to.contain('the beat went out 47 ms late');
    });

    it('fails a site that needs one miss fewer, at every phase, naming the window and the value', async () => {
      for (const faultMs of [10, 400, 990]) {
        const site = new FakeSite().fault('kill', 'cms-primary', faultMs).beats(faultMs, 6);
        startRoles(site);
        const firstMissMs = Math.ceil(faultMs / 1000) * 1000;
        site.add(site.make.role('cms-secondary', firstMissMs + 1002, 'ACTIVE', 'STANDBY'));
        const message = await failure(new SiteExpect(site).toFailOver());
        expect(message).to.match(
          /cms-secondary became ACTIVE 1002 ms after the first unanswered heartbeat \(beat \d\); expected 1999–2040 ms after/,
        );
      }
    });

    it('fails a silent fault whose heartbeat timeout is 20% short', async () => {
      const site = new FakeSite().fault('pause', 'cms-primary', 500).beats(500, 6, 200);
      startRoles(site);
      site.add(site.make.role('cms-secondary', 3200, 'ACTIVE', 'STANDBY'));
      expect(await failure(new SiteExpect(site).toFailOver())).to.contain(
        '2200 ms after the first unanswered heartbeat (beat 2); expected 2249–2290 ms',
      );
    });

    it('names an overloaded host as the reason when a stand-in timer fired later than the windows allow', async () => {
      const site = new FakeSite().fault('kill', 'cms-primary', 500).beats(500, 6);
      startRoles(site);
      site.add(site.make.lateTimer('cms-secondary', 2900, 95));
      site.add(site.make.role('cms-secondary', 3095, 'ACTIVE', 'STANDBY'));
      expect(await failure(new SiteExpect(site).toFailOver())).to.contain(
        '2095 ms after the first unanswered heartbeat (beat 2); expected 1999–2040 ms after the first unanswered heartbeat (beat 2) ' +
          '((3-1)·1000 + a refused connection = 2000 … 2000 ms, −1 +40 ms (rounding; a late timer, a busy CPU, one Toxiproxy hop)); ' +
          'meanwhile a timer of cms-secondary (ha) fired 95 ms late, more than the 40 ms the windows allow: the host was overloaded',
      );
    });

    it('says the secondary never became ACTIVE when it did not', async () => {
      const site = new FakeSite({ policy: { autoFailover: false } }).fault('kill', 'cms-primary', 500).beats(500, 6);
      startRoles(site);
      expect(await failure(new SiteExpect(site).toFailOver())).to.match(
        /^cms-secondary never became ACTIVE; expected it 1\.999–3\.045 s after cms-primary killed/,
      );
    });
  });

  describe('roles', () => {
    it('fails toKeepRoles when the secondary takes over inside the observation, saying when', async () => {
      const site = new FakeSite().fault('cut', 'acd-primary', 0);
      startRoles(site);
      site.add(site.make.role('cms-secondary', 4000, 'ACTIVE', 'STANDBY'));
      site.timeline.markObserved(site.at(30_000));
      const message = await failure(new SiteExpect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' }));
      expect(message).to.contain('cms-secondary became ACTIVE 4.0 s after acd-primary cut; expected STANDBY throughout');
    });

    it('counts only observable CMS for exactly one ACTIVE', async () => {
      const site = new FakeSite();
      startRoles(site);
      site.add(site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'));
      site.timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'timeout', atNs: site.at(1000) });
      await new SiteExpect(site).toHaveExactlyOneActive('cms-secondary');
    });
  });

  describe('dual-active window', () => {
    it('measures a dual-active stretch once it is over, when the test ends, and not one still open then', async () => {
      const site = new FakeSite().fault('cut', 'heartbeat', 0);
      startRoles(site);
      site.add(site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'));
      site.timeline.markObserved(site.at(4000));
      await new SiteExpect(site).toShowDualActive();
      expect(site.evidence.toJSON().assertions.at(-1)?.text).to.match(/both ACTIVE from .*, still so when checked/);
      expect(site.evidence.toJSON().measurements, 'nothing measured while it lasts').to.have.length(0);
      site.add(site.make.role('cms-primary', 5500, 'STANDBY', 'ACTIVE'), site.make.role('cms-primary', 9000, 'ACTIVE', 'STANDBY'));
      site.evidence.finish();
      const spans = site.evidence.toJSON().measurements.filter((m) => m.name === 'dual-active span');
      expect(
        spans.map((m) => Math.round(m.valueMs)),
        'the closed stretch only; the one from 9 s is still open',
      ).to.deep.equal([2500]);
    });
  });

  describe('toFailBack', () => {
    const returned = (
      policy: Parameters<typeof withSite>[1]['policy'],
      primary: 'ACTIVE' | 'STANDBY',
      secondaryStandbyMs: number | null,
    ) => {
      const site = new FakeSite({ policy });
      startRoles(site);
      site.add(site.make.role('cms-secondary', 1000, 'ACTIVE', 'STANDBY'));
      site.lastHeal = { ns: site.at(5000), label: 'the heal', requestMs: 0 };
      site.add(site.make.received(5600, 9, 'ACTIVE', true));
      site.add(site.make.role('cms-primary', 5600, primary, 'ACTIVE'));
      if (secondaryStandbyMs !== null) site.add(site.make.role('cms-secondary', secondaryStandbyMs, 'STANDBY', 'ACTIVE'));
      site.timeline.markObserved(site.at(60_000));
      return site;
    };

    it('holds under hold-standby when the primary goes STANDBY on the first heartbeat it hears', async () => {
      const site = returned({ autoFailback: false, returningPrimary: 'hold-standby' }, 'STANDBY', null);
      expect(await new SiteExpect(site).toFailBack()).to.equal('hold-standby: cms-primary STANDBY, cms-secondary ACTIVE');
    });

    it('holds automatic failback with a handover within one heartbeat exchange, and fails a longer one', async () => {
      await new SiteExpect(returned({ autoFailback: true }, 'ACTIVE', 5602)).toFailBack();
      const message = await failure(new SiteExpect(returned({ autoFailback: true }, 'ACTIVE', 6000)).toFailBack());
      expect(message)
        .to.contain('cms-secondary went STANDBY, ending the handover 400 ms after the first heartbeat the primary heard')
        .and.contain('expected 0–290 ms');
    });

    it('fails a site whose primary stays ACTIVE when the policy says hold STANDBY', async () => {
      const message = await failure(
        new SiteExpect(returned({ autoFailback: false, returningPrimary: 'hold-standby' }, 'ACTIVE', null)).toFailBack(),
      );
      expect(message).to.contain('cms-primary was ACTIVE').and.contain('expected STANDBY');
    });
  });

  describe('ESS return', () => {
    it('counts a return that came while the heal request was still running: the heal took effect during it', async () => {
      const site = new FakeSite();
      site.lastHeal = { ns: site.at(1000), label: 'cm back', requestMs: 300 };
      site.add(site.make.ess(1200, 'RESETTING', 'ACTIVE'));
      site.timeline.markObserved(site.at(5000));
      await new SiteExpect(site).toReturnEssOnceCmIsBack();
      expect(Math.round(site.evidence.toJSON().measurements[0]!.valueMs)).to.equal(200);
    });
  });

  describe('Admin-Sync', () => {
    const change = (site: FakeSite, seq: number, ms: number) => ({ origin: 'cms-primary' as CmsName, seq, changedNs: site.at(ms) });

    it('drains held changes at once when the link is back, in order, and fails a change applied twice', async () => {
      const site = new FakeSite();
      const changes = [change(site, 1, 100), change(site, 2, 200)];
      site.lastHeal = { ns: site.at(1000), label: 'the heal', requestMs: 0 };
      site.add(
        site.make.adminLink('cms-primary', 1300, true, 'cms-secondary'),
        site.make.admin('cms-secondary', 1302, 'applied', 'cms-primary', 1),
        site.make.admin('cms-secondary', 1303, 'applied', 'cms-primary', 2),
        site.make.alarm('cms-primary', 1304, 'ADMIN_SYNC_LAG', false),
      );
      await new SiteExpect(site).toDrainAdminChanges(changes);
      site.add(site.make.admin('cms-secondary', 1400, 'applied', 'cms-primary', 1));
      expect(await failure(new SiteExpect(site).toApplyEachOnce(changes))).to.contain(
        'change 1 of cms-primary was applied 2 time(s) on cms-secondary; expected once',
      );
    });
  });

  describe('Dual-IP', () => {
    it('fails a CMS that tries the ESS one attempt early (mainAttempts one short)', async () => {
      const site = new FakeSite().fault('cut', 'acd-primary', 0);
      site.add(site.make.link('cms-primary', 1, 'CONNECTING', 'cm', 1, 2));
      const cycle = site.timeline.last(() => true)!;
      (cycle as { reason?: string }).reason = 'attempt 1 of cycle 2: cm try 1 of 5';
      const ess = site.make.link('cms-primary', 6001, 'CONNECTING', 'ess', 5, 2);
      site.add({ ...ess, reason: 'attempt 5 of cycle 2: ess try 1 of 2' } as StandinEvent);
      site.timeline.markObserved(site.at(30_000));
      const message = await failure(new SiteExpect(site).toTryEssAtItsStep('cms-primary'));
      expect(message).to.contain(
        "cms-primary first tried the ESS (attempt 5) 6000 ms after cms-primary's Dual-IP cycle 2 began; expected 7499–7540 ms",
      );
      expect(message).to.contain('expected attempt 6, after 5 at the main CM');
    });
  });

  describe('the data gap of a move to the ESS', () => {
    it('waits for the gap, counted on the first event of the new stream, up to one event period after the move', async () => {
      const site = new FakeSite().fault('stop', 'cm', 0);
      const nowMs = Number(nowNs() - site.base) / 1e6;
      site.add(site.make.link('cms-primary', nowMs, 'DATA_TRANSFER', 'ess', 6, 2));
      // The first event of the ESS's stream comes 80 ms after the data transfer began (period 100 ms at 10 Hz).
      setTimeout(() => site.add(site.make.gap('cms-primary', nowMs + 80, 183, 'ess', 'source-switch', nowMs)), 80);
      await new SiteExpect(site).toCountOneGapWhileMoving('cms-primary');
      expect(site.evidence.toJSON().assertions.at(-1)!.text).to.contain('counted 1 gap(s) after the fault');
    });

    it('fails when no gap is counted within the event period after the move', async () => {
      const site = new FakeSite().fault('stop', 'cm', 0);
      site.add(site.make.link('cms-primary', 18_000, 'DATA_TRANSFER', 'ess', 6, 2));
      expect(await failure(new SiteExpect(site).toCountOneGapWhileMoving('cms-primary'))).to.contain(
        'cms-primary counted no data gap after the fault; expected one for the 18.0 s without data',
      );
    });
  });
});
