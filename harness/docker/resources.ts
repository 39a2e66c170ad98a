// Networks and containers of one topology: create them labelled, and remove them idempotently.
// Removal tolerates "already gone" so teardown can run twice, or after a crash, without failing.

import { notYet, waitFor } from '../core/poll.js';
import type { DockerClient, EngineNetwork } from './client.js';
import { LABEL_PART, LABEL_TOPOLOGY, labelsFor } from './labels.js';

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
export async function createInternalNetwork(
  docker: DockerClient,
  name: string,
  topologyId: string,
  labels: Record<string, string> = {},
): Promise<EngineNetwork> {
  const created = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    Internal: true,
    CheckDuplicate: true,
    Labels: labelsFor(topologyId, labels),
  });
  return docker.getNetwork(created.id);
}

/**
 * Removes a container (killing it first if it runs or is paused) and waits until the engine no longer has it.
 * It is disconnected from its networks first, explicitly: the engine otherwise releases the endpoints
 * asynchronously after the container exits, and a network removed in that window can stay stuck for good
 * ("has active endpoints" with no container on it, until the engine restarts). Its anonymous volumes go with it.
 */
export async function removeContainer(docker: DockerClient, id: string): Promise<void> {
  const container = docker.getContainer(id);
  const info = await ignoreGone(container.inspect());
  for (const network of Object.keys(info?.NetworkSettings?.Networks ?? {})) {
    await ignoreGone(docker.getNetwork(network).disconnect({ Container: id, Force: true })).catch(() => undefined);
  }
  try {
    await ignoreGone(container.remove({ force: true, v: true }));
  } catch (error) {
    // Someone else (a signal's teardown, a concurrent stop) is already removing it: wait for that instead.
    if (!/already in progress/.test((error as Error).message)) throw error;
  }
  await waitFor(
    () => ignoreGone(container.inspect()).then((left) => (left === undefined ? true : notYet(`container ${id.slice(0, 12)} still exists`))),
    { deadlineMs: 20_000, label: `container ${id.slice(0, 12)} to be removed`, intervalsMs: [50, 100, 250] },
  );
}

/**
 * Removes a network once the engine shows no endpoint on it. The engine releases a removed container's
 * endpoint asynchronously, and removing the network inside that window can leave it stuck for good.
 */
export async function removeNetwork(docker: DockerClient, id: string): Promise<void> {
  const network = docker.getNetwork(id);
  await waitFor(
    async () => {
      const info = await ignoreGone(network.inspect());
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

export interface Removed {
  containers: number;
  networks: number;
}

/**
 * Removes every container, then every network, carrying the given label filter. Stand-ins go first and together:
 * they live in their holder's network namespace and own no endpoint. Holders and Toxiproxy go one at a time:
 * concurrent endpoint removals on one network can lose an update of the engine's endpoint count, and the network
 * then stays "in use" with nothing on it until the engine restarts.
 */
export async function removeLabelled(docker: DockerClient, labelFilter: string[]): Promise<Removed> {
  const containers = await docker.listContainers({ all: true, filters: { label: labelFilter } });
  const standins = containers.filter((c) => c.Labels?.[LABEL_PART] === 'standin');
  await Promise.all(standins.map((c) => removeContainer(docker, c.Id)));
  for (const c of containers.filter((c) => !standins.includes(c))) await removeContainer(docker, c.Id);
  const networks = await docker.listNetworks({ filters: { label: labelFilter } });
  await Promise.all(networks.map((n) => removeNetwork(docker, n.Id)));
  return { containers: containers.length, networks: networks.length };
}

const removals = new Map<string, Promise<Removed>>();

/**
 * Removes every container and network of a topology. Concurrent calls for one topology (stop() racing a
 * signal's teardown) share one removal: two removals racing each other leave the engine with stuck networks.
 */
export function removeTopologyResources(docker: DockerClient, topologyId: string): Promise<Removed> {
  let removal = removals.get(topologyId);
  if (!removal) {
    removal = removeLabelled(docker, [`${LABEL_TOPOLOGY}=${topologyId}`]).finally(() => removals.delete(topologyId));
    removals.set(topologyId, removal);
  }
  return removal;
}
