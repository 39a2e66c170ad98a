// Unit tests of teardown against a fake engine: the order containers and networks go in, one holder at a time,
// one shared removal per topology, and "already gone" taken as done.

import { expect } from 'chai';
import { engineError, FakeDocker } from '../testing/fake-docker.js';
import { LABEL_PART, LABEL_RUN, LABEL_TOPOLOGY } from './labels.js';
import { createInternalNetwork, ignoreGone, removeContainer, removeLabelled, removeNetwork, removeTopologyResources } from './resources.js';

/** A topology as the engine holds it: two networks, holders and Toxiproxy on them, stand-ins in the holders' namespaces. */
function topology(fake: FakeDocker, id: string): void {
  const labels = (extra: Record<string, string> = {}) => ({ [LABEL_RUN]: 'run1', [LABEL_TOPOLOGY]: id, ...extra });
  fake.addNetwork(`${id}-control`, labels());
  fake.addNetwork(`${id}-data`, labels());
  for (const node of ['cms-primary', 'cms-secondary', 'cm']) {
    fake.addContainer(`${id}-holder-${node}`, labels({ [LABEL_PART]: 'holder' }), [`${id}-control`, `${id}-data`]);
    fake.addContainer(`${id}-${node}`, labels({ [LABEL_PART]: 'standin' }));
  }
  fake.addContainer(`${id}-toxiproxy`, labels({ [LABEL_PART]: 'toxiproxy' }), [`${id}-control`, `${id}-data`]);
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

describe('removeLabelled', () => {
  it('removes every stand-in before any holder or the Toxiproxy server', async () => {
    const fake = new FakeDocker();
    topology(fake, 't1');
    await removeLabelled(fake.client, [`${LABEL_TOPOLOGY}=t1`]);
    const standins = fake.removals.filter((r) => r.part === 'standin');
    const others = fake.removals.filter((r) => r.part !== 'standin');
    expect(standins).to.have.length(3);
    expect(others).to.have.length(4);
    expect(Math.max(...standins.map((r) => r.end))).to.be.below(Math.min(...others.map((r) => r.start)));
  });

  it('removes the stand-ins together', async () => {
    const fake = new FakeDocker();
    topology(fake, 't1');
    await removeLabelled(fake.client, [`${LABEL_TOPOLOGY}=t1`]);
    const standins = fake.removals.filter((r) => r.part === 'standin');
    expect(Math.max(...standins.map((r) => r.start))).to.be.below(Math.min(...standins.map((r) => r.end)));
  });

  it('never removes two holders (or a holder and Toxiproxy) at once', async () => {
    const fake = new FakeDocker();
    topology(fake, 't1');
    await removeLabelled(fake.client, [`${LABEL_TOPOLOGY}=t1`]);
    const endpointOwners = fake.removals.filter((r) => r.part !== 'standin');
    for (const [i, a] of endpointOwners.entries()) {
      for (const b of endpointOwners.slice(i + 1)) expect(overlaps(a, b), `${a.id} and ${b.id} overlap`).to.equal(false);
    }
  });

  it('removes the networks last, once every container is gone', async () => {
    const fake = new FakeDocker();
    topology(fake, 't1');
    const removed = await removeLabelled(fake.client, [`${LABEL_TOPOLOGY}=t1`]);
    expect(removed).to.deep.equal({ containers: 7, networks: 2 });
    expect(fake.networkRemovals).to.have.length(2);
    const lastContainer = Math.max(...fake.removals.map((r) => r.end));
    for (const network of fake.networkRemovals) expect(network.at).to.be.above(lastContainer);
    expect(fake.containers.size).to.equal(0);
    expect(fake.networks.size).to.equal(0);
  });

  it('leaves resources that do not carry the label filter', async () => {
    const fake = new FakeDocker();
    topology(fake, 't1');
    topology(fake, 't2');
    await removeLabelled(fake.client, [`${LABEL_TOPOLOGY}=t1`]);
    expect([...fake.containers.values()].every((c) => c.labels[LABEL_TOPOLOGY] === 't2')).to.equal(true);
    expect(fake.containers.size).to.equal(7);
    expect(fake.networks.size).to.equal(2);
  });
});

describe('removeTopologyResources', () => {
  it('removes a topology once when called twice concurrently', async () => {
    const fake = new FakeDocker();
    topology(fake, 'shared1');
    const first = removeTopologyResources(fake.client, 'shared1');
    const second = removeTopologyResources(fake.client, 'shared1');
    expect(second).to.equal(first);
    await Promise.all([first, second]);
    expect(fake.calls.filter((c) => c === 'listContainers')).to.have.length(1);
    expect(fake.removals).to.have.length(7);
  });

  it('removes again when called after the earlier removal finished', async () => {
    const fake = new FakeDocker();
    topology(fake, 'shared2');
    await removeTopologyResources(fake.client, 'shared2');
    const again = await removeTopologyResources(fake.client, 'shared2');
    expect(again).to.deep.equal({ containers: 0, networks: 0 });
    expect(fake.calls.filter((c) => c === 'listContainers')).to.have.length(2);
  });

  it('lets a later call try again after a removal failed', async () => {
    const fake = new FakeDocker();
    topology(fake, 'shared3');
    const holder = [...fake.containers.values()].find((c) => c.labels[LABEL_PART] === 'holder')!;
    fake.failingRemovals.add(holder.id);
    let failure: unknown;
    await removeTopologyResources(fake.client, 'shared3').catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.contain('driver failed');
    fake.failingRemovals.clear();
    await removeTopologyResources(fake.client, 'shared3');
    expect(fake.containers.size).to.equal(0);
  });
});

describe('ignoreGone', () => {
  it('answers undefined when the engine says the thing is gone (404)', async () => {
    expect(await ignoreGone(Promise.reject(engineError(404, 'no such container')))).to.equal(undefined);
  });

  it('answers undefined when the engine says nothing changed (304)', async () => {
    expect(await ignoreGone(Promise.reject(engineError(304, 'container already started')))).to.equal(undefined);
  });

  it('rethrows any other engine error', async () => {
    let error: unknown;
    await ignoreGone(Promise.reject(engineError(500, 'server error'))).catch((e: unknown) => (error = e));
    expect((error as { statusCode: number }).statusCode).to.equal(500);
  });

  it('passes a value through', async () => {
    expect(await ignoreGone(Promise.resolve(42))).to.equal(42);
  });
});

describe('removeContainer', () => {
  it('resolves for a container that is already gone', async () => {
    const fake = new FakeDocker();
    await removeContainer(fake.client, 'c-never-was');
    expect(fake.removals).to.deep.equal([]);
  });

  it('disconnects the container from its networks so their endpoints are released before it goes', async () => {
    const fake = new FakeDocker();
    const network = fake.addNetwork('net', {});
    const id = fake.addContainer('holder', {}, ['net']);
    await removeContainer(fake.client, id);
    expect(fake.networks.get(network)?.endpoints.size).to.equal(0);
    expect(fake.containers.has(id)).to.equal(false);
  });

  it('waits for a removal someone else already started instead of failing', async () => {
    let inspections = 0;
    const fake = new FakeDocker();
    const id = fake.addContainer('c1', {});
    const container = fake.getContainer(id);
    fake.getContainer = () => ({
      ...container,
      // Present at first and for one more look, then gone: the other removal finishing.
      inspect: async () => {
        inspections += 1;
        if (inspections > 2) throw engineError(404, 'no such container');
        return container.inspect();
      },
      remove: async () => {
        throw engineError(409, `removal of container ${id} is already in progress`);
      },
    });
    await removeContainer(fake.client, id);
    expect(inspections).to.equal(3);
  });
});

describe('removeNetwork', () => {
  it('waits until the engine shows no endpoint on the network, then removes it', async () => {
    const fake = new FakeDocker();
    const network = fake.addNetwork('net', {});
    const id = fake.addContainer('late', {}, ['net']);
    // The engine releasing a removed container's endpoint a little later.
    setTimeout(() => fake.networks.get(network)?.endpoints.delete(id), 60);
    await removeNetwork(fake.client, network);
    expect(fake.networks.has(network)).to.equal(false);
  });

  it('resolves for a network that is already gone', async () => {
    const fake = new FakeDocker();
    await removeNetwork(fake.client, 'n-never-was');
  });
});

describe('createInternalNetwork', () => {
  it('creates an internal bridge network labelled with the topology', async () => {
    const fake = new FakeDocker();
    await createInternalNetwork(fake.client, 't1-data', 't1', { extra: 'x' });
    expect(fake.createdNetworks[0]).to.deep.include({ Name: 't1-data', Driver: 'bridge', Internal: true });
    expect(fake.createdNetworks[0]?.Labels).to.include({ [LABEL_TOPOLOGY]: 't1', extra: 'x' });
  });
});
