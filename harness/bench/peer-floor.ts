// The floor: the same containers with bare `docker run` (the docker CLI through execa), as parallel as the site
// allows: the two networks first, then Toxiproxy and the holders at once, then the stand-ins at once.

import type { ImageSet } from '../core/run-context.js';
import { notYet, waitFor } from '../core/poll.js';
import { newTopologyId } from '../docker/labels.js';
import type { TopologySpec } from '../topology/spec.js';
import { addressesOn, dockerCli, type Peer } from './peer.js';
import { configureAndBegin, endpointsOf, LOG_MAX_SIZE, PIDS_LIMIT, sitePlan, type ContainerPlan } from './site-plan.js';

const labelArgs = (labels: Record<string, string>): string[] => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

/** `docker run -d` of one planned container, with ours's locks as flags. */
export function runArgs(c: ContainerPlan, name: (service: string) => string, controlNetwork: string): string[] {
  return [
    'run',
    '-d',
    '--name',
    name(c.service),
    ...labelArgs(c.labels),
    '--user',
    c.user,
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    ...(c.init ? ['--init'] : []),
    '--memory',
    String(c.memoryBytes),
    '--pids-limit',
    String(PIDS_LIMIT),
    '--log-driver',
    'json-file',
    '--log-opt',
    `max-size=${LOG_MAX_SIZE}`,
    ...Object.entries(c.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    ...(c.shareNetworkOf ? ['--network', `container:${name(c.shareNetworkOf)}`] : ['--network', controlNetwork, '--dns', '127.0.0.1']),
    ...(c.volumeAt ? ['--mount', `type=volume,dst=${c.volumeAt}`] : []),
    c.image,
    ...c.cmd,
  ];
}

export function floorPeer(spec: () => TopologySpec, images: ImageSet): Peer {
  return {
    id: 'floor',
    label: 'bare docker run',
    upCommand:
      'docker network create --internal ×2 ∥; docker run -d (Toxiproxy, 5 holders) + docker network connect --alias ∥; ' +
      'docker run -d --network container:<holder> (5 stand-ins) ∥ docker inspect; then the proxies, /healthz and begin as ours',
    downCommand: 'docker rm -f -v <every container>; docker network rm <both networks>',
    async up() {
      const plan = sitePlan(spec(), images, newTopologyId());
      const prefix = `cmsha-floor-${plan.topologyId}`;
      const name = (service: string) => `${prefix}-${service}`;
      const [data, control] = [`${prefix}-data`, `${prefix}-ctl`];
      const down = async () => {
        const names = [...plan.standins, ...plan.owners].map((c) => name(c.service));
        await dockerCli(['rm', '-f', '-v', ...names]).catch((error: Error) => {
          if (!/No such container/.test(error.message)) throw error;
        });
        // A network whose last endpoint the engine is still releasing refuses removal for a moment: retried.
        await waitFor(
          () =>
            dockerCli(['network', 'rm', data, control]).then(
              () => true,
              (error: Error) => (/not found|No such network/.test(error.message) ? true : notYet(error.message)),
            ),
          { deadlineMs: 20_000, label: 'the floor networks to be removed' },
        );
      };
      try {
        await Promise.all(
          [data, control].map((network) => dockerCli(['network', 'create', '--internal', ...labelArgs(plan.labels), network])),
        );
        await Promise.all(
          plan.owners.map(async (c) => {
            await dockerCli(runArgs(c, name, control));
            await dockerCli(['network', 'connect', '--alias', c.dataAlias ?? c.service, data, name(c.service)]);
          }),
        );
        const [addresses] = await Promise.all([
          addressesOn(
            plan.owners.map((c) => name(c.service)),
            control,
          ),
          Promise.all(plan.standins.map((c) => dockerCli(runArgs(c, name, control)))),
        ]);
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
