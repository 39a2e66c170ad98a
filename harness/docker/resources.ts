// Containers and networks of one topology: create them labelled, and remove them idempotently.
// Removal tolerates "already gone" so teardown can run twice, or after a crash, without failing.

import type Docker from 'dockerode';
import { docker } from './client.js';
import { LABEL_TOPOLOGY, labelsFor } from './labels.js';
import { notYet, waitFor } from '../observe/wait.js';

/** True for engine errors that mean the thing is already gone or already in the wanted state. */
function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status === 404 || status === 304;
}

export async function ignoreGone<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** An internal bridge network: containers on it reach each other and the host, never anything else. */
export async function createInternalNetwork(name: string, topologyId: string): Promise<Docker.Network> {
  const created = await docker().createNetwork({
    Name: name,
    Driver: 'bridge',
    Internal: true,
    CheckDuplicate: true,
    Labels: labelsFor(topologyId),
  });
  return docker().getNetwork(created.id);
}

export async function removeContainer(id: string): Promise<void> {
  // force: kills a running or paused container first; v: drops its anonymous volumes.
  await ignoreGone(docker().getContainer(id).remove({ force: true, v: true }));
}

/**
 * Removes a network once the engine shows no endpoint on it. The engine releases a removed container's
 * endpoint asynchronously, and removing the network inside that window can leave it stuck for good.
 */
export async function removeNetwork(id: string): Promise<void> {
  const network = docker().getNetwork(id);
  await waitFor(
    async () => {
      const info = (await ignoreGone(network.inspect())) as { Containers?: Record<string, unknown> } | undefined;
      const endpoints = Object.keys(info?.Containers ?? {}).length;
      if (endpoints > 0) return notYet(`${endpoints} endpoint(s) still attached`);
      try {
        await ignoreGone(network.remove());
        return true;
      } catch (error) {
        if (/active endpoints/.test((error as Error).message)) return notYet((error as Error).message);
        throw error;
      }
    },
    { deadlineMs: 20_000, label: `network ${id.slice(0, 12)} to be removable`, intervalsMs: [100, 250, 500] },
  );
}

/** Remove every container, then every network, carrying the given label filter. Returns what was removed. */
export async function removeLabelled(labelFilter: string[]): Promise<{ containers: number; networks: number }> {
  const containers = await docker().listContainers({ all: true, filters: { label: labelFilter } });
  await Promise.all(containers.map((c) => removeContainer(c.Id)));
  const networks = await docker().listNetworks({ filters: { label: labelFilter } });
  await Promise.all(networks.map((n) => removeNetwork(n.Id)));
  return { containers: containers.length, networks: networks.length };
}

export function removeTopologyResources(topologyId: string): Promise<{ containers: number; networks: number }> {
  return removeLabelled([`${LABEL_TOPOLOGY}=${topologyId}`]);
}

/** The address of a container on one network, as the host reaches it. */
export async function addressOn(container: Docker.Container, networkName: string): Promise<string> {
  const info = await container.inspect();
  const address = info.NetworkSettings.Networks[networkName]?.IPAddress;
  if (!address) throw new Error(`container ${info.Name} has no address on network ${networkName}`);
  return address;
}
