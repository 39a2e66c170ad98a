// Running one labelled container on the topology's networks, locked down as far as the program allows:
// non-root, read-only root file system, every capability dropped, no privilege escalation, an init.

import type Docker from 'dockerode';
import { docker } from './client.js';
import { LABEL_NODE, labelsFor } from './labels.js';

export interface ContainerSpec {
  /** Unique container name on the engine. */
  name: string;
  image: string;
  topologyId: string;
  /** Node name for the `cmsha.node` label. */
  node: string;
  env?: Record<string, string>;
  cmd?: string[];
  /** Networks to join, first one at creation; `aliases` are the DNS names on that network. */
  networks: Array<{ name: string; aliases?: string[] }>;
  /** uid:gid to run as. Default 10001:10001. */
  user?: string;
  /** Memory limit in bytes. Default 256 MiB. */
  memoryBytes?: number;
}

export async function runContainer(spec: ContainerSpec): Promise<Docker.Container> {
  const [first, ...rest] = spec.networks;
  if (!first) throw new Error(`container ${spec.name} needs at least one network`);
  const container = await docker().createContainer({
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    User: spec.user ?? '10001:10001',
    Labels: labelsFor(spec.topologyId, { [LABEL_NODE]: spec.node }),
    HostConfig: {
      NetworkMode: first.name,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      // Names the network does not know must not be forwarded to the host's resolver: nothing leaves the machine.
      Dns: ['127.0.0.1'],
      Memory: spec.memoryBytes ?? 256 * 1024 * 1024,
      PidsLimit: 256,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '5m' } },
    },
    NetworkingConfig: { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } },
  });
  for (const network of rest) {
    await docker()
      .getNetwork(network.name)
      .connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases ?? [] } });
  }
  await container.start();
  return container;
}

/** The last `lines` lines of a container's output (stdout and stderr), demultiplexed. */
export async function tailLogs(container: Docker.Container, lines = 50): Promise<string[]> {
  const buffer = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
  return demux(buffer)
    .split('\n')
    .filter((line) => line.length > 0);
}

/** Docker multiplexes stdout/stderr in 8-byte framed chunks when there is no TTY. */
function demux(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}
