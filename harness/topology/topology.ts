// Topology → StartedTopology: the networks, the Toxiproxy server with one proxy per link, and for each node a holder
// of its network (so its addresses outlive its process, as a host outlives a crashed program) and its stand-in.
// A failed start removes what it made, then rethrows. StartedTopology.stop() is idempotent.

import { CONFIG_ENV, PORTS, type LinkName, type NodeName } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import type { HarnessFault } from '../core/model.js';
import { allSettledOrThrow } from '../core/poll.js';
import type { ImageSet } from '../core/run-context.js';
import type { SiteConfig, WanLink } from '../core/site-config.js';
import type { DockerClient, EngineContainer } from '../docker/client.js';
import { addressOn, createContainer, tailLogs } from '../docker/containers.js';
import { LABEL_KEEP, newTopologyId } from '../docker/labels.js';
import { createInternalNetwork, removeContainer, removeTopologyResources } from '../docker/resources.js';
import { isShuttingDown, onShutdown } from '../docker/shutdown.js';
import { FaultLog } from '../faults/fault-log.js';
import { LinkFaults } from '../faults/link-faults.js';
import { NodeFaults } from '../faults/node-faults.js';
import { ControlClient } from '../observe/control-client.js';
import { createProxies, startToxiproxy, type ToxiproxyServer } from '../toxiproxy/server.js';
import { checkMachinery } from './machinery.js';
import { validateSpec, type NodeSpec, type TopologySpec } from './spec.js';
import { CMS_DATA_DIR, standinConfig, standinImage } from './standin.js';

export interface StartOptions {
  docker: DockerClient;
  /** Images to run, found or built by the set-up: starting a topology never builds one. */
  images: ImageSet;
  /** Deadline for every container to answer. Default 30_000. */
  readyDeadlineMs?: number;
  /** Leave the site to `cmsha down`: the start-up sweep does not remove it when this process ends. Default false. */
  keep?: boolean;
}

export class Topology {
  constructor(readonly spec: TopologySpec) {
    validateSpec(spec);
  }

  async start(options: StartOptions): Promise<StartedTopology> {
    const { docker, images } = options;
    if (isShuttingDown())
      throw new HarnessError('START_FAILED', `Not starting topology "${this.spec.name}": the process is shutting down after a signal.`);
    const spec = this.spec;
    const id = newTopologyId();
    const prefix = `cmsha-${spec.name}-${id}`;
    const labels: Record<string, string> = options.keep ? { [LABEL_KEEP]: '1' } : {};
    const readyDeadlineMs = options.readyDeadlineMs ?? 30_000;
    // Registered before anything is made, so Ctrl-C during start removes the half-made topology too.
    const unregister = onShutdown(() => removeTopologyResources(docker, id));
    try {
      const dataNetwork = `${prefix}-data`;
      const controlNetwork = `${prefix}-ctl`;
      await allSettledOrThrow([
        createInternalNetwork(docker, dataNetwork, id, labels),
        createInternalNetwork(docker, controlNetwork, id, labels),
      ]);
      // Toxiproxy and the holders start side by side: neither needs the other until the proxies are made.
      const holders = new Map<NodeName, { container: EngineContainer; dataAddress: string; controlAddress: string }>();
      let toxiproxy!: ToxiproxyServer;
      await allSettledOrThrow([
        startToxiproxy(docker, {
          name: `${prefix}-toxiproxy`,
          image: images.toxiproxy,
          topologyId: id,
          controlNetwork,
          dataNetwork,
          readyDeadlineMs,
          labels,
        }).then((started) => {
          toxiproxy = started;
        }),
        ...spec.nodes.map(async (node) => {
          const container = await createContainer(docker, {
            name: `${prefix}-${node.name}-net`,
            image: images.holder,
            topologyId: id,
            node: node.name,
            part: 'holder',
            user: '65534:65534',
            networks: [{ name: controlNetwork }, { name: dataNetwork, aliases: [node.name] }],
            memoryBytes: 16 * 1024 * 1024,
            // A CMS's data folder is the holder's, so it outlives the stand-in's container (an upgrade swaps it).
            ...(node.kind === 'cms' ? { volumeAt: CMS_DATA_DIR } : {}),
            init: false,
            labels,
          });
          await container.start();
          const [dataAddress, controlAddress] = await Promise.all([
            addressOn(container, dataNetwork),
            addressOn(container, controlNetwork),
          ]);
          holders.set(node.name, { container, dataAddress, controlAddress });
        }),
      ]);

      // The proxies dial addresses, never names: a name the network no longer knows would stall a proxy's accept loop.
      const proxyPorts = await createProxies(
        toxiproxy,
        spec.links.map((link) => ({ name: link.name, upstream: `${holders.get(link.to)!.dataAddress}:${link.port}` })),
      );
      const wan = await applyWan(toxiproxy, spec.scaled.wan);

      const containers = new Map<NodeName, EngineContainer>();
      /** A node's stand-in in its holder's network and data: at the start, and again on another image (an upgrade). */
      const makeStandin = async (node: NodeSpec, image: string, version?: string): Promise<EngineContainer> => {
        const config = standinConfig(spec, node, (link) => ({ host: toxiproxy.dataAddress, port: proxyPorts.get(link)! }), version);
        const holder = holders.get(node.name)!.container.id;
        const container = await createContainer(docker, {
          name: `${prefix}-${node.name}`,
          image,
          topologyId: id,
          node: node.name,
          part: 'standin',
          env: { [CONFIG_ENV]: JSON.stringify(config) },
          networks: [],
          shareNetworkOf: holder,
          ...(node.kind === 'cms' ? { volumesFrom: holder } : {}),
          labels,
        });
        await container.start();
        containers.set(node.name, container);
        return container;
      };
      await allSettledOrThrow(spec.nodes.map((node) => makeStandin(node, standinImage(spec, node, images))));

      const clients = new Map(
        spec.nodes.map((node) => [
          node.name,
          new ControlClient(node.name, `http://${holders.get(node.name)!.controlAddress}:${PORTS.control}`),
        ]),
      );
      await Promise.all([...clients.values()].map((client) => client.waitHealthy(readyDeadlineMs)));
      // Every container answers: now let the stand-ins start dialling, listeners first (see StandinConfig.awaitBegin).
      for (const node of spec.nodes) if (node.image === 'standin') await clients.get(node.name)!.begin();
      return new StartedTopology({
        id,
        docker,
        spec,
        images,
        toxiproxy,
        containers,
        holders: new Map([...holders].map(([node, holder]) => [node, holder.container])),
        clients,
        proxyPorts,
        wan,
        unregister,
        readyDeadlineMs,
        makeStandin,
      });
    } catch (cause) {
      // The start error is the one to report; whatever this removal leaves, the next run's sweep removes.
      await removeTopologyResources(docker, id).catch(() => undefined);
      unregister();
      // A part that never answered (Toxiproxy's API, a stand-in's health) is a start that failed, not a timeout of the site.
      if (cause instanceof HarnessError && cause.code !== 'TIMEOUT') throw cause;
      throw new HarnessError('START_FAILED', `Starting topology "${spec.name}" failed: ${(cause as Error).message}`, {
        cause,
        details: { topology: spec.name, id },
      });
    }
  }
}

/** The WAN between the data centres, as latency (and bandwidth) toxics on each named link: the site's normal condition. */
async function applyWan(toxiproxy: ToxiproxyServer, wan: SiteConfig['wan']): Promise<SiteConfig['wan']> {
  for (const [link, w] of Object.entries(wan) as Array<[LinkName, WanLink]>) {
    const proxy = await toxiproxy.api.get(link);
    for (const stream of ['upstream', 'downstream'] as const) {
      await proxy.addToxic({
        name: `wan-latency-${stream}`,
        type: 'latency',
        stream,
        toxicity: 1,
        attributes: { latency: Math.round(w.latencyMs), jitter: Math.round(w.jitterMs) },
      });
      if (w.bandwidthKBps !== null)
        await proxy.addToxic({
          name: `wan-bandwidth-${stream}`,
          type: 'bandwidth',
          stream,
          toxicity: 1,
          attributes: { rate: Math.max(1, Math.round(w.bandwidthKBps)) },
        });
    }
  }
  return wan;
}

interface StartedParts {
  id: string;
  docker: DockerClient;
  spec: TopologySpec;
  images: ImageSet;
  toxiproxy: ToxiproxyServer;
  containers: Map<NodeName, EngineContainer>;
  holders: Map<NodeName, EngineContainer>;
  clients: Map<NodeName, ControlClient>;
  proxyPorts: Map<string, number>;
  wan: SiteConfig['wan'];
  unregister: () => void;
  readyDeadlineMs: number;
  makeStandin(node: NodeSpec, image: string, version?: string): Promise<EngineContainer>;
}

export class StartedTopology implements AsyncDisposable {
  readonly id: string;
  readonly spec: TopologySpec;
  readonly images: ImageSet;
  readonly toxiproxyVersion: string;
  readonly toxiproxyApi: string;
  readonly faultLog = new FaultLog();
  /** Link faults through Toxiproxy: cut, blackhole, latency, bandwidth, resetPeer, slicer, limitData. */
  readonly links: LinkFaults;
  /** Node faults: kill, stop, pause, isolate. */
  readonly nodes: NodeFaults;
  #stopping: Promise<void> | undefined;

  constructor(private readonly parts: StartedParts) {
    this.id = parts.id;
    this.spec = parts.spec;
    this.images = parts.images;
    this.toxiproxyVersion = parts.toxiproxy.version;
    this.toxiproxyApi = parts.toxiproxy.apiUrl;
    this.links = new LinkFaults(parts.toxiproxy.api, new Set(parts.spec.links.map((l) => l.name)), this.faultLog);
    this.nodes = new NodeFaults(
      {
        container: (node) => parts.containers.get(node as NodeName)!,
        restarted: async (node, beginGate) => {
          const client = this.control(node as NodeName);
          await client.waitHealthy(parts.readyDeadlineMs);
          await beginGate?.();
          if (this.spec.nodes.find((n) => n.name === node)?.image === 'standin') await client.begin({ restart: true });
        },
        linksOf: (node) => this.spec.links.filter((l) => l.from === node || l.to === node).map((l) => l.name),
        replace: async (node, to) => {
          await removeContainer(parts.docker, parts.containers.get(node as NodeName)!.id);
          return parts.makeStandin(
            this.spec.nodes.find((n) => n.name === node)!,
            to.image,
            to.version,
          );
        },
      },
      new Set(parts.containers.keys()),
      this.links,
      this.faultLog,
    );
  }

  /** The control client of a node (status, events, control), reached directly from the host. */
  control(node: NodeName): ControlClient {
    const client = this.parts.clients.get(node);
    if (!client) throw new HarnessError('BAD_INPUT', `Unknown node "${node}" in topology ${this.spec.name}.`, { details: { node } });
    return client;
  }

  /** Base URL of each node's control port. */
  get controlUrls(): ReadonlyMap<NodeName, string> {
    return new Map([...this.parts.clients].map(([node, client]) => [node, client.baseUrl]));
  }

  /** Where the host can reach a link's proxy (for tests that drive a link themselves). */
  proxyAddress(link: LinkName | string): { host: string; port: number } {
    const port = this.parts.proxyPorts.get(link);
    if (port === undefined) throw new HarnessError('BAD_INPUT', `Unknown link "${link}".`, { details: { link } });
    return { host: this.parts.toxiproxy.controlAddress, port };
  }

  /** The last lines of each container's log (nodes and Toxiproxy); a container that is gone gives none. */
  async logs(lines = 50): Promise<Partial<Record<NodeName | 'toxiproxy', string[]>>> {
    const entries: Array<[string, EngineContainer]> = [...this.parts.containers, ['toxiproxy', this.parts.toxiproxy.container]];
    const out: Partial<Record<string, string[]>> = {};
    await Promise.all(entries.map(async ([node, c]) => (out[node] = await tailLogs(c, lines).catch(() => []))));
    return out;
  }

  /**
   * Whether the site's machinery still works (its engine, its Toxiproxy, every container a fault did not stop): the
   * first broken part, or null. Asked after a failure, to tell the harness's failure from the site's.
   */
  checkMachinery(): Promise<HarnessFault | null> {
    // Held down until its heal is in effect: a restart in progress has no running container for a moment.
    const heldDown = new Set<string>(
      this.faultLog.records.filter((r) => (r.kind === 'kill' || r.kind === 'stop') && r.healedNs === null).map((r) => r.target),
    );
    return checkMachinery({
      docker: this.parts.docker,
      toxiproxy: this.parts.toxiproxy,
      standins: this.parts.containers,
      holders: this.parts.holders,
      heldDown,
    });
  }

  /** Removes every container and network of this topology. Safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= removeTopologyResources(this.parts.docker, this.id).then(() => this.parts.unregister());
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
