// `cmsha up` / `down` / `clean`: keep one site running to explore it (and say how to reach every node's control API
// and every proxy), remove it again, or remove everything the harness ever labelled.

import type { ImageSet } from '../core/run-context.js';
import type { SiteConfig } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import { LABEL_KEEP, LABEL_RUN } from '../docker/labels.js';
import { removeLabelled } from '../docker/resources.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { Topology } from '../topology/topology.js';

export async function upCommand(docker: DockerClient, images: ImageSet, site: SiteConfig, timeScale: number): Promise<void> {
  const started = await new Topology(cmsHaTopology({ name: 'up', site, timeScale })).start({ docker, images, keep: true });
  const lines = [
    `Site ${started.id} is up (time scale ${timeScale}); it stays until \`npx cmsha down\`.`,
    '',
    'Control API of each node (GET /status, GET /events?after=N, POST /control {"action": …}):',
    ...[...started.controlUrls].map(([node, url]) => `  ${node.padEnd(14)} curl ${url}/status`),
    '',
    `Toxiproxy API: ${started.toxiproxyApi}   (e.g. curl ${started.toxiproxyApi}/proxies)`,
    'Proxies, one per link (reachable from this host):',
    ...started.spec.links.map((link) => {
      const { host, port } = started.proxyAddress(link.name);
      return `  ${link.name.padEnd(18)} ${link.from} → ${link.to}:${link.port}   at ${host}:${port}`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function downCommand(docker: DockerClient): Promise<void> {
  const removed = await removeLabelled(docker, [LABEL_KEEP]);
  process.stdout.write(
    `Removed ${removed.containers} container(s) and ${removed.networks} network(s) of the sites \`cmsha up\` left running.\n`,
  );
}

export async function cleanCommand(docker: DockerClient): Promise<void> {
  const removed = await removeLabelled(docker, [LABEL_RUN]);
  process.stdout.write(
    `Removed ${removed.containers} container(s) and ${removed.networks} network(s) labelled ${LABEL_RUN} (of every run, running or not).\n`,
  );
}
