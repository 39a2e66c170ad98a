// basic-ha (seed: "Standard operation: Basic CMS HA setup"): the sunny day. Both CMS take the ACD feed from the
// main CM, the primary is ACTIVE, the secondary STANDBY and heartbeats it every heartbeatIntervalMs.

import * as chai from 'chai';
import { cmshaChai, heartbeatPeriod, sitePerTest } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

describe('basic-ha: standard operation', function () {
  const fixture = sitePerTest({ scenario: 'basic-ha' });

  it('keeps the primary ACTIVE and the secondary STANDBY, both in data transfer with the main CM', async () => {
    const { site } = fixture;
    const span = await site.observeFor(3 * site.timers.heartbeatIntervalMs, 'a sunny-day observation of three heartbeat periods');
    const [primary, secondary] = await Promise.all([site.status('cms-primary'), site.status('cms-secondary')]);
    expect(primary.acd).to.include({ state: 'DATA_TRANSFER', target: 'cm' });
    expect(secondary.acd).to.include({ state: 'DATA_TRANSFER', target: 'cm' });
    expect(site.timeline).to.keepRole('cms-primary', 'ACTIVE').throughout(site.timeline.span(span.fromNs, span.toNs));
    expect(site.timeline).to.keepRole('cms-secondary', 'STANDBY').throughout(site.timeline.span(span.fromNs, span.toNs));
    expect(site.timeline).to.exactlyOneActive();
    expect(site.timeline).to.haveNoDualActive();
  });

  it('sends the heartbeat at the configured period', async () => {
    const { site } = fixture;
    const beats = 4;
    await site.observeFor((beats + 0.5) * site.timers.heartbeatIntervalMs, `${beats} heartbeat periods`);
    const sent = site.timeline
      .events((e) => e.node === 'cms-secondary' && e.type === 'heartbeat' && e.outcome === 'sent')
      .slice(-beats - 1);
    expect(sent.length, 'heartbeats sent by cms-secondary').to.be.at.least(beats);
    const bounds = heartbeatPeriod(site.windows);
    for (let i = 1; i < sent.length; i += 1) {
      const anchorNs = BigInt(sent[i - 1]!.atNs);
      const window = site.window(`heartbeat period ${i}`, bounds, {
        anchorNs,
        anchorLabel: `heartbeat ${i} sent`,
        description: 'time between two heartbeats',
      });
      const periodMs = Number(BigInt(sent[i]!.atNs) - anchorNs) / 1e6;
      const within = periodMs >= window.fromMs && periodMs <= window.toMs;
      site.evidence.addMeasurement({
        name: `heartbeat period ${i}`,
        description: 'heartbeat period',
        valueMs: periodMs,
        anchorNs,
        atNs: sent[i]!.atNs,
        window,
        withinWindow: within,
      });
      expect(periodMs, `heartbeat period ${i} (${window.derivation})`).to.be.within(window.fromMs, window.toMs);
    }
    const missed = site.timeline.events((e) => e.type === 'heartbeat' && e.outcome === 'missed');
    expect(missed, 'missed heartbeats on a sunny day').to.have.length(0);
  });

  it('delivers the same ACD data stream to both CMS without a gap', async () => {
    const { site } = fixture;
    const secondsOfData = 2 * site.timers.heartbeatIntervalMs;
    await site.observeFor(secondsOfData, 'ACD data flowing');
    const [primary, secondary] = await Promise.all([site.status('cms-primary'), site.status('cms-secondary')]);
    // One CM sequence feeds both: read a moment apart, the two last sequence numbers differ by at most the
    // events sent in one poll round trip (a few at acdEventRateHz).
    expect(primary.acdData!.received).to.be.greaterThan(0);
    expect(Math.abs(primary.acdData!.lastSeq - secondary.acdData!.lastSeq)).to.be.at.most(Math.ceil(site.timers.acdEventRateHz / 2) + 1);
    expect(primary.acdData!.gaps).to.equal(0);
    expect(secondary.acdData!.gaps).to.equal(0);
    expect(site.timeline).to.haveNoAcdGap('cms-primary');
    expect(site.timeline).to.haveNoAcdGap('cms-secondary');
  });
});
