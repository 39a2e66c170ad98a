// What every peer of the site-up bench runs, taken from the same topology spec ours starts: per node a holder and its
// stand-in with the same configuration and locks, one Toxiproxy with a proxy per link, the two internal networks.

import { Toxiproxy } from 'toxiproxy-node-client';
import { CONFIG_ENV, PORTS, type NodeName } from '../../images/protocol/index.js';
import { waitFor } from '../core/poll.js';
import type { ImageSet } from '../core/run-context.js';
import { LABEL_NODE, LABEL_PART, labelsFor, type ContainerPart } from '../docker/labels.js';
import { ControlClient } from '../observe/control-client.js';
import type { TopologySpec } from '../topology/spec.js';
import { CMS_DATA_DIR, standinConfig, standinImage } from '../topology/standin.js';
import { FIRST_PROXY_PORT, TOXIPROXY_API_PORT } from '../toxiproxy/server.js';

/** The name every peer gives Toxiproxy on the data network: the stand-ins dial it by name. */
export const TOXIPROXY_NAME = 'toxiproxy';

/** The locks of every container of ours (harness/docker/containers.ts), as plain facts each peer writes its own way. */
export interface ContainerPlan {
  /** The service name, as a compose user names them: the node's name for its holder (the name the node has on the
   * data network), `<node>-standin` for the program in it, `toxiproxy`. */
  service: string;
  node: string;
  part: ContainerPart;
  image: string;
  user: string;
  memoryBytes: number;
  init: boolean;
  env: Record<string, string>;
  cmd: string[];
  /** The DNS name on the data network (holders: the node's name); null for a stand-in (it lives in its holder's). */
  dataAlias: string | null;
  /** The holder whose network namespace a stand-in joins. */
  shareNetworkOf: string | null;
  /** An anonymous volume (a CMS's Admin-Sync queue). */
  volumeAt: string | null;
  labels: Record<string, string>;
  /** A stand-in that waits for the control action `begin` (StandinConfig.awaitBegin). */
  begins: boolean;
}

export interface SitePlan {
  topologyId: string;
  /** Labels of the networks (the harness's own: run, topology, pid, host). */
  labels: Record<string, string>;
  /** Toxiproxy and the holders: they own the network endpoints. */
  owners: ContainerPlan[];
  /** The stand-ins, in the spec's order (listeners first): the order they begin in. */
  standins: ContainerPlan[];
  proxies: Array<{ name: string; listen: string; upstream: string }>;
}

export const PIDS_LIMIT = 256;
export const LOG_MAX_SIZE = '5m';

/**
 * The plan of one site: every value ours uses, except that the stand-ins dial Toxiproxy by name and the proxies dial
 * the holders by name (a compose or testcontainers user names services; ours resolves addresses first).
 */
export function sitePlan(spec: TopologySpec, images: ImageSet, topologyId: string): SitePlan {
  const labels = labelsFor(topologyId);
  const proxyPort = new Map(spec.links.map((link, i) => [link.name, FIRST_PROXY_PORT + i]));
  const base = (service: string, node: string, part: ContainerPart) => ({
    service,
    node,
    part,
    labels: { ...labels, [LABEL_NODE]: node, [LABEL_PART]: part },
  });
  const toxiproxy: ContainerPlan = {
    ...base(TOXIPROXY_NAME, 'toxiproxy', 'toxiproxy'),
    image: images.toxiproxy,
    user: '65534:65534',
    memoryBytes: 128 * 1024 * 1024,
    init: false,
    env: { LOG_LEVEL: 'info' },
    cmd: ['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`],
    dataAlias: TOXIPROXY_NAME,
    shareNetworkOf: null,
    volumeAt: null,
    begins: false,
  };
  const holders: ContainerPlan[] = spec.nodes.map((node) => ({
    ...base(node.name, node.name, 'holder'),
    image: images.holder,
    user: '65534:65534',
    memoryBytes: 16 * 1024 * 1024,
    init: false,
    env: {},
    cmd: [],
    dataAlias: node.name,
    shareNetworkOf: null,
    volumeAt: null,
    begins: false,
  }));
  const standins: ContainerPlan[] = spec.nodes.map((node) => {
    const config = standinConfig(spec, node, (link) => ({ host: TOXIPROXY_NAME, port: proxyPort.get(link)! }));
    return {
      ...base(`${node.name}-standin`, node.name, 'standin'),
      image: standinImage(spec, node, images),
      user: '10001:10001',
      memoryBytes: 256 * 1024 * 1024,
      init: true,
      env: { [CONFIG_ENV]: JSON.stringify(config) },
      cmd: [],
      dataAlias: null,
      shareNetworkOf: node.name,
      volumeAt: node.kind === 'cms' ? CMS_DATA_DIR : null,
      begins: config.awaitBegin === true,
    };
  });
  return {
    topologyId,
    labels,
    owners: [toxiproxy, ...holders],
    standins,
    proxies: spec.links.map((l) => ({ name: l.name, listen: `0.0.0.0:${proxyPort.get(l.name)!}`, upstream: `${l.to}:${l.port}` })),
  };
}

/** Where the host reaches a started site: the Toxiproxy API and each node's control port, by control-network address. */
export interface SiteEndpoints {
  toxiproxyAddress: string;
  /** Control-network address of each node's holder (its stand-in answers there). */
  nodeAddresses: ReadonlyMap<string, string>;
}

/** The endpoints of a site whose peer can tell each container's control-network address by its service name. */
export function endpointsOf(plan: SitePlan, addressOf: (service: string) => string): SiteEndpoints {
  return {
    toxiproxyAddress: addressOf(TOXIPROXY_NAME),
    nodeAddresses: new Map(plan.standins.map((s) => [s.node, addressOf(s.shareNetworkOf!)])),
  };
}

export function controlUrls(plan: SitePlan, endpoints: SiteEndpoints): Map<NodeName, string> {
  return new Map(plan.standins.map((s) => [s.node as NodeName, `http://${endpoints.nodeAddresses.get(s.node)!}:${PORTS.control}`]));
}

/**
 * What ours does once its containers run, done the same way by every peer: the proxies through the Toxiproxy API,
 * every node answering /healthz, then `begin`, listeners first.
 */
export async function configureAndBegin(plan: SitePlan, endpoints: SiteEndpoints, deadlineMs = 30_000): Promise<Map<NodeName, string>> {
  const api = new Toxiproxy(`http://${endpoints.toxiproxyAddress}:${TOXIPROXY_API_PORT}`);
  await waitFor(() => api.getVersion().catch(() => undefined), { deadlineMs, label: 'the Toxiproxy API' });
  await api.populate(plan.proxies.map((p) => ({ ...p, enabled: true })));
  const urls = controlUrls(plan, endpoints);
  const clients = plan.standins.map((s) => ({
    begins: s.begins,
    client: new ControlClient(s.node as NodeName, urls.get(s.node as NodeName)!),
  }));
  await Promise.all(clients.map(({ client }) => client.waitHealthy(deadlineMs)));
  for (const { begins, client } of clients) if (begins) await client.begin();
  return urls;
}
