// Unit tests of container creation against a fake engine: the lock-down options, the labels, and how a container
// joins its networks (its own, or another container's namespace) and gets its volume.

import { expect } from 'chai';
import { hostname } from 'node:os';
import { createContainer, demux, runContainer, type ContainerSpec } from './containers.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { LABEL_HOST, LABEL_KEEP, LABEL_NODE, LABEL_PART, LABEL_PID, LABEL_RUN, LABEL_TOPOLOGY, RUN_ID } from './labels.js';

function spec(change: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: 'cmsha-t1-cms-primary',
    image: 'cmsha/standin:abc',
    topologyId: 't1',
    node: 'cms-primary',
    part: 'standin',
    networks: [{ name: 'data-net', aliases: ['cms-primary'] }],
    ...change,
  };
}

async function created(change: Partial<ContainerSpec> = {}) {
  const fake = new FakeDocker();
  fake.addNetwork('data-net', {});
  fake.addNetwork('control-net', {});
  await createContainer(fake.client, spec(change));
  const options = fake.created[0];
  if (!options) throw new Error('createContainer sent nothing');
  return { fake, options, host: options.HostConfig ?? {} };
}

describe('createContainer', () => {
  it('runs the container as a non-root user with a read-only root file system, no capabilities and no privilege escalation', async () => {
    const { options, host } = await created();
    expect(options.User).to.equal('10001:10001');
    expect(host.ReadonlyRootfs).to.equal(true);
    expect(host.CapDrop).to.deep.equal(['ALL']);
    expect(host.SecurityOpt).to.deep.equal(['no-new-privileges']);
    expect(host.Init).to.equal(true);
  });

  it('limits memory to 256 MiB and processes to 256 unless told otherwise', async () => {
    const { host } = await created();
    expect(host.Memory).to.equal(256 * 1024 * 1024);
    expect(host.PidsLimit).to.equal(256);
    const custom = await created({ memoryBytes: 64 * 1024 * 1024, user: '65534:65534', init: false });
    expect(custom.host.Memory).to.equal(64 * 1024 * 1024);
    expect(custom.options.User).to.equal('65534:65534');
    expect(custom.host.Init).to.equal(false);
  });

  it('points DNS at 127.0.0.1 so no name is forwarded to the host resolver', async () => {
    const { host } = await created();
    expect(host.Dns).to.deep.equal(['127.0.0.1']);
  });

  it('labels the container with the run, topology, pid, host, node, part and the extra labels', async () => {
    const { options } = await created({ labels: { [LABEL_KEEP]: '1' } });
    expect(options.Labels).to.deep.equal({
      [LABEL_RUN]: RUN_ID,
      [LABEL_TOPOLOGY]: 't1',
      [LABEL_PID]: String(process.pid),
      [LABEL_HOST]: hostname(),
      [LABEL_NODE]: 'cms-primary',
      [LABEL_PART]: 'standin',
      [LABEL_KEEP]: '1',
    });
  });

  it('joins the first network at creation with its aliases and connects the others afterwards', async () => {
    const { fake, options, host } = await created({
      networks: [
        { name: 'data-net', aliases: ['cms-primary'] },
        { name: 'control-net', aliases: ['cms-primary-control'] },
      ],
    });
    expect(host.NetworkMode).to.equal('data-net');
    expect(options.NetworkingConfig).to.deep.equal({ EndpointsConfig: { 'data-net': { Aliases: ['cms-primary'] } } });
    expect(fake.connects).to.have.length(1);
    expect(fake.connects[0]?.network).to.equal('control-net');
    expect(fake.connects[0]?.options).to.deep.include({ EndpointConfig: { Aliases: ['cms-primary-control'] } });
  });

  it('sends no Dns and no NetworkingConfig when sharing another container’s network namespace', async () => {
    const { fake, options, host } = await created({ networks: [], shareNetworkOf: 'cmsha-t1-holder-cms-primary' });
    expect(host.NetworkMode).to.equal('container:cmsha-t1-holder-cms-primary');
    expect(host).not.to.have.property('Dns');
    expect(options).not.to.have.property('NetworkingConfig');
    expect(fake.connects).to.deep.equal([]);
  });

  it('ignores listed networks when sharing a namespace, since the namespace owner holds the endpoints', async () => {
    const { fake, options } = await created({ shareNetworkOf: 'holder', networks: [{ name: 'data-net' }, { name: 'control-net' }] });
    expect(options).not.to.have.property('NetworkingConfig');
    expect(fake.connects).to.deep.equal([]);
  });

  it('mounts an anonymous volume at volumeAt and none when it is not given', async () => {
    const withVolume = await created({ volumeAt: '/data' });
    expect(withVolume.host.Mounts).to.deep.equal([{ Type: 'volume', Source: '', Target: '/data' }]);
    const without = await created();
    expect(without.host).not.to.have.property('Mounts');
  });

  it('passes the environment as KEY=value pairs and the command when given', async () => {
    const { options } = await created({ env: { NODE: 'cms-primary', PORT: '7000' }, cmd: ['node', 'main.js'] });
    expect(options.Env).to.deep.equal(['NODE=cms-primary', 'PORT=7000']);
    expect(options.Cmd).to.deep.equal(['node', 'main.js']);
  });

  it('rejects a container with neither a network nor a namespace to share', async () => {
    const fake = new FakeDocker();
    let error: unknown;
    await createContainer(fake.client, spec({ networks: [] })).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.contain('needs a network or a container to share one with');
    expect(fake.created).to.deep.equal([]);
  });
});

describe('runContainer', () => {
  it('creates the container and starts it', async () => {
    const fake = new FakeDocker();
    fake.addNetwork('data-net', {});
    const container = await runContainer(fake.client, spec());
    expect(fake.calls).to.include(`start:${container.id}`);
  });
});

describe('demux', () => {
  it('joins the payloads of Docker’s 8-byte framed stdout/stderr chunks', () => {
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header.writeUInt8(stream, 0);
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).to.equal('out\nerr\n');
  });

  it('returns unframed output (a TTY container) as it is', () => {
    expect(demux(Buffer.from('plain'))).to.equal('plain');
  });
});
