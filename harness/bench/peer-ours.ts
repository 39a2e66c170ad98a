// The harness's own start and stop of a site: Topology → StartedTopology, as every scenario runs it.

import type { ImageSet } from '../core/run-context.js';
import type { DockerClient } from '../docker/client.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { Topology } from '../topology/topology.js';
import type { Peer } from './peer.js';

export function oursPeer(docker: DockerClient, images: ImageSet, timeScale: number): Peer {
  return {
    id: 'ours',
    label: 'ours',
    upCommand: `new Topology(cmsHaTopology({ timeScale: ${timeScale} })).start({ docker, images })`,
    downCommand: 'StartedTopology.stop()',
    async up() {
      const started = await new Topology(cmsHaTopology({ timeScale })).start({ docker, images });
      return { topologyId: started.id, controlUrls: started.controlUrls, unlabelledNetworks: [], down: () => started.stop() };
    },
  };
}
