// The failover expectations on synthetic timelines (instants in the past, so nothing waits): a right site passes, a
// wrong one fails with the window and the measured value in words, and everything lands in the evidence.

import { expect } from 'chai';
import { failure, FakeSite } from '../testing/fake-site.js';
import { SiteExpect } from './site-expect.js';

describe('failover expectations', () => {
  describe('toFailOver', () => {
    it('holds when the secondary goes ACTIVE at the third refused heartbeat, within both windows', async () => {
      const site = new FakeSite().fault('kill', 'cms-primary', 500).beats(500, 6);
      site.sunnyDay();
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
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 3002, 'ACTIVE', 'STANDBY'));
      await new SiteExpect(site).toFailOver();
      const protocol = site.evidence.toJSON().measurements[1]!;
      expect([Math.round(protocol.valueMs), protocol.withinWindow]).to.deep.equal([2002, true]);
      expect(site.evidence.toJSON().windows[1]!.anchorLabel).to.contain('the beat went out 47 ms late');
    });

    it('fails a site that needs one miss fewer, at every phase, naming the window and the value', async () => {
      for (const faultMs of [10, 400, 990]) {
        const site = new FakeSite().fault('kill', 'cms-primary', faultMs).beats(faultMs, 6);
        site.sunnyDay();
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
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 3200, 'ACTIVE', 'STANDBY'));
      expect(await failure(new SiteExpect(site).toFailOver())).to.contain(
        '2200 ms after the first unanswered heartbeat (beat 2); expected 2249–2290 ms',
      );
    });

    it('names an overloaded host as the reason when a stand-in timer fired later than the windows allow', async () => {
      const site = new FakeSite().fault('kill', 'cms-primary', 500).beats(500, 6);
      site.sunnyDay();
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
      site.sunnyDay();
      expect(await failure(new SiteExpect(site).toFailOver())).to.match(
        /^cms-secondary never became ACTIVE; expected it 1\.999–3\.045 s after cms-primary killed/,
      );
    });
  });

  describe('roles', () => {
    it('fails toKeepRoles when the secondary takes over inside the observation, saying when', async () => {
      const site = new FakeSite().fault('cut', 'acd-primary', 0);
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 4000, 'ACTIVE', 'STANDBY'));
      site.timeline.markObserved(site.at(30_000));
      const message = await failure(new SiteExpect(site).toKeepRoles({ 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' }));
      expect(message).to.contain('cms-secondary became ACTIVE 4.0 s after acd-primary cut; expected STANDBY throughout');
    });

    it('counts only observable CMS for exactly one ACTIVE', async () => {
      const site = new FakeSite();
      site.sunnyDay();
      site.add(site.make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'));
      site.timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'timeout', atNs: site.at(1000) });
      await new SiteExpect(site).toHaveExactlyOneActive('cms-secondary');
    });
  });
});

describe('failover expectations, named faults and the end of the scenario', () => {
  it('counts a failover from the fault the scenario names, not from the first one injected', async () => {
    const site = new FakeSite().beats(500, 6).sunnyDay();
    site.injected = [site.record('stop', 'cm', -1500), site.record('kill', 'cms-primary', 500)];
    site.add(site.make.role('cms-secondary', 3002, 'ACTIVE', 'STANDBY'));
    expect(await failure(new SiteExpect(site).toFailOver())).to.contain(
      '4.502 s after cm stopped and cms-primary killed; expected 1.999–3.045 s',
    );
    await new SiteExpect(site).toFailOver({ from: site.handle(site.injected[1]!) });
    const fromKill = site.evidence.toJSON().measurements.at(-2)!;
    expect([Math.round(fromKill.valueMs), fromKill.withinWindow]).to.deep.equal([2502, true]);
    expect(site.evidence.toJSON().windows.map((w) => w.anchorLabel)).to.include('cms-primary killed');
  });

  it('keeps the roles until the end of the scenario when asked: returns at once, judges when the site finishes', async () => {
    const site = new FakeSite().fault('cut', 'acd-primary', 0).sunnyDay();
    site.add(site.make.role('cms-secondary', 10_000, 'ACTIVE', 'STANDBY'));
    const roles = { 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' } as const;
    await new SiteExpect(site).toKeepRoles(roles);
    await new SiteExpect(site).toKeepRoles(roles, { until: 'end' });
    expect(site.endChecks, 'left for the end').to.have.length(1);
    const message = await failure(site.runEnd());
    expect(message).to.match(
      /^cms-secondary became ACTIVE 10\.0 s after acd-primary cut; expected STANDBY throughout the observation 6\d\.\d s long/,
    );
  });

  it('keeps heartbeats answered until the end of the scenario, counting every interval of the longer span', async () => {
    const site = new FakeSite().fault('latency', 'heartbeat', 0).beats(99_000, 50);
    await new SiteExpect(site).toKeepAnsweringHeartbeats({ until: 'end' });
    const message = await failure(site.runEnd());
    expect(message).to.match(
      /^50 heartbeats answered and 0 missed during the observation after heartbeat slowed; expected at least 5\d answered/,
    );
  });

  it('holds a lone primary deciding ACTIVE at its no-secondary deadline, and fails one a heartbeat early', async () => {
    const alone = (ms: number) => {
      const site = new FakeSite();
      site.lastHeal = { ns: site.at(1000), label: 'cms-primary began again', requestMs: 0 };
      site.add(site.make.role('cms-primary', ms, 'ACTIVE', 'STANDBY', 'no secondary: no heartbeat within misses·interval + timeout'));
      return site;
    };
    const site = alone(1000 + 3 * 1000 + 250);
    await new SiteExpect(site).toDecideActiveAlone();
    expect(site.evidence.toJSON().measurements.map((m) => [m.name, Math.round(m.valueMs), m.withinWindow])).to.deep.equal([
      ['lone primary ACTIVE', 3250, true],
    ]);
    expect(await failure(new SiteExpect(alone(1000 + 2 * 1000 + 250)).toDecideActiveAlone())).to.contain(
      'cms-primary decided ACTIVE alone (no secondary heard) 2250 ms after cms-primary began again; expected 3249–3290 ms',
    );
  });
});
