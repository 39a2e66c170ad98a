// Topology → StartedTopology: builds the networks, the Toxiproxy server with one proxy per link, and the
// node containers; a failed start removes what it made, then rethrows. StartedTopology.stop() is idempotent.

import type Docker from 'dockerode';
import { Toxiproxy } from 'toxiproxy-node-client';
import { CONFIG_ENV, PORTS, type Dial, type LinkName, type NodeName, type StandinConfig } from '../../images/protocol/index.js';
import { runContainer, tailLogs } from '../docker/containers.js';
import { newTopologyId } from '../docker/labels.js';
import { addressOn, createInternalNetwork, removeTopologyResources } from '../docker/resources.js';
import { isShuttingDown, onShutdown } from '../docker/shutdown.js';
import { HarnessError } from '../core/errors.js';
import { FaultLog } from '../faults/fault-log.js';
import { LinkFaults } from '../faults/link-faults.js';
import { NodeFaults } from '../faults/node-faults.js';
import { waitFor } from '../core/poll.js';
import { ensureImages, type ImageSet } from '../setup/images.js';
import { FIRST_PROXY_PORT, TOXIPROXY_API_PORT } from '../toxiproxy/server.js';
import { scalePolicy, scaleTimers, validateSpec, type TopologySpec } from './spec.js';

export interface StartOptions {
  /** Images to run; default: made or found by the set-up (`ensureImages`). */
  images?: ImageSet;
  /** Deadline for every container to answer on its control port. Default 30_000. */
  readyDeadlineMs?: number;
}

export class Topology {
  constructor(readonly spec: TopologySpec) {
    validateSpec(spec);
  }

  async start(options: StartOptions = {}): Promise<StartedTopology> {
    if (isShuttingDown()) {
      throw new HarnessError('START_FAILED', `Not starting topology "${this.spec.name}": the process is shutting down after a signal.`);
    }
    const images = options.images ?? (await ensureImages([...new Set(this.spec.nodes.map((n) => n.image))]));
    const id = newTopologyId();
    const prefix = `cmsha-${this.spec.name}-${id}`;
    // Registered before anything is made, so Ctrl-C during start removes the half-made topology too.
    const unregister = onShutdown(() => removeTopologyResources(id));
    try {
      const dataNetwork = `${prefix}-data`;
      const controlNetwork = `${prefix}-ctl`;
      await createInternalNetwork(dataNetwork, id);
      await createInternalNetwork(controlNetwork, id);

      const toxiproxyContainer = await runContainer({
        name: `${prefix}-toxiproxy`,
        image: images.toxiproxy,
        topologyId: id,
        node: 'toxiproxy',
        user: '65534:65534',
        cmd: ['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`],
        // info, not its default trace: the report shows the last log lines, which must say something.
        env: { LOG_LEVEL: 'info' },
        networks: [{ name: controlNetwork }, { name: dataNetwork, aliases: ['toxiproxy'] }],
        memoryBytes: 128 * 1024 * 1024,
      });
      const toxiproxyApi = `http://${await addressOn(toxiproxyContainer, controlNetwork)}:${TOXIPROXY_API_PORT}`;
      const toxiproxy = new Toxiproxy(toxiproxyApi);
      const { value: versionText } = await waitFor(() => toxiproxy.getVersion().catch(() => undefined), {
        deadlineMs: options.readyDeadlineMs ?? 30_000,
        label: `Toxiproxy API at ${toxiproxyApi}`,
      });

      const toxiproxyVersion = parseVersion(versionText);
      const dials = new Map<string, Dial>();
      const proxies = this.spec.links.map((link, i) => {
        const port = FIRST_PROXY_PORT + i;
        dials.set(link.name, { host: 'toxiproxy', port });
        return { name: link.name, listen: `0.0.0.0:${port}`, upstream: `${link.to}:${link.port}`, enabled: true };
      });
      await toxiproxy.populate(proxies);

      const scaledTimers = scaleTimers(this.spec.timers, this.spec.timeScale);
      const scaledPolicy = scalePolicy(this.spec.policy, this.spec.timeScale);
      const containers = new Map<string, Docker.Container>();
      const controlUrls = new Map<NodeName, string>();
      for (const node of this.spec.nodes) {
        const config: StandinConfig = {
          node: node.name,
          kind: node.kind,
          timers: scaledTimers,
          policy: scaledPolicy,
          dials: Object.fromEntries(this.spec.links.filter((l) => l.from === node.name).map((l) => [l.name, dials.get(l.name)!])),
          listens: node.listens,
          awaitBegin: node.image === 'standin',
        };
        const container = await runContainer({
          name: `${prefix}-${node.name}`,
          image: node.image === 'echo' ? images.echo : images.standin,
          topologyId: id,
          node: node.name,
          env: { [CONFIG_ENV]: JSON.stringify(config) },
          networks: [{ name: controlNetwork }, { name: dataNetwork, aliases: [node.name] }],
        });
        containers.set(node.name, container);
        controlUrls.set(node.name, `http://${await addressOn(container, controlNetwork)}:${PORTS.control}`);
      }
      const readyDeadlineMs = options.readyDeadlineMs ?? 30_000;
      await Promise.all([...controlUrls].map(([node, url]) => waitHealthy(node, url, readyDeadlineMs)));
      // Every container answers: now let the stand-ins start dialling, listeners first (see StandinConfig.awaitBegin).
      for (const node of this.spec.nodes) if (node.image === 'standin') await begin(node.name, controlUrls.get(node.name)!);
      const started = new StartedTopology({
        id,
        spec: this.spec,
        images,
        toxiproxy,
        toxiproxyApi,
        toxiproxyVersion,
        toxiproxyContainer,
        containers,
        controlUrls,
        proxyPorts: new Map(proxies.map((p, i) => [p.name, FIRST_PROXY_PORT + i])),
        dataNetwork,
        controlNetwork,
        unregister,
      });
      return started;
    } catch (cause) {
      await removeTopologyResources(id).catch(() => undefined);
      unregister();
      if (cause instanceof HarnessError) throw cause;
      throw new HarnessError('START_FAILED', `Starting topology "${this.spec.name}" failed: ${(cause as Error).message}`, {
        cause,
        details: { topology: this.spec.name, id },
      });
    }
  }
}

interface StartedParts {
  id: string;
  spec: TopologySpec;
  images: ImageSet;
  toxiproxy: Toxiproxy;
  toxiproxyApi: string;
  toxiproxyVersion: string;
  toxiproxyContainer: Docker.Container;
  containers: Map<string, Docker.Container>;
  controlUrls: Map<NodeName, string>;
  proxyPorts: Map<string, number>;
  dataNetwork: string;
  controlNetwork: string;
  unregister: () => void;
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
  /** Node faults through the engine: kill, stop, pause, isolate. */
  readonly nodes: NodeFaults;
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: StartedParts) {
    this.id = parts.id;
    this.spec = parts.spec;
    this.images = parts.images;
    this.toxiproxyVersion = parts.toxiproxyVersion;
    this.toxiproxyApi = parts.toxiproxyApi;
    this.links = new LinkFaults(parts.toxiproxy, new Set(parts.spec.links.map((l) => l.name)), this.faultLog);
    this.nodes = new NodeFaults(
      {
        container: (node) => parts.containers.get(node)!,
        dataNetwork: parts.dataNetwork,
        aliases: (node) => [node],
        restarted: async (node) => {
          const url = await this.refreshControlUrl(node as NodeName);
          await waitHealthy(node, url, 30_000);
          if (this.spec.nodes.find((n) => n.name === node)?.image === 'standin') await begin(node, url);
        },
      },
      new Set(parts.containers.keys()),
      this.faultLog,
    );
  }

  /** Base URL of a node's control port (status, events, control), reached directly from the host. */
  controlUrl(node: NodeName): string {
    const url = this.parts.controlUrls.get(node);
    if (!url) throw new HarnessError('BAD_INPUT', `Unknown node "${node}" in topology ${this.spec.name}.`, { details: { node } });
    return url;
  }

  get controlUrls(): ReadonlyMap<NodeName, string> {
    return this.parts.controlUrls;
  }

  /** Where the host can reach a link's proxy (for tests that drive a link themselves). */
  async proxyAddress(link: LinkName | string): Promise<{ host: string; port: number }> {
    const port = this.parts.proxyPorts.get(link);
    if (port === undefined) throw new HarnessError('BAD_INPUT', `Unknown link "${link}".`, { details: { link } });
    return { host: await addressOn(this.parts.toxiproxyContainer, this.parts.controlNetwork), port };
  }

  /** Re-reads a node's control address (a restarted container may get a new one). */
  async refreshControlUrl(node: NodeName): Promise<string> {
    const container = this.parts.containers.get(node);
    if (!container) throw new HarnessError('BAD_INPUT', `Unknown node "${node}".`, { details: { node } });
    const url = `http://${await addressOn(container, this.parts.controlNetwork)}:${PORTS.control}`;
    this.parts.controlUrls.set(node, url);
    return url;
  }

  /** The last lines of each container's log (nodes and Toxiproxy); a container that is gone gives none. */
  async logs(lines = 50): Promise<Partial<Record<NodeName | 'toxiproxy', string[]>>> {
    const entries: Array<[string, Docker.Container]> = [...this.parts.containers, ['toxiproxy', this.parts.toxiproxyContainer]];
    const out: Partial<Record<string, string[]>> = {};
    await Promise.all(entries.map(async ([node, c]) => (out[node] = await tailLogs(c, lines).catch(() => []))));
    return out;
  }

  /** Removes every container and network of this topology. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= removeTopologyResources(this.id).then(() => this.parts.unregister());
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Waits until a node's control port answers /healthz. */
async function waitHealthy(node: string, url: string, deadlineMs: number): Promise<void> {
  await waitFor(
    () =>
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.ok || undefined,
        () => undefined,
      ),
    {
      deadlineMs,
      label: `${node} control port at ${url}`,
    },
  );
}

/** Tells a stand-in started with `awaitBegin` to start behaving. */
async function begin(node: string, url: string): Promise<void> {
  const response = await fetch(`${url}/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'begin' }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok)
    throw new HarnessError('START_FAILED', `${node} refused to begin: HTTP ${response.status} ${await response.text()}`, {
      details: { node },
    });
}

/** Toxiproxy 2.12 answers /version with JSON ({"version": "2.12.0"}); older servers with plain text. */
function parseVersion(text: string): string {
  try {
    return String((JSON.parse(text) as { version?: unknown }).version ?? text).trim();
  } catch {
    return text.trim();
  }
}
