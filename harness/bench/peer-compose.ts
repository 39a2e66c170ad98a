// The docker-compose peer: the same site written as a compose file (format 2.4, which keeps the per-container limits
// under the service), started with Debian's docker-compose 1.29.2 (`up -d`) and removed with `down -v`.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import type { ImageSet } from '../core/run-context.js';
import { newTopologyId } from '../docker/labels.js';
import { aptInstall, canInstallPackages } from '../setup/engine.js';
import type { TopologySpec } from '../topology/spec.js';
import { addressesOn, type Peer } from './peer.js';
import { configureAndBegin, endpointsOf, LOG_MAX_SIZE, PIDS_LIMIT, sitePlan, type ContainerPlan, type SitePlan } from './site-plan.js';

export const COMPOSE = 'docker-compose';

/** docker-compose's version, installing Debian's package when it is missing and we may (root on Debian); null if absent. */
export async function ensureCompose(log: (line: string) => void): Promise<string | null> {
  const version = async () => {
    const result = await execa(COMPOSE, ['version', '--short'], { reject: false });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  };
  const found = await version().catch(() => null);
  if (found !== null || !canInstallPackages()) return found;
  await aptInstall(['docker-compose'], log);
  return version();
}

/**
 * The compose file of a site, as a compose user writes it: services named after what they are (a node's holder has
 * the node's name, so the proxies and stand-ins reach it by name), no fixed subnet, no fixed address.
 */
export function composeFile(plan: SitePlan): Record<string, unknown> {
  const service = (c: ContainerPlan) => ({
    image: c.image,
    user: c.user,
    read_only: true,
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges'],
    ...(c.init ? { init: true } : {}),
    mem_limit: c.memoryBytes,
    pids_limit: PIDS_LIMIT,
    logging: { driver: 'json-file', options: { 'max-size': LOG_MAX_SIZE } },
    labels: c.labels,
    ...(Object.keys(c.env).length > 0 ? { environment: c.env } : {}),
    ...(c.cmd.length > 0 ? { command: c.cmd } : {}),
    ...(c.shareNetworkOf
      ? { network_mode: `service:${c.shareNetworkOf}` }
      : { dns: ['127.0.0.1'], networks: { control: {}, data: c.dataAlias === c.service ? {} : { aliases: [c.dataAlias] } } }),
    ...(c.volumeAt ? { volumes: [c.volumeAt] } : {}),
  });
  return {
    version: '2.4',
    services: Object.fromEntries([...plan.owners, ...plan.standins].map((c) => [c.service, service(c)])),
    networks: { control: { internal: true, labels: plan.labels }, data: { internal: true, labels: plan.labels } },
  };
}

export function composePeer(spec: () => TopologySpec, images: ImageSet, keepFileAt: string | null): Peer {
  let kept = false;
  return {
    id: 'compose',
    label: 'docker-compose',
    upCommand: `${COMPOSE} -p <project> -f compose.yml up -d; docker inspect; then the proxies, /healthz and begin as ours`,
    downCommand: `${COMPOSE} -p <project> -f compose.yml down -v`,
    async up() {
      const plan = sitePlan(spec(), images, newTopologyId());
      const project = `cmsha-compose-${plan.topologyId}`;
      const dir = mkdtempSync(join(tmpdir(), 'cmsha-compose-'));
      const file = join(dir, 'compose.yml');
      writeFileSync(file, stringify(composeFile(plan)));
      if (keepFileAt && !kept) {
        writeFileSync(keepFileAt, stringify(composeFile(plan)));
        kept = true;
      }
      const compose = (args: string[]) => execa(COMPOSE, ['-p', project, '-f', file, ...args], { all: true });
      const down = async () => {
        try {
          await compose(['down', '-v']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      };
      try {
        await compose(['up', '-d']);
        // docker-compose 1.x names containers <project>_<service>_1 and networks <project>_<network>.
        const name = (s: string) => `${project}_${s}_1`;
        const addresses = await addressesOn(
          plan.owners.map((c) => name(c.service)),
          `${project}_control`,
        );
        const controlUrls = await configureAndBegin(
          plan,
          endpointsOf(plan, (service) => addresses.get(name(service))!),
        );
        return { topologyId: plan.topologyId, controlUrls, unlabelledNetworks: [], down };
      } catch (error) {
        await down().catch(() => undefined);
        throw error;
      }
    },
  };
}
