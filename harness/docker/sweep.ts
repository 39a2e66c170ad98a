// The start-up sweep: remove what a killed harness process left behind. A resource belongs to a dead run
// when the process id in its label no longer lives on this host; sites kept on purpose (`cmsha up`) are left.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DockerClient } from './client.js';
import { LABEL_HOST, LABEL_KEEP, LABEL_PID, LABEL_RUN, LABEL_TOPOLOGY } from './labels.js';
import { removeTopologyResources } from './resources.js';

/** Whether a process lives: it exists, and is not a zombie its (killed) parent left for init to reap. */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // no /proc: what kill() said
  }
}

/** Whether a resource with these labels was left by a dead process of this host (and not kept on purpose). */
export function isOrphan(labels: Record<string, string> | undefined, host = hostname(), alive = processAlive): boolean {
  if (!labels || labels[LABEL_KEEP] !== undefined) return false;
  if (labels[LABEL_HOST] !== host) return false; // another machine's engine user: not ours to judge
  return !alive(Number(labels[LABEL_PID]));
}

/** Removes the topologies whose owning process is gone. Returns the topology ids swept. */
export async function sweepOrphans(docker: DockerClient, log: (line: string) => void = () => undefined): Promise<string[]> {
  const filter = { label: [LABEL_RUN] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: filter }),
    docker.listNetworks({ filters: filter }),
  ]);
  const dead = new Set<string>();
  for (const labels of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels)]) {
    const topology = labels?.[LABEL_TOPOLOGY];
    if (topology && isOrphan(labels)) dead.add(topology);
  }
  for (const topology of dead) {
    try {
      await removeTopologyResources(docker, topology);
    } catch (error) {
      // A network the engine itself cannot release (a stale endpoint) must not block every later run.
      log(`could not sweep topology ${topology}: ${(error as Error).message}`);
    }
  }
  return [...dead];
}
