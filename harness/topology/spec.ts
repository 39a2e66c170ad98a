// The typed description of a topology: nodes, links (name, from, to:port), the site (timers, policy, WAN) and the
// time scale, and its validation. Bad input is rejected before anything starts, naming the offending item.

import type { NodeName, StandinKind } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import type { StandinOverrides } from '../core/run-context.js';
import { checkSite } from '../core/site-file.js';
import type { ScaledSite, SiteConfig } from '../core/site-config.js';

/** Which image a node runs: the CMS HA stand-in, or the plain TCP echo used by the foundation's fault tests. */
export type NodeImage = 'standin' | 'echo';

export interface NodeSpec {
  name: NodeName;
  kind: StandinKind;
  image: NodeImage;
  /** Ports the node listens on inside the data network (the upstream ends of its incoming links). */
  listens: number[];
}

export interface LinkSpec {
  /** Proxy name in Toxiproxy, and how faults address the link. */
  name: string;
  /** The node that dials. */
  from: NodeName;
  /** The node that listens, and the port it listens on. */
  to: NodeName;
  port: number;
}

export interface TopologySpec {
  /** A short name, used in container names and the report. */
  name: string;
  nodes: NodeSpec[];
  links: LinkSpec[];
  /** The site in real time; the stand-ins get it multiplied by `timeScale`, with `standinOverrides` on top. */
  site: SiteConfig;
  /** 1 = real time (nightly), 0.05 = CI. */
  timeScale: number;
  /** `site` at `timeScale`, scaled once by whoever made the spec (a Site hands on the one it holds). */
  scaled: ScaledSite;
  /** Settings only the stand-ins get (a deliberately wrong site); null for a true site. */
  standinOverrides: StandinOverrides | null;
}

function bad(message: string, details: Record<string, unknown>): never {
  throw new HarnessError('BAD_CONFIG', message, { details });
}

/** What a topology name may be: it goes into every container and network name (1–31 of `[a-z0-9-]`, no leading dash). */
export const TOPOLOGY_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** Checks a topology spec; throws HarnessError('BAD_CONFIG') naming the first offending item. */
export function validateSpec(spec: TopologySpec): void {
  if (!TOPOLOGY_NAME.test(spec.name)) {
    bad(`Topology name "${spec.name}" is invalid: use 1–31 lower-case letters, digits or dashes.`, { name: spec.name });
  }
  if (!(Number.isFinite(spec.timeScale) && spec.timeScale > 0 && spec.timeScale <= 10)) {
    bad(`timeScale ${spec.timeScale} is invalid: give a number in (0, 10], e.g. 1 for real time or 0.05 for CI.`, {
      option: 'timeScale',
      value: spec.timeScale,
    });
  }
  if (spec.scaled.timeScale !== spec.timeScale) {
    bad(`The scaled site is at time scale ${spec.scaled.timeScale}, the topology at ${spec.timeScale}: scale the site at the topology's.`, {
      option: 'scaled',
      value: spec.scaled.timeScale,
    });
  }
  checkSite(spec.site, `topology "${spec.name}"`);
  const nodes = new Set<string>();
  for (const node of spec.nodes) {
    if (nodes.has(node.name)) bad(`Node "${node.name}" is declared twice.`, { node: node.name });
    nodes.add(node.name);
  }
  const links = new Set<string>();
  for (const link of spec.links) {
    if (links.has(link.name))
      bad(`Two links are named "${link.name}": link names must be unique (each is one Toxiproxy proxy).`, { link: link.name });
    links.add(link.name);
    for (const end of ['from', 'to'] as const) {
      if (!nodes.has(link[end])) {
        bad(`Link "${link.name}" names an unknown node "${link[end]}" as its "${end}". Known nodes: ${[...nodes].join(', ')}.`, {
          link: link.name,
          node: link[end],
        });
      }
    }
    if (!(Number.isInteger(link.port) && link.port > 0 && link.port < 65_536)) {
      bad(`Link "${link.name}" has port ${link.port}: give a TCP port 1–65535.`, { link: link.name, port: link.port });
    }
    const target = spec.nodes.find((n) => n.name === link.to);
    if (target && !target.listens.includes(link.port)) {
      bad(
        `Link "${link.name}" goes to ${link.to}:${link.port}, but ${link.to} does not listen on ${link.port} (it listens on ${target.listens.join(', ') || 'nothing'}).`,
        {
          link: link.name,
        },
      );
    }
  }
  for (const link of Object.keys(spec.site.wan)) {
    if (!links.has(link))
      bad(`The WAN profile names link "${link}", which this topology does not have. Links: ${[...links].join(', ')}.`, { link });
  }
}
