// Unit tests of node faults with fake containers and a fake Toxiproxy: each fault sends the right call to the node's
// container, a kill or stop heals by starting it and waiting for it to run again, and isolation holds its links only.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { engineError } from '../testing/fake-docker.js';
import { FakeToxiproxy } from '../testing/fake-toxiproxy.js';
import { FaultLog } from './fault-log.js';
import { LinkFaults } from './link-faults.js';
import { NodeFaults, type NodeAccess, type NodeContainer } from './node-faults.js';

const NODES = ['cms-primary', 'cms-secondary', 'cm'];
const LINKS_OF: Record<string, string[]> = {
  'cms-primary': ['acd-primary', 'heartbeat', 'admin-sync'],
  'cms-secondary': ['acd-secondary', 'heartbeat', 'admin-sync'],
  cm: ['acd-primary', 'acd-secondary'],
};
const LINKS = ['acd-primary', 'acd-secondary', 'heartbeat', 'admin-sync'];

function setUp(options: { startAnswers?: () => Promise<void> } = {}) {
  const events: string[] = [];
  const container = (node: string): NodeContainer => ({
    kill: async (o: { signal: string }) => void events.push(`${node} kill ${o.signal}`),
    stop: async (o: { t: number }) => void events.push(`${node} stop t=${o.t}`),
    start: async () => {
      events.push(`${node} start`);
      await options.startAnswers?.();
    },
    pause: async () => void events.push(`${node} pause`),
    unpause: async () => void events.push(`${node} unpause`),
  });
  const access: NodeAccess = {
    container,
    restarted: async (node, beginGate) => {
      await beginGate?.();
      events.push(`${node} restarted`);
    },
    linksOf: (node) => LINKS_OF[node] ?? [],
    replace: async (node, to) => {
      events.push(`${node} replaced by ${to.image}${to.version ? ` (${to.version})` : ''}`);
      return container(node);
    },
  };
  const toxiproxy = new FakeToxiproxy(LINKS);
  const log = new FaultLog();
  const links = new LinkFaults(toxiproxy.client, new Set(LINKS), log);
  return { events, toxiproxy, log, nodes: new NodeFaults(access, new Set(NODES), links, log) };
}

describe('NodeFaults', () => {
  it('kills a node with SIGKILL and heals it by starting it and waiting until it runs again', async () => {
    const { events, nodes } = setUp();
    const handle = await nodes.kill('cms-primary');
    expect(events).to.deep.equal(['cms-primary kill SIGKILL']);
    expect(handle.record).to.deep.include({ kind: 'kill', target: 'cms-primary', direction: null, attributes: { signal: 'SIGKILL' } });
    await handle.remove();
    expect(events).to.deep.equal(['cms-primary kill SIGKILL', 'cms-primary start', 'cms-primary restarted']);
  });

  it('starts a killed node at once and lets it begin only when the gate given to remove() opens', async () => {
    const { events, nodes } = setUp();
    const handle = await nodes.kill('cms-primary');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const removal = handle.remove(() => gate.then(() => void events.push('gate opened')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.slice(1), 'started, waiting at the gate').to.deep.equal(['cms-primary start']);
    open();
    await removal;
    expect(events.slice(1)).to.deep.equal(['cms-primary start', 'gate opened', 'cms-primary restarted']);
  });

  it('stops a node with the grace period given and heals it by starting it and waiting until it runs again', async () => {
    const { events, nodes } = setUp();
    const handle = await nodes.stop('cms-secondary', 2);
    expect(events).to.deep.equal(['cms-secondary stop t=2']);
    expect(handle.record.attributes).to.deep.equal({ graceSeconds: 2 });
    await handle.remove();
    expect(events.slice(1)).to.deep.equal(['cms-secondary start', 'cms-secondary restarted']);
  });

  it('stops with a 5-second grace period by default', async () => {
    const { events, nodes } = setUp();
    await nodes.stop('cm');
    expect(events).to.deep.equal(['cm stop t=5']);
  });

  it('heals a kill even when the container already runs again (the engine answers 304)', async () => {
    const { events, nodes } = setUp({ startAnswers: () => Promise.reject(engineError(304, 'container already started')) });
    await (await nodes.kill('cm')).remove();
    expect(events).to.deep.equal(['cm kill SIGKILL', 'cm start', 'cm restarted']);
  });

  it('pauses a node and heals it by unpausing it, without a restart', async () => {
    const { events, nodes } = setUp();
    const handle = await nodes.pause('cm');
    await handle.remove();
    expect(events).to.deep.equal(['cm pause', 'cm unpause']);
  });

  it('isolates a node by silencing exactly its links, both ways, and heals them all', async () => {
    const { events, toxiproxy, nodes } = setUp();
    const handle = await nodes.isolate('cms-primary');
    const held = toxiproxy
      .toxicsInForce()
      .filter((t) => t.type === 'timeout')
      .map((t) => `${t.link}/${t.stream}`);
    expect(held.sort()).to.deep.equal(LINKS_OF['cms-primary']!.flatMap((l) => [`${l}/downstream`, `${l}/upstream`]).sort());
    expect(toxiproxy.toxicsInForce().filter((t) => t.type === 'slow_close')).to.have.length(held.length);
    expect(toxiproxy.proxy('acd-secondary').added).to.deep.equal([]);
    expect(handle.record).to.deep.include({ kind: 'isolate', target: 'cms-primary' });
    expect(events).to.deep.equal([]);
    await handle.remove();
    expect(toxiproxy.toxicsInForce()).to.deep.equal([]);
  });

  it('records each node fault in the shared fault log', async () => {
    const { log, nodes } = setUp();
    await nodes.kill('cm');
    await nodes.isolate('cms-secondary');
    expect(log.records.map((r) => `${r.kind} ${r.target}`)).to.deep.equal(['kill cm', 'isolate cms-secondary']);
  });

  it('rejects an unknown node with BAD_INPUT naming the nodes there are, touching no container', async () => {
    const { events, nodes } = setUp();
    for (const fault of [() => nodes.kill('ess'), () => nodes.stop('ess'), () => nodes.pause('ess'), () => nodes.isolate('ess')]) {
      let error: unknown;
      await Promise.resolve()
        .then(fault)
        .catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(HarnessError);
      expect((error as HarnessError).code).to.equal('BAD_INPUT');
      expect((error as HarnessError).message)
        .to.contain('Unknown node "ess"')
        .and.contain(NODES.join(', '));
    }
    expect(events).to.deep.equal([]);
  });

  it('upgrades a node: a graceful stop, then on remove() its stand-in replaced on the new image and begun', async () => {
    const { events, nodes } = setUp();
    const handle = await nodes.upgrade('cms-secondary', { image: 'cmsha/standin:candidate', version: '16.5.0' }, 2);
    expect(handle.record).to.include({ kind: 'stop', target: 'cms-secondary' });
    expect(handle.record.attributes).to.deep.equal({ graceSeconds: 2, upgradeTo: 'cmsha/standin:candidate', version: '16.5.0' });
    await handle.remove();
    expect(events).to.deep.equal([
      'cms-secondary stop t=2',
      'cms-secondary replaced by cmsha/standin:candidate (16.5.0)',
      'cms-secondary restarted',
    ]);
  });
});
