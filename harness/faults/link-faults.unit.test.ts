// Unit tests of link faults against a fake Toxiproxy: each fault adds the right toxics with the right attributes on
// the right streams, heals exactly what it added, and bad input is rejected before anything is sent.

import { expect } from 'chai';
import { HarnessError, isHarnessError } from '../core/errors.js';
import { FakeToxiproxy } from '../testing/fake-toxiproxy.js';
import { FaultLog } from './fault-log.js';
import { HOLD_MS, LinkFaults } from './link-faults.js';

const LINKS = ['heartbeat', 'acd-primary', 'acd-secondary', 'admin-sync'];

function setUp() {
  const toxiproxy = new FakeToxiproxy(LINKS);
  const log = new FaultLog();
  const faults = new LinkFaults(toxiproxy.client, new Set(LINKS), log);
  return { toxiproxy, log, faults, heartbeat: toxiproxy.proxy('heartbeat') };
}

async function rejection(work: () => Promise<unknown>): Promise<HarnessError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('LinkFaults', () => {
  it('adds a latency toxic on both streams by default, with the latency and jitter given', async () => {
    const { faults, heartbeat } = setUp();
    await faults.latency('heartbeat', { latencyMs: 250, jitterMs: 20 });
    expect(heartbeat.added.map((t) => t.stream)).to.deep.equal(['upstream', 'downstream']);
    for (const toxic of heartbeat.added) {
      expect(toxic).to.deep.include({ type: 'latency', toxicity: 1, attributes: { latency: 250, jitter: 20 } });
    }
  });

  it('adds a toxic on one stream only when a direction is given', async () => {
    const { faults, heartbeat } = setUp();
    await faults.latency('heartbeat', { latencyMs: 100, direction: 'downstream' });
    expect(heartbeat.added.map((t) => t.stream)).to.deep.equal(['downstream']);
    expect(heartbeat.added[0]?.attributes).to.deep.equal({ latency: 100, jitter: 0 });
  });

  it('rounds latency and jitter to whole milliseconds, as Toxiproxy takes them', async () => {
    const { faults, heartbeat } = setUp();
    await faults.latency('heartbeat', { latencyMs: 12.6, jitterMs: 0.4, direction: 'upstream' });
    expect(heartbeat.added[0]?.attributes).to.deep.equal({ latency: 13, jitter: 0 });
  });

  it('removes exactly the toxics it added, leaving the others in force', async () => {
    const { faults, heartbeat } = setUp();
    const first = await faults.latency('heartbeat', { latencyMs: 100 });
    const second = await faults.bandwidth('heartbeat', { rateKBps: 10 });
    await first.remove();
    expect(heartbeat.removed.sort()).to.deep.equal(
      heartbeat.added
        .slice(0, 2)
        .map((t) => t.name)
        .sort(),
    );
    expect([...heartbeat.toxics.values()].map((t) => t.type)).to.deep.equal(['bandwidth', 'bandwidth']);
    await second.remove();
    expect(heartbeat.toxics.size).to.equal(0);
  });

  it('silences a blackholed link on each stream: closes held (slow_close) before the data is dropped (timeout 0)', async () => {
    const { faults, heartbeat } = setUp();
    await faults.blackhole('heartbeat');
    const byStream = (stream: string) => heartbeat.added.filter((t) => t.stream === stream).map((t) => [t.type, t.attributes]);
    for (const stream of ['upstream', 'downstream']) {
      expect(byStream(stream)).to.deep.equal([
        ['slow_close', { delay: HOLD_MS }],
        ['timeout', { timeout: 0 }],
      ]);
    }
  });

  it('heals a blackhole by making its toxics inert, the held closes first, never by removing them (which would close every connection)', async () => {
    const { faults, heartbeat, toxiproxy } = setUp();
    const handle = await faults.blackhole('heartbeat', { direction: 'upstream' });
    await handle.remove();
    expect(heartbeat.removed).to.deep.equal([]);
    expect(heartbeat.toxicUpdates.map((u) => [u.name.replace(/-[^-]+-(hold-close|drop)$/, '-$1'), u.toxicity])).to.deep.equal([
      ['blackhole-upstream-hold-close', 0],
      ['blackhole-upstream-drop', 0],
    ]);
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
  });

  it('cuts a link by disabling its proxy, keeping its addresses, and heals it by enabling it again', async () => {
    const { faults, heartbeat } = setUp();
    const handle = await faults.cut('heartbeat');
    expect(heartbeat.enabled).to.equal(false);
    expect(heartbeat.updates[0]).to.deep.equal({ enabled: false, listen: heartbeat.listen, upstream: heartbeat.upstream });
    await handle.remove();
    expect(heartbeat.enabled).to.equal(true);
    expect(heartbeat.updates.map((u) => u.enabled)).to.deep.equal([false, true]);
    expect(heartbeat.added).to.deep.equal([]);
  });

  it('adds bandwidth, reset-peer, slicer and limit-data toxics with Toxiproxy’s attribute names', async () => {
    const { faults, toxiproxy } = setUp();
    await faults.bandwidth('heartbeat', { rateKBps: 64, direction: 'upstream' });
    await faults.resetPeer('acd-primary', { timeoutMs: 500, direction: 'upstream' });
    await faults.slicer('acd-secondary', { averageSize: 16, sizeVariation: 4, delayUs: 100, direction: 'upstream' });
    await faults.limitData('admin-sync', { bytes: 1024, direction: 'upstream' });
    const seen = toxiproxy.toxicsInForce().map(({ link, type, attributes }) => ({ link, type, attributes }));
    expect(seen).to.deep.equal([
      { link: 'heartbeat', type: 'bandwidth', attributes: { rate: 64 } },
      { link: 'acd-primary', type: 'reset_peer', attributes: { timeout: 500 } },
      { link: 'acd-secondary', type: 'slicer', attributes: { average_size: 16, size_variation: 4, delay: 100 } },
      { link: 'admin-sync', type: 'limit_data', attributes: { bytes: 1024 } },
    ]);
  });

  it('resets connections at once when reset-peer is given no timeout', async () => {
    const { faults, heartbeat } = setUp();
    await faults.resetPeer('heartbeat');
    expect(heartbeat.added.map((t) => t.attributes)).to.deep.equal([{ timeout: 0 }, { timeout: 0 }]);
  });

  it('records each link fault with its kind, link, direction and attributes', async () => {
    const { faults, log } = setUp();
    const handle = await faults.latency('acd-primary', { latencyMs: 40, direction: 'upstream' });
    expect(handle.record).to.deep.include({
      kind: 'latency',
      target: 'acd-primary',
      direction: 'upstream',
      attributes: { latency: 40, jitter: 0 },
    });
    expect(log.records).to.deep.equal([handle.record]);
  });

  it('silences every given link both ways as one fault, and heals them all', async () => {
    const { faults, toxiproxy } = setUp();
    const handle = await faults.silenceAll('isolate', 'cms-primary', ['heartbeat', 'acd-primary']);
    const silenced = toxiproxy.toxicsInForce().map((t) => `${t.link}/${t.stream}/${t.type}`);
    expect(silenced.sort()).to.deep.equal(
      ['heartbeat', 'acd-primary']
        .flatMap((link) => ['downstream', 'upstream'].flatMap((stream) => [`${link}/${stream}/slow_close`, `${link}/${stream}/timeout`]))
        .sort(),
    );
    expect(handle.record).to.deep.include({
      kind: 'isolate',
      target: 'cms-primary',
      direction: 'both',
      attributes: { links: 'heartbeat acd-primary' },
    });
    await handle.remove();
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
    expect(toxiproxy.proxy('acd-secondary').added).to.deep.equal([]);
  });

  it('says a Toxiproxy that stopped answering is the harness’s failure (TOXIPROXY_FAILED), naming what it was asked', async () => {
    const { faults, heartbeat } = setUp();
    const handle = await faults.cut('heartbeat');
    heartbeat.update = async () => {
      throw new Error('connect ECONNREFUSED 172.18.0.3:8474');
    };
    const error = await rejection(() => handle.remove());
    expect(error.code).to.equal('TOXIPROXY_FAILED');
    expect(error.message).to.equal("the site's Toxiproxy did not heal cut on heartbeat: connect ECONNREFUSED 172.18.0.3:8474");
    const applying = await rejection(() => faults.cut('heartbeat'));
    expect(applying.message).to.match(/^the site's Toxiproxy did not apply cut on heartbeat/);
  });

  it('rejects an unknown link with BAD_INPUT naming the links there are, sending nothing', async () => {
    const { faults, toxiproxy } = setUp();
    const error = await rejection(() => faults.latency('no-such-link', { latencyMs: 10 }));
    expect(error.code).to.equal('BAD_INPUT');
    expect(error.message).to.contain('"no-such-link"');
    for (const link of LINKS) expect(error.message).to.contain(link);
    expect(error.details).to.deep.equal({ link: 'no-such-link' });
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
  });

  it('rejects an unknown link in silenceAll before silencing any of the others', async () => {
    const { faults, toxiproxy } = setUp();
    const error = await rejection(() => faults.silenceAll('isolate', 'cms-primary', ['heartbeat', 'nowhere']));
    expect(error.code).to.equal('BAD_INPUT');
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
  });

  it('rejects negative, infinite or missing numbers with BAD_INPUT naming the option', async () => {
    const { faults, toxiproxy } = setUp();
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['latencyMs', () => faults.latency('heartbeat', { latencyMs: -1 })],
      ['jitterMs', () => faults.latency('heartbeat', { latencyMs: 10, jitterMs: Number.NaN })],
      ['rateKBps', () => faults.bandwidth('heartbeat', { rateKBps: Number.POSITIVE_INFINITY })],
      ['timeoutMs', () => faults.resetPeer('heartbeat', { timeoutMs: -5 })],
      ['averageSize', () => faults.slicer('heartbeat', { averageSize: 0 })],
      ['bytes', () => faults.limitData('heartbeat', { bytes: -1 })],
    ];
    for (const [option, call] of cases) {
      const error = await rejection(async () => call());
      expect(isHarnessError(error, 'BAD_INPUT'), option).to.equal(true);
      expect(error.details['option']).to.equal(option);
      expect(error.message).to.contain(option);
    }
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
  });
});
