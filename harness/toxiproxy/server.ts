// One Toxiproxy server per topology: its container (on the control network for the API, on the data network for
// the links), its API client, and one proxy per link, listening on its own port and dialling the node's address.

import { Toxiproxy } from 'toxiproxy-node-client';
import { waitFor } from '../core/poll.js';
import type { DockerClient, EngineContainer } from '../docker/client.js';
import { addressOn, runContainer } from '../docker/containers.js';

export const TOXIPROXY_API_PORT = 8474;
/** First listen port of the link proxies inside the Toxiproxy container, one port per link in declaration order. */
export const FIRST_PROXY_PORT = 20_000;

export interface ToxiproxyServer {
  readonly api: Toxiproxy;
  /** http://<control address>:8474, reached from the host only. */
  readonly apiUrl: string;
  /** What the server says its version is ("2.12.0"). */
  readonly version: string;
  readonly container: EngineContainer;
  /** Where the nodes dial the proxies (its address on the data network: no name lookup on the data path). */
  readonly dataAddress: string;
  /** Where the host reaches the proxies (its address on the control network). */
  readonly controlAddress: string;
}

export interface ToxiproxyOptions {
  name: string;
  image: string;
  topologyId: string;
  controlNetwork: string;
  dataNetwork: string;
  /** Deadline for the API to answer. */
  readyDeadlineMs: number;
  labels?: Record<string, string>;
}

export async function startToxiproxy(docker: DockerClient, options: ToxiproxyOptions): Promise<ToxiproxyServer> {
  const container = await runContainer(docker, {
    name: options.name,
    image: options.image,
    topologyId: options.topologyId,
    node: 'toxiproxy',
    part: 'toxiproxy',
    user: '65534:65534',
    cmd: ['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`],
    // info, not its default trace: the report shows the last log lines, which must say something.
    env: { LOG_LEVEL: 'info' },
    networks: [{ name: options.controlNetwork }, { name: options.dataNetwork, aliases: ['toxiproxy'] }],
    memoryBytes: 128 * 1024 * 1024,
    init: false,
    ...(options.labels ? { labels: options.labels } : {}),
  });
  const [controlAddress, dataAddress] = await Promise.all([
    addressOn(container, options.controlNetwork),
    addressOn(container, options.dataNetwork),
  ]);
  const apiUrl = `http://${controlAddress}:${TOXIPROXY_API_PORT}`;
  const api = new Toxiproxy(apiUrl);
  const { value: versionText } = await waitFor(() => api.getVersion().catch(() => undefined), {
    deadlineMs: options.readyDeadlineMs,
    label: `Toxiproxy API at ${apiUrl}`,
  });
  return { api, apiUrl, version: parseVersion(versionText), container, dataAddress, controlAddress };
}

/** Creates one enabled proxy per link (listening on FIRST_PROXY_PORT + its index); returns each link's port. */
export async function createProxies(
  server: ToxiproxyServer,
  links: ReadonlyArray<{ name: string; upstream: string }>,
): Promise<Map<string, number>> {
  const ports = new Map(links.map((link, i) => [link.name, FIRST_PROXY_PORT + i]));
  await server.api.populate(
    links.map((link) => ({ name: link.name, listen: `0.0.0.0:${ports.get(link.name)!}`, upstream: link.upstream, enabled: true })),
  );
  return ports;
}

/** Toxiproxy 2.12 answers /version with JSON ({"version": "2.12.0"}); older servers with plain text. */
export function parseVersion(text: string): string {
  try {
    return String((JSON.parse(text) as { version?: unknown }).version ?? text).trim();
  } catch {
    return text.trim();
  }
}
