// `cmsha bench` (placeholder until the bench lands): times the start and stop of one default topology.

import type { DockerClient } from '../docker/client.js';

export async function runBench(_docker: DockerClient, _options: { quick: boolean; outDir: string }): Promise<number> {
  return 0;
}
