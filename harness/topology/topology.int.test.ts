// Foundation, end to end on the real engine and real Toxiproxy: a topology with a proxy on every link, each fault
// biting and each heal in effect the moment remove() resolves, a killed node refusing at once (no proxy stalls),
// a blackhole that ends with its connections intact, two topologies side by side, and nothing left behind.

import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'chai';
import { Toxiproxy } from 'toxiproxy-node-client';
import { HarnessError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import { defaultRunContext, runContextEnv, type ImageSet } from '../core/run-context.js';
import { connectDocker } from '../docker/client.js';
import { LABEL_RUN, LABEL_TOPOLOGY, RUN_ID } from '../docker/labels.js';
import { sweepOrphans } from '../docker/sweep.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { ensureImages } from '../setup/images.js';
import { cmsHaTopology } from './cms-ha.js';
import { Topology, type StartedTopology } from './topology.js';

const docker = connectDocker();
const echoSpec = (name: string) => cmsHaTopology({ image: 'echo', name, timeScale: 0.05 });
/** Five holders, five echo nodes and Toxiproxy. */
const CONTAINERS = 11;

let images: ImageSet;
/** Finds (or builds, on a fresh engine) the images once for both blocks. */
async function withImages(this: Mocha.Context): Promise<void> {
  this.timeout(300_000);
  images ??= (await ensureImages(docker)).images;
}

async function labelled(label: string): Promise<{ containers: number; networks: number }> {
  const filters = { label: [label] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
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

/** How a fresh connection to the proxy ends up: echoed, refused, or reset/closed; and how long it took. */
async function tryConnection(
  address: { host: string; port: number },
  timeoutMs = 3_000,
  payload = 'ping',
): Promise<{ outcome: 'echoed' | 'refused' | 'closed' | 'silent'; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(address.port, address.host);
    let received = '';
    // An absolute deadline, not the socket's idle timeout: a bandwidth toxic trickles bytes and is never idle.
    const deadline = setTimeout(() => finish('silent'), timeoutMs);
    const finish = (outcome: 'echoed' | 'refused' | 'closed' | 'silent') => {
      clearTimeout(deadline);
      socket.destroy();
      resolve({ outcome, ms: performance.now() - started });
    };
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' ? 'refused' : 'closed'));
    socket.on('close', () => finish(received === payload ? 'echoed' : 'closed'));
    socket.on('data', (data) => {
      received += data.toString();
      if (received === payload) finish('echoed');
    });
    socket.on('connect', () => socket.write(payload));
  });
}

describe('foundation: a topology on the real engine with Toxiproxy on every link', function () {
  this.timeout(120_000);
  let topology: StartedTopology;

  before(withImages);
  before(async () => {
    topology = await new Topology(echoSpec('found')).start({ docker, images });
  });
  after(async () => {
    await topology?.stop();
  });

  it('creates one proxy per link, named after the link, dialling the node by address (no name lookup on the data path)', async () => {
    const proxies = await new Toxiproxy(topology.toxiproxyApi).getAll();
    expect(Object.keys(proxies).sort()).to.deep.equal(topology.spec.links.map((l) => l.name).sort());
    for (const link of topology.spec.links)
      expect(proxies[link.name]!.upstream).to.match(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+:${link.port}$`));
    expect(topology.toxiproxyVersion).to.equal('2.12.0');
  });

  it('carries traffic through a proxy to the node behind it', async () => {
    const client = await Client.open(topology.proxyAddress('heartbeat'));
    try {
      await client.roundTrip('hello through toxiproxy');
      expect(client.received).to.equal('hello through toxiproxy');
    } finally {
      client.close();
    }
  });

  // Each fault bites, and the first connection after remove() resolves works at once: the heal is in effect.
  // A bandwidth or slicer toxic slows rather than blocks: its probe is big (16 KB at 1 KB/s) or sliced to bytes.
  const big = 'x'.repeat(16_384);
  const faults: Array<[string, string, (t: StartedTopology) => Promise<FaultHandle>, string?]> = [
    ['cut', 'acd-primary', (t) => t.links.cut('acd-primary')],
    ['blackhole', 'acd-primary', (t) => t.links.blackhole('acd-primary')],
    ['latency', 'acd-primary', (t) => t.links.latency('acd-primary', { latencyMs: 4_000 })],
    ['bandwidth', 'acd-primary', (t) => t.links.bandwidth('acd-primary', { rateKBps: 1 }), big],
    ['reset-peer', 'acd-primary', (t) => t.links.resetPeer('acd-primary')],
    ['slicer', 'acd-primary', (t) => t.links.slicer('acd-primary', { averageSize: 1, delayUs: 2_000_000 })],
    ['limit-data', 'acd-primary', (t) => t.links.limitData('acd-primary', { bytes: 1 })],
    ['kill', 'acd-primary', (t) => t.nodes.kill('cm')],
    ['stop', 'acd-primary', (t) => t.nodes.stop('cm', 1)],
    ['pause', 'acd-primary', (t) => t.nodes.pause('cm')],
    ['isolate', 'acd-primary', (t) => t.nodes.isolate('cm')],
  ];
  for (const [kind, link, apply, payload] of faults) {
    it(`bites with ${kind}, and the heal is in effect when remove() resolves`, async () => {
      const address = topology.proxyAddress(link);
      const fault = await apply(topology);
      const during = await tryConnection(address, 1_000, payload);
      await fault.remove();
      const after = await tryConnection(address, 1_000, payload);
      expect(during.outcome, `a connection during ${kind}`).to.not.equal('echoed');
      expect(after.outcome, `the first connection after ${kind} healed`).to.equal('echoed');
      expect(after.ms, `its round trip after ${kind} healed`).to.be.below(100);
      expect(fault.record.healedNs).to.be.a('string');
    });
  }

  it('refuses at once through the proxy of a killed node, and no other client of that proxy waits', async () => {
    const address = topology.proxyAddress('acd-secondary');
    const kill = await topology.nodes.kill('cm');
    try {
      const tries = await Promise.all(Array.from({ length: 5 }, () => tryConnection(address, 3_000)));
      for (const t of tries) {
        expect(t.outcome).to.equal('closed');
        expect(t.ms).to.be.below(200);
      }
    } finally {
      await kill.remove();
    }
  });

  it('keeps a connection open through a blackhole and carries on with it after the heal', async () => {
    const client = await Client.open(topology.proxyAddress('admin-sync'));
    try {
      await client.roundTrip('before');
      const fault = await topology.links.blackhole('admin-sync');
      client.socket.write('swallowed');
      const leaked = await waitFor(() => (client.received.includes('swallowed') ? true : undefined), {
        deadlineMs: 500,
        label: 'blackholed data',
      }).then(
        () => true,
        () => false,
      );
      expect(leaked, 'data through the blackhole').to.equal(false);
      expect(client.closed).to.equal('open');
      await fault.remove();
      await client.roundTrip('after');
      expect(client.closed).to.equal('open');
      expect(client.received).to.equal('beforeafter');
    } finally {
      client.close();
    }
  });

  it('grows the round trip by the latency of the toxic, within 100 ms, and shrinks it back when removed', async () => {
    const client = await Client.open(topology.proxyAddress('ess-cm'));
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
  before(withImages);

  it('runs two topologies at once without cross-talk', async () => {
    await using a = await new Topology(echoSpec('twin-a')).start({ docker, images });
    await using b = await new Topology(echoSpec('twin-b')).start({ docker, images });
    expect(a.id).to.not.equal(b.id);
    const client = await Client.open(a.proxyAddress('acd-secondary'));
    await client.roundTrip('only a');
    client.close();
    const connections = async (t: StartedTopology) =>
      ((await (await fetch(`${t.control('cm').baseUrl}/status`)).json()) as { connections: number }).connections;
    expect(await connections(a)).to.equal(1);
    expect(await connections(b)).to.equal(0);
    // Cutting a link of one topology leaves the same link of the other untouched.
    const cut = await a.links.cut('acd-secondary');
    expect((await tryConnection(b.proxyAddress('acd-secondary'))).outcome).to.equal('echoed');
    await cut.remove();
  });

  it('leaves no container or network behind after stop, and stop is idempotent', async () => {
    const started = await new Topology(echoSpec('clean')).start({ docker, images });
    expect(await labelled(`${LABEL_TOPOLOGY}=${started.id}`)).to.deep.equal({ containers: CONTAINERS, networks: 2 });
    await started.stop();
    await started.stop();
    expect(await labelled(`${LABEL_TOPOLOGY}=${started.id}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('removes what a failed start made, then rethrows', async () => {
    const before = await labelled(`${LABEL_RUN}=${RUN_ID}`);
    const broken = { ...images, echo: 'cmsha/no-such-image:0' };
    const error = await new Topology(echoSpec('broken')).start({ docker, images: broken }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HarnessError).with.property('code', 'START_FAILED');
    expect(await labelled(`${LABEL_RUN}=${RUN_ID}`)).to.deep.equal(before);
  });

  const fixture = fileURLToPath(new URL('../testing/hold-topology.js', import.meta.url));
  const childEnv = (runId: string) => ({ CMSHA_RUN_ID: runId, ...runContextEnv({ ...defaultRunContext(), images }) });

  it('tears everything down when the process gets SIGINT in the middle of a run', async () => {
    const runId = `sigint-${process.pid}-${Date.now()}`;
    const child = execa(process.execPath, [fixture, 'hold'], { env: childEnv(runId), reject: false, all: true });
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('READY') || undefined, { deadlineMs: 60_000, label: 'the child topology to start' });
    expect((await labelled(`${LABEL_RUN}=${runId}`)).containers).to.equal(CONTAINERS);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).to.equal(130);
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('tears everything down when the code using a topology throws (await using)', async () => {
    const runId = `throw-${process.pid}-${Date.now()}`;
    const result = await execa(process.execPath, [fixture, 'throw'], { env: childEnv(runId), reject: false, all: true });
    expect(result.exitCode).to.not.equal(0);
    expect(result.all).to.contain('deliberate failure after start');
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });

  it('sweeps at start-up what a killed run left behind', async () => {
    const runId = `killed-${process.pid}-${Date.now()}`;
    const child = execa(process.execPath, [fixture, 'hold'], { env: childEnv(runId), reject: false, all: true });
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('READY') || undefined, { deadlineMs: 60_000, label: 'the child topology to start' });
    child.kill('SIGKILL');
    await child;
    expect((await labelled(`${LABEL_RUN}=${runId}`)).containers).to.equal(CONTAINERS);
    const swept = await sweepOrphans(docker);
    expect(swept).to.have.length.of.at.least(1);
    expect(await labelled(`${LABEL_RUN}=${runId}`)).to.deep.equal({ containers: 0, networks: 0 });
  });
});
