// Running one labelled container, locked down as far as the program allows: non-root, read-only root file
// system, every capability dropped, no privilege escalation, no DNS forwarding, memory and pid limits.

import type { DockerClient, EngineContainer } from './client.js';
import { LABEL_NODE, LABEL_PART, labelsFor, type ContainerPart } from './labels.js';

export interface ContainerSpec {
  /** Unique container name on the engine. */
  name: string;
  image: string;
  topologyId: string;
  /** Node name for the `cmsha.node` label ('toxiproxy' for the proxy server). */
  node: string;
  part: ContainerPart;
  env?: Record<string, string>;
  cmd?: string[];
  /**
   * Networks to join, first one at creation; `aliases` are the DNS names on that network. Leave empty with
   * `shareNetworkOf`.
   */
  networks: Array<{ name: string; aliases?: string[] }>;
  /** Join another container's network namespace (its addresses, its ports) instead of networks of its own. */
  shareNetworkOf?: string;
  /** A writable anonymous volume at this path (it outlives the process, not the container). Default none. */
  volumeAt?: string;
  /** Mount every volume of this container at its path (a stand-in uses its holder's data volume). Default none. */
  volumesFrom?: string;
  /** uid:gid to run as. Default 10001:10001. */
  user?: string;
  /** Memory limit in bytes. Default 256 MiB. */
  memoryBytes?: number;
  /** Run docker-init as PID 1 (reaps, forwards signals). Default true. */
  init?: boolean;
  /** Labels on top of the harness's own (cmsha.keep for a site kept by `cmsha up`). */
  labels?: Record<string, string>;
}

/** Creates the container (not started): callers start it, so a topology can start many at once. */
export async function createContainer(docker: DockerClient, spec: ContainerSpec): Promise<EngineContainer> {
  const [first, ...rest] = spec.networks;
  if (!first && !spec.shareNetworkOf) throw new Error(`container ${spec.name} needs a network or a container to share one with`);
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    User: spec.user ?? '10001:10001',
    Labels: labelsFor(spec.topologyId, { ...spec.labels, [LABEL_NODE]: spec.node, [LABEL_PART]: spec.part }),
    HostConfig: {
      NetworkMode: spec.shareNetworkOf ? `container:${spec.shareNetworkOf}` : first!.name,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: spec.init ?? true,
      // Names the network does not know must not be forwarded to the host's resolver: nothing leaves the machine.
      // (The data path uses addresses, never names, so no lookup can stall a proxy either.)
      ...(spec.shareNetworkOf ? {} : { Dns: ['127.0.0.1'] }),
      Memory: spec.memoryBytes ?? 256 * 1024 * 1024,
      PidsLimit: 256,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '5m' } },
      // An anonymous volume (no Source): it survives a restart of the container and goes with its removal.
      ...(spec.volumeAt ? { Mounts: [{ Type: 'volume' as const, Source: '', Target: spec.volumeAt }] } : {}),
      ...(spec.volumesFrom ? { VolumesFrom: [spec.volumesFrom] } : {}),
    },
    ...(first && !spec.shareNetworkOf ? { NetworkingConfig: { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } } } : {}),
  });
  for (const network of spec.shareNetworkOf ? [] : rest) {
    await docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases ?? [] } });
  }
  return container;
}

/** Creates and starts one container. */
export async function runContainer(docker: DockerClient, spec: ContainerSpec): Promise<EngineContainer> {
  const container = await createContainer(docker, spec);
  await container.start();
  return container;
}

/** The address of a container on one network, as the host and the other containers reach it. */
export async function addressOn(container: EngineContainer, networkName: string): Promise<string> {
  const info = await container.inspect();
  const address = info.NetworkSettings.Networks[networkName]?.IPAddress;
  if (!address) throw new Error(`container ${info.Name} has no address on network ${networkName}`);
  return address;
}

/** The last `lines` lines of a container's output (stdout and stderr), demultiplexed. */
export async function tailLogs(container: EngineContainer, lines = 50): Promise<string[]> {
  const buffer = await container.logs({ stdout: true, stderr: true, tail: lines, follow: false });
  return demux(buffer)
    .split('\n')
    .filter((line) => line.length > 0);
}

/** Docker multiplexes stdout/stderr in 8-byte framed chunks when there is no TTY. */
export function demux(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}
