// Unit tests of the fault specs a scenario names: each one applies as the call it stands for on a (fake) started
// topology, with the arguments the scenario gave and sizes taken from the site as the stand-ins run it.

import { expect } from 'chai';
import { DEFAULT_SITE, scaleSite, withSite } from '../core/site-config.js';
import type { FaultHandle } from '../faults/fault-log.js';
import type { StartedTopology } from '../topology/topology.js';
import { blackhole, cut, isolate, kill, latency, pause, stop } from './faults.js';

function fakeTopology() {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return {} as FaultHandle;
    };
  const topology = {
    nodes: { kill: record('kill'), stop: record('stop'), pause: record('pause'), isolate: record('isolate') },
    links: { cut: record('cut'), blackhole: record('blackhole'), latency: record('latency') },
  } as unknown as StartedTopology;
  return { calls, topology };
}

const SCALED = scaleSite(withSite(DEFAULT_SITE, { timers: { heartbeatTimeoutMs: 8_000 } }), 0.05); // timeout 400 ms

describe('fault specs', () => {
  it('apply node faults as the node calls of the topology, a stop with 1 s of grace', async () => {
    const { calls, topology } = fakeTopology();
    for (const spec of [kill('cms-primary'), stop('cm'), pause('ess'), isolate('cms-secondary')]) await spec.apply(topology, SCALED);
    expect(calls).to.deep.equal([
      ['kill', 'cms-primary'],
      ['stop', 'cm', 1],
      ['pause', 'ess'],
      ['isolate', 'cms-secondary'],
    ]);
  });

  it('apply link faults as the link calls of the topology, with the direction given', async () => {
    const { calls, topology } = fakeTopology();
    await cut('heartbeat').apply(topology, SCALED);
    await blackhole('acd-primary', { direction: 'upstream' }).apply(topology, SCALED);
    expect(calls).to.deep.equal([
      ['cut', 'heartbeat'],
      ['blackhole', 'acd-primary', { direction: 'upstream' }],
    ]);
  });

  it('size a latency from the scaled site', async () => {
    const { calls, topology } = fakeTopology();
    const spec = latency('heartbeat', (site) => ({ latencyMs: site.timers.heartbeatTimeoutMs / 2, jitterMs: 10 }), {
      direction: 'downstream',
    });
    await spec.apply(topology, SCALED);
    expect(calls).to.deep.equal([['latency', 'heartbeat', { latencyMs: 200, jitterMs: 10, direction: 'downstream' }]]);
  });

  it('carry the kind, the target and the words a test title reads', () => {
    expect(
      [kill('cm'), cut('heartbeat'), blackhole('admin-sync')].map(({ kind, target, words }) => ({ kind, target, words })),
    ).to.deep.equal([
      { kind: 'kill', target: 'cm', words: 'killed (SIGKILL)' },
      { kind: 'cut', target: 'heartbeat', words: 'cut' },
      { kind: 'blackhole', target: 'admin-sync', words: 'silent (blackholed)' },
    ]);
  });
});
