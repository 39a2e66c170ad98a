// What runs in each node's holder: the stand-in's image and its configuration (its site at the topology's time scale,
// the links it dials through the proxies, the ports it listens on, when it begins, where a CMS keeps its queue).

import type { StandinConfig } from '../../images/protocol/index.js';
import type { ImageSet } from '../core/run-context.js';
import { scaleSite, siteImageOf, withSite } from '../core/site-config.js';
import type { NodeSpec, TopologySpec } from './spec.js';

/** Where a CMS keeps what must survive its restart (its Admin-Sync queue): a volume, the root stays read-only. */
export const CMS_DATA_DIR = '/var/lib/cmsha';

/** Where a node dials a link's proxy: Toxiproxy's address (or name) on the data network, and the link's port on it. */
export type ProxyAddress = (link: string) => { host: string; port: number };

/**
 * A node's stand-in configuration: the spec's site with its stand-in overrides, at its time scale; a dial through its
 * proxy for every link the node dials; the ports it listens on; a CMS HA stand-in waits for `begin` (so every
 * listener is up before anything dials); a CMS keeps its queue in CMS_DATA_DIR.
 */
export function standinConfig(spec: TopologySpec, node: NodeSpec, proxyOf: ProxyAddress, version?: string): StandinConfig {
  // A deliberately wrong site (the sensitivity check) is another site: only the stand-ins run it.
  const site = spec.standinOverrides ? scaleSite(withSite(spec.site, spec.standinOverrides), spec.timeScale) : spec.scaled;
  return {
    node: node.name,
    kind: node.kind,
    timers: site.timers,
    policy: site.policy,
    dials: Object.fromEntries(spec.links.filter((l) => l.from === node.name).map((l) => [l.name, proxyOf(l.name)])),
    listens: node.listens,
    awaitBegin: node.image === 'standin',
    ...(node.kind === 'cms' ? { dataDir: CMS_DATA_DIR } : {}),
    // The site's version for the node wins over the image's (a version rule tried without building an image).
    ...((version ?? spec.site.versions?.[node.name]) ? { version: version ?? spec.site.versions![node.name]! } : {}),
  };
}

/** The image a node's stand-in runs: the echo, or the CMS HA stand-in (the site's own tag when it names one). */
export function standinImage(spec: TopologySpec, node: NodeSpec, images: ImageSet): string {
  return node.image === 'echo' ? images.echo : (siteImageOf(spec.site.images, node.name) ?? images.standin);
}
