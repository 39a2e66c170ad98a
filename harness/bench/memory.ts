// Memory of one running topology, from the engine's stats: the resident memory (RSS) of each of its containers,
// summed by part (stand-ins, holders, Toxiproxy).

import { sum } from 'simple-statistics';
import type { ContainerStatsSample, DockerClient } from '../docker/client.js';
import { LABEL_PART, LABEL_TOPOLOGY } from '../docker/labels.js';

export interface TopologyMemory {
  totalMiB: number;
  standinsMiB: number;
  holdersMiB: number;
  toxiproxyMiB: number;
}

const MIB = 1024 * 1024;

/** RSS of a container: `rss` under cgroup v1, `anon` under v2 (the page cache is not the program's). */
export function rssBytes(stats: ContainerStatsSample): number {
  const s = stats.memory_stats?.stats ?? {};
  return s['rss'] ?? s['anon'] ?? stats.memory_stats?.usage ?? 0;
}

export async function topologyMemory(docker: DockerClient, topologyId: string): Promise<TopologyMemory> {
  const containers = await docker.listContainers({ filters: { label: [`${LABEL_TOPOLOGY}=${topologyId}`] } });
  const measured = await Promise.all(
    containers.map(async (c) => {
      // one-shot: the engine's single sample, without the second it otherwise waits for to compute CPU use.
      const stats = await docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true });
      return { part: c.Labels?.[LABEL_PART] ?? '', bytes: rssBytes(stats) };
    }),
  );
  const total = (part?: string) => sum([0, ...measured.filter((m) => part === undefined || m.part === part).map((m) => m.bytes)]) / MIB;
  return { totalMiB: total(), standinsMiB: total('standin'), holdersMiB: total('holder'), toxiproxyMiB: total('toxiproxy') };
}
