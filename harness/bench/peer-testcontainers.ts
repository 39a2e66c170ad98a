// The testcontainers peer (testcontainers-node 11, the last major that runs on Node 20): Network and GenericContainer,
// with the locks it has no builder for (read-only root, init, pids, DNS, a second network) set the way its own modules
// do, in a subclass. Ryuk is off: its image cannot be pulled here; our own sweep and the bench's cleanup stand in.

import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import type { ImageSet } from '../core/run-context.js';
import { newTopologyId } from '../docker/labels.js';
import type { TopologySpec } from '../topology/spec.js';
import type { Peer } from './peer.js';
import { configureAndBegin, endpointsOf, LOG_MAX_SIZE, PIDS_LIMIT, sitePlan, type ContainerPlan } from './site-plan.js';

type Testcontainers = typeof import('testcontainers');

/** testcontainers-node, loaded on first use (a devDependency: only the full bench needs it). Null when absent. */
export async function loadTestcontainers(): Promise<Testcontainers | null> {
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  return import('testcontainers').catch(() => null);
}

/** A GenericContainer of one planned container, joined to `extraNetwork` (with the data alias) before it starts. */
function lockedContainer(tc: Testcontainers, c: ContainerPlan, name: string, networkMode: string, extraNetwork: StartedNetwork | null) {
  class Locked extends tc.GenericContainer {
    constructor() {
      super(c.image);
      this.hostConfig = {
        ...this.hostConfig,
        ReadonlyRootfs: true,
        Init: c.init,
        PidsLimit: PIDS_LIMIT,
        Memory: c.memoryBytes,
        LogConfig: { Type: 'json-file', Config: { 'max-size': LOG_MAX_SIZE } },
        ...(c.shareNetworkOf ? {} : { Dns: ['127.0.0.1'] }),
        ...(c.volumeAt ? { Mounts: [{ Type: 'volume' as const, Source: '', Target: c.volumeAt }] } : {}),
      };
    }

    protected override async containerCreated(id: string): Promise<void> {
      if (!extraNetwork) return;
      const client = await tc.getContainerRuntimeClient();
      await client.container.connectToNetwork(
        client.container.getById(id),
        client.network.getById(extraNetwork.getId()),
        c.dataAlias ? [c.dataAlias] : [],
      );
    }
  }
  const container = new Locked()
    .withName(name)
    .withLabels(c.labels)
    .withUser(c.user)
    .withDroppedCapabilities('ALL')
    .withSecurityOpt('no-new-privileges')
    .withEnvironment(c.env)
    .withNetworkMode(networkMode);
  return c.cmd.length > 0 ? container.withCommand(c.cmd) : container;
}

export function testcontainersPeer(tc: Testcontainers, spec: () => TopologySpec, images: ImageSet): Peer {
  return {
    id: 'testcontainers',
    label: 'testcontainers',
    upCommand:
      'new Network().start() ×2 ∥; new GenericContainer(image)…start() for Toxiproxy and 5 holders ∥, then 5 stand-ins ∥ ' +
      '(withNetworkMode container:<holder>); then the proxies, /healthz and begin as ours',
    downCommand: 'StartedTestContainer.stop() for the stand-ins ∥, then the others ∥; StartedNetwork.stop() ×2',
    async up() {
      const plan = sitePlan(spec(), images, newTopologyId());
      const prefix = `cmsha-tc-${plan.topologyId}`;
      const networks: StartedNetwork[] = [];
      const owners: StartedTestContainer[] = [];
      const standins: StartedTestContainer[] = [];
      const down = async () => {
        await Promise.all(standins.map((c) => c.stop()));
        await Promise.all(owners.map((c) => c.stop()));
        await Promise.all(networks.map((n) => n.stop()));
      };
      try {
        const network = async () => {
          const started = await new tc.Network().start();
          networks.push(started);
          return started;
        };
        const [control, data] = await Promise.all([network(), network()]);
        const ownerByService = new Map<string, StartedTestContainer>();
        await Promise.all(
          plan.owners.map(async (c) => {
            const started = await lockedContainer(tc, c, `${prefix}-${c.service}`, control.getName(), data).start();
            owners.push(started);
            ownerByService.set(c.service, started);
          }),
        );
        await Promise.all(
          plan.standins.map(async (c) => {
            standins.push(
              await lockedContainer(
                tc,
                c,
                `${prefix}-${c.service}`,
                `container:${ownerByService.get(c.shareNetworkOf!)!.getId()}`,
                null,
              ).start(),
            );
          }),
        );
        const address = (service: string) => ownerByService.get(service)!.getIpAddress(control.getName());
        const controlUrls = await configureAndBegin(plan, endpointsOf(plan, address));
        return { topologyId: plan.topologyId, controlUrls, unlabelledNetworks: networks.map((n) => n.getId()), down };
      } catch (error) {
        await down().catch(() => undefined);
        throw error;
      }
    },
  };
}
