// The check of a site's own machinery after a failure, against a fake engine: a dead engine, a stopped or silent
// Toxiproxy, a stand-in or holder removed behind the harness's back are each named; a node a fault of the scenario
// killed is not; a working site passes.

import { expect } from 'chai';
import { FakeDocker } from '../testing/fake-docker.js';
import { checkMachinery, machineryFailed, type MachineryParts } from './machinery.js';
import { isHarnessError } from '../core/errors.js';

/** A site on a fake engine: Toxiproxy, and a stand-in and a holder for each of two nodes, all running. */
function site(fake = new FakeDocker()) {
  const add = (name: string) => fake.getContainer(fake.addContainer(name, {}));
  let toxiproxyAnswers: () => Promise<string> = async () => '{"version":"2.12.0"}';
  const parts: MachineryParts = {
    docker: fake.client,
    toxiproxy: { container: add('toxiproxy'), api: { getVersion: () => toxiproxyAnswers() } },
    standins: new Map([
      ['cms-primary', add('cms-primary')],
      ['cms-secondary', add('cms-secondary')],
    ]),
    holders: new Map([
      ['cms-primary', add('cms-primary-net')],
      ['cms-secondary', add('cms-secondary-net')],
    ]),
    heldDown: new Set(),
  };
  return {
    fake,
    parts,
    silenceToxiproxy: (reason: string) => {
      toxiproxyAnswers = async () => {
        throw new Error(reason);
      };
    },
  };
}

describe('the machinery check after a failure', () => {
  it('finds nothing wrong with a working site, a paused stand-in included (a pause is a fault of the scenario)', async () => {
    const { parts } = site();
    await parts.standins.get('cms-primary')!.pause();
    expect(await checkMachinery(parts)).to.equal(null);
  });

  it('names an engine that stopped answering, and asks nothing more of it', async () => {
    const { fake, parts } = site();
    fake.version = async () => {
      throw new Error('connect ECONNREFUSED /run/engine-2.sock');
    };
    expect(await checkMachinery(parts)).to.deep.equal({
      part: 'engine',
      cause: 'the engine at unix:///var/run/docker.sock stopped answering: connect ECONNREFUSED /run/engine-2.sock',
    });
    expect(fake.calls, 'no container was inspected').to.deep.equal([]);
  });

  it('names the site’s Toxiproxy when its container stopped, and when it runs but does not answer', async () => {
    const stopped = site();
    await stopped.parts.toxiproxy.container.stop();
    expect(await checkMachinery(stopped.parts)).to.deep.equal({
      part: 'toxiproxy',
      cause: "the site's Toxiproxy container is not running (exited)",
    });
    const silent = site();
    silent.silenceToxiproxy('connect ECONNREFUSED 172.18.0.3:8474');
    expect(await checkMachinery(silent.parts)).to.deep.equal({
      part: 'toxiproxy',
      cause: "the site's Toxiproxy stopped answering: connect ECONNREFUSED 172.18.0.3:8474",
    });
  });

  it('names a stand-in removed or stopped behind the harness’s back, but not one a fault of the scenario killed', async () => {
    const removed = site();
    await removed.parts.standins.get('cms-secondary')!.remove();
    expect(await checkMachinery(removed.parts)).to.deep.equal({
      part: 'standin',
      cause: "the cms-secondary stand-in's container is gone (removed), and no fault of the scenario did that",
    });
    const killed = site();
    await killed.parts.standins.get('cms-primary')!.kill();
    expect((await checkMachinery(killed.parts))?.cause).to.equal(
      "the cms-primary stand-in's container is not running (exited), and no fault of the scenario did that",
    );
    expect(await checkMachinery({ ...killed.parts, heldDown: new Set(['cms-primary']) }), 'killed by the scenario').to.equal(null);
  });

  it('names a network holder that is gone, even of a node the scenario killed: a holder is never down on purpose', async () => {
    const { parts } = site();
    await parts.holders.get('cms-primary')!.remove();
    expect(await checkMachinery({ ...parts, heldDown: new Set(['cms-primary']) })).to.deep.equal({
      part: 'holder',
      cause: 'the network holder of cms-primary is gone (removed), and no fault of the scenario did that',
    });
  });

  it('turns a failure into MACHINERY_FAILED naming the part, the failure kept as its cause', () => {
    const failure = new Error('cms-secondary lost its ACD link');
    const error = machineryFailed({ part: 'toxiproxy', cause: "the site's Toxiproxy stopped answering: reset" }, failure);
    expect(isHarnessError(error, 'MACHINERY_FAILED')).to.equal(true);
    expect(error.message).to.equal("the site's Toxiproxy stopped answering: reset");
    expect(error.details).to.deep.equal({ part: 'toxiproxy' });
    expect(error.cause).to.equal(failure);
  });
});
