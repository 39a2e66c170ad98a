// Foundation, end to end on the real engine and real Toxiproxy: a topology with a proxy on every link,
// each link fault biting and healing, two topologies side by side, and nothing left behind.

import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'chai';
import { Toxiproxy } from 'toxiproxy-node-client';
import { docker } from '../docker/client.js';
import { LABEL_RUN, LABEL_TOPOLOGY, RUN_ID } from '../docker/labels.js';
import { sweepOrphans } from '../docker/sweep.js';
import { HarnessError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import { cmsHaTopology } from './cms-ha.js';
import { Topology, type StartedTopology } from './topology.js';

const echoSpec = (name: string) => ({ ...cmsHaTopology({ image: 'echo', name }), timeScale: 0.05 });

async function labelled(label: string): Promise<{ containers: number; networks: number }> {
  const filters = { label: [label] };
  const [containers, networks] = await Promise.all([docker().listContainers({ all: true, filters }), docker().listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}

/** An open client connection to a link's proxy, with the bytes it has received so far. */
class Client {
  received = '';
  closed: 'open' | 'closed' | 'error' = 'open';
  private constructor(readonly socket: Socket) {
    socket.on('data', (data) => (this.received += data.toString()));
    socket.on('close', () => (this.closed = this.closed === 'open' ? 'closed' : this.closed));
    socket.on('error', () => (this.closed = 'error'));
  }
  static async open(address: { host: string; port: number }): Promise<Client> {
    const socket = connect(address.port, address.host);
    await once(socket, 'connect');
    return new Client(socket);
  }
  /** Sends `text` and waits for the echo, returning the round trip in ms. */
  async roundTrip(text: string, deadlineMs = 3_000): Promise<number> {
    const before = this.received.length;
    const sent = performance.now();
    this.socket.write(text);
    await waitFor(() => this.received.length >= before + text.length || undefined, {
      deadlineMs,
      label: `echo of "${text}"`,
      intervalsMs: [1, 2, 5],
    });
    return performance.now() - sent;
  }
  close(): void {
    this.socket.destroy();
  }
}

/** Resolves how a fresh connection to the proxy ends up: echoed, refused, or reset/closed. */
async function tryConnection(address: { host: string; port: number }): Promise<'echoed' | 'refused' | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(address.port, address.host);
    let received = '';
    const finish = (outcome: 'echoed' | 'refused' | 'closed') => {
      socket.destroy();
      resolve(outcome);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' ? 'refused' : 'closed'));
    socket.on('close', () => finish(received === 'ping' ? 'echoed' : 'closed'));
    socket.on('data', (data) => {
      received += data.toString();
      if (received === 'ping') finish('echoed');
    });
    socket.on('connect', () => socket.write('ping'));
    socket.setTimeout(3_000, () => finish('closed'));
  });
}

describe('foundation: a topology on the real engine with Toxiproxy on every link', function () {
  this.timeout(120_000);
  let topology: StartedTopology;

  before(async () => {
    topology = await new Topology(echoSpec('found')).start();
  });
  after(async () => {
    await topology?.stop();
  });

  it('creates one proxy per link of the default CMS HA topology, named after the link', async () => {
    const proxies = await new Toxiproxy(topology.toxiproxyApi).getAll();
    expect(Object.keys(proxies).sort()).to.deep.equal(topology.spec.links.map((l) => l.name).sort());
    for (const link of topology.spec.links) expect(proxies[link.name]!.upstream).to.equal(`${link.to}:${link.port}`);
    expect(topology.toxiproxyVersion).to.equal('2.12.0');
  });

  it('carries traffic through a proxy to the node behind it', async () => {
    const client = await Client.open(await topology.proxyAddress('heartbeat'));
    try {
      await client.roundTrip('hello through toxiproxy');
      expect(client.received).to.equal('hello through toxiproxy');
      const status = (await (await fetch(`${topology.controlUrl('cms-primary')}/status`)).json()) as { connections: number };
      expect(status.connections).to.be.at.least(1);
    } finally {
      client.close();
    }
  });

  it('refuses and resets connections while a link is cut, and carries traffic again once healed', async () => {
    const address = await topology.proxyAddress('acd-primary');
    const open = await Client.open(address);
    await open.roundTrip('before');
    const fault = await topology.links.cut('acd-primary');
    try {
      await waitFor(() => open.closed !== 'open' || undefined, { deadlineMs: 3_000, label: 'the open connection to be closed by the cut' });
      expect(await tryConnection(address)).to.equal('refused');
    } finally {
      await fault.remove();
      open.close();
    }
    expect(await tryConnection(address)).to.equal('echoed');
    expect(fault.record.removedNs).to.be.a('string');
  });

  it('holds the connection open but drops the data while a link is blackholed, and restores it when removed', async () => {
    const client = await Client.open(await topology.proxyAddress('admin-sync'));
    try {
      await client.roundTrip('before');
      const fault = await topology.links.blackhole('admin-sync');
      client.socket.write('swallowed');
      // The data must not come back while the toxic is in place; the connection must stay open.
      const swallowed = await waitFor(() => (client.received.includes('swallowed') ? 'leaked' : undefined), {
        deadlineMs: 1_000,
        label: 'blackholed data',
      }).then(
        () => 'leaked',
        (error: unknown) => (error instanceof HarnessError && error.code === 'TIMEOUT' ? 'held' : 'error'),
      );
      expect(swallowed).to.equal('held');
      expect(client.closed).to.equal('open');
      await fault.remove();
    } finally {
      client.close();
    }
    const fresh = await Client.open(await topology.proxyAddress('admin-sync'));
    try {
      await fresh.roundTrip('after');
      expect(fresh.received).to.equal('after');
    } finally {
      fresh.close();
    }
  });

  it('grows the round trip by the latency of the toxic, within 100 ms, and shrinks it back when removed', async () => {
    const client = await Client.open(await topology.proxyAddress('ess-cm'));
    const latencyMs = 300;
    try {
      const baseline = Math.max(await client.roundTrip('a'), await client.roundTrip('b'));
      const fault = await topology.links.latency('ess-cm', { latencyMs, direction: 'downstream' });
      const slowed = await client.roundTrip('c');
      await fault.remove();
      const healed = await client.roundTrip('d');
      expect(slowed).to.be.within(latencyMs, latencyMs + baseline + 100);
      expect(healed).to.be.below(latencyMs);
    } finally {
      client.close();
    }
  });

  it('resets connections with reset_peer and closes them after limit_data bytes', async () => {
    const reset = await topology.links.resetPeer('client-primary', { timeoutMs: 0 });
    expect(await tryConnection(await topology.proxyAddress('client-primary'))).to.equal('closed');
    await reset.remove();
    const limit = await topology.links.limitData('client-secondary', { bytes: 2, direction: 'downstream' });
    expect(await tryConnection(await topology.proxyAddress('client-secondary'))).to.equal('closed');
    await limit.remove();
    expect(await tryConnection(await topology.proxyAddress('client-secondary'))).to.equal('echoed');
  });

  it('rejects a fault on a link the topology does not have, naming it', async () => {
    const error = await topology.links.cut('no-such-link').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HarnessError).with.property('code', 'BAD_INPUT');
    expect((error as Error).message)
      .to.contain('"no-such-link"')
      .and.contain('acd-primary');
  });
});

describe('foundation: isolation and teardown', function () {
  this.timeout(180_000);

  it('runs two topologies at once without cross-talk', async () => {
    await using a = await new Topology(echoSpec('twin-a')).start();
    await using b = await new Topology(echoSpec('twin-b')).start();
    expect(a.id).to.not.equal(b.id);
    const client = await Client.open(await a.proxyAddress('acd-secondary'));
    await client.roundTrip('only a');
    client.close();
    const connections = async (t: StartedTopology) =>
      ((await (await fetch(`${t.controlUrl('cm')}/status`)).json()) as { connections: number }).connections;
    expect(await connections(a)).to.equal(1);
    expect(await connections(b)).to.equal(0);
    // Cutting a link of one topology leaves the same link of the other untouched.
    const cut = await a.links.cut('acd-secondary');
    expect(await tryConnection(await b.proxyAddress('acd-secondary'))).to.equal('echoed');
    await cut.remove();
  });

  it('leaves no container or network behind after stop, and stop is idempotent', async () => {
    const started = await new Topology(echoSpec('clean')).start();
    expect(await labelled(`${LABEL_TOPOLOGY}=${started.id}`)).to.deep.equal({ containers: 6, networks: 2 });
    await started.stop();
    await started.stop();
    expect(await labelled(`${LABEL_TOPOLOGY}=${started.id}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('removes what a failed start made, then rethrows', async () => {
    const before = await labelled(`${LABEL_RUN}=${RUN_ID}`);
    const images = {
      toxiproxy: 'cmsha/toxiproxy:2.12.0',
      nodeBase: 'none',
      standin: 'cmsha/no-such-image:0',
      echo: 'cmsha/no-such-image:0',
    };
    const error = await new Topology(echoSpec('broken')).start({ images }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HarnessError).with.property('code', 'START_FAILED');
    expect(await labelled(`${LABEL_RUN}=${RUN_ID}`)).to.deep.equal(before);
  });

  const fixture = fileURLToPath(new URL('./fixtures/hold-topology.js', import.meta.url));

  it('tears everything down when the process gets SIGINT in the middle of a run', async () => {
    const runId = `sigint-${process.pid}-${Date.now()}`;
    const child = execa(process.execPath, [fixture, 'hold'], { env: { CMSHA_RUN_ID: runId }, reject: false, all: true });
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('READY') || undefined, { deadlineMs: 60_000, label: 'the child topology to start' });
    expect((await labelled(`${LABEL_RUN}=${runId}`)).containers).to.equal(6);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).to.equal(130);
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('tears everything down when the code using a topology throws (await using)', async () => {
    const runId = `throw-${process.pid}-${Date.now()}`;
    const result = await execa(process.execPath, [fixture, 'throw'], { env: { CMSHA_RUN_ID: runId }, reject: false, all: true });
    expect(result.exitCode).to.not.equal(0);
    expect(result.all).to.contain('deliberate failure after start');
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('sweeps at start-up what a killed run left behind', async () => {
    const runId = `killed-${process.pid}-${Date.now()}`;
    const child = execa(process.execPath, [fixture, 'hold'], { env: { CMSHA_RUN_ID: runId }, reject: false, all: true });
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('READY') || undefined, { deadlineMs: 60_000, label: 'the child topology to start' });
    child.kill('SIGKILL');
    await child;
    expect((await labelled(`${LABEL_RUN}=${runId}`)).containers).to.equal(6);
    const swept = await sweepOrphans();
    expect(swept).to.have.length.of.at.least(1);
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });
});
