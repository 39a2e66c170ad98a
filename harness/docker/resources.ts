// Containers and networks of one topology: create them labelled, and remove them idempotently.
// Removal tolerates "already gone" so teardown can run twice, or after a crash, without failing.

import type Docker from 'dockerode';
import { docker } from './client.js';
import { LABEL_TOPOLOGY, labelsFor } from './labels.js';
import { notYet, waitFor } from '../core/poll.js';

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

/**
 * Removes a container (killing it first if it runs or is paused) and waits until the engine no longer has it.
 * It is disconnected from its networks first, explicitly: the engine otherwise releases the endpoints
 * asynchronously after the container exits, and a network removed in that window can stay stuck for good
 * ("has active endpoints" with no container on it, until the engine restarts).
 */
export async function removeContainer(id: string): Promise<void> {
  const container = docker().getContainer(id);
  const info = await ignoreGone(container.inspect());
  for (const network of Object.keys(info?.NetworkSettings.Networks ?? {})) {
    await ignoreGone(docker().getNetwork(network).disconnect({ Container: id, Force: true })).catch(() => undefined);
  }
  try {
    await ignoreGone(container.remove({ force: true, v: true }));
  } catch (error) {
    // Someone else (a signal's teardown, a concurrent stop) is already removing it: wait for that instead.
    if (!/already in progress/.test((error as Error).message)) throw error;
  }
  await waitFor(
    () => ignoreGone(container.inspect()).then((info) => (info === undefined ? true : notYet(`container ${id.slice(0, 12)} still exists`))),
    {
      deadlineMs: 20_000,
      label: `container ${id.slice(0, 12)} to be removed`,
      intervalsMs: [50, 100, 250],
    },
  );
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
  // One at a time: concurrent endpoint removals on one network can lose an update of the engine's endpoint
  // count, and the network then stays "in use" with nothing on it until the engine restarts.
  for (const c of containers) await removeContainer(c.Id);
  const networks = await docker().listNetworks({ filters: { label: labelFilter } });
  await Promise.all(networks.map((n) => removeNetwork(n.Id)));
  return { containers: containers.length, networks: networks.length };
}

const removals = new Map<string, Promise<{ containers: number; networks: number }>>();

/**
 * Removes every container and network of a topology. Concurrent calls for one topology (stop() racing a
 * signal's teardown) share one removal: two removals racing each other leave the engine with stuck networks.
 */
export function removeTopologyResources(topologyId: string): Promise<{ containers: number; networks: number }> {
  let removal = removals.get(topologyId);
  if (!removal) {
    removal = removeLabelled([`${LABEL_TOPOLOGY}=${topologyId}`]).finally(() => removals.delete(topologyId));
    removals.set(topologyId, removal);
  }
  return removal;
}

/** The address of a container on one network, as the host reaches it. */
export async function addressOn(container: Docker.Container, networkName: string): Promise<string> {
  const info = await container.inspect();
  const address = info.NetworkSettings.Networks[networkName]?.IPAddress;
  if (!address) throw new Error(`container ${info.Name} has no address on network ${networkName}`);
  return address;
}
