// The default CMS HA site of DESIGN.md §1: two CMS servers, the main CM, the ESS and a supervisor client,
// with every link of the design going through its own proxy.

import { PORTS, type NodeName } from '../../images/protocol/index.js';
import { DEFAULT_SITE, scaleSite, type ScaledSite, type SiteConfig } from '../core/site-config.js';
import type { LinkSpec, NodeImage, NodeSpec, TopologySpec } from './spec.js';

const LINKS: LinkSpec[] = [
  { name: 'acd-primary', from: 'cms-primary', to: 'cm', port: PORTS.acdPrimary },
  { name: 'acd-secondary', from: 'cms-secondary', to: 'cm', port: PORTS.acdSecondary },
  { name: 'acd-primary-ess', from: 'cms-primary', to: 'ess', port: PORTS.acdPrimary },
  { name: 'acd-secondary-ess', from: 'cms-secondary', to: 'ess', port: PORTS.acdSecondary },
  { name: 'heartbeat', from: 'cms-secondary', to: 'cms-primary', port: PORTS.heartbeat },
  { name: 'admin-sync', from: 'cms-primary', to: 'cms-secondary', port: PORTS.adminSync },
  { name: 'ess-cm', from: 'ess', to: 'cm', port: PORTS.essCm },
  { name: 'client-primary', from: 'supervisor', to: 'cms-primary', port: PORTS.client },
  { name: 'client-secondary', from: 'supervisor', to: 'cms-secondary', port: PORTS.client },
];

// Listeners first, diallers after: a CMS that dials before its CM is up only wastes its first Dual-IP attempts.
const NODES: Array<Omit<NodeSpec, 'image'>> = [
  { name: 'cm', kind: 'cm', listens: [PORTS.acdPrimary, PORTS.acdSecondary, PORTS.essCm] },
  { name: 'ess', kind: 'ess', listens: [PORTS.acdPrimary, PORTS.acdSecondary] },
  { name: 'cms-primary', kind: 'cms', listens: [PORTS.heartbeat, PORTS.client] },
  { name: 'cms-secondary', kind: 'cms', listens: [PORTS.adminSync, PORTS.client] },
  { name: 'supervisor', kind: 'supervisor', listens: [] },
];

/**
 * The CMS HA site. `image: 'echo'` runs every node as a plain TCP echo on the same ports (the foundation's
 * fault tests use it: the links and proxies are identical, only the behaviour behind them differs). `scaled`, when
 * given, is `site` at `timeScale` as its caller already holds it (a Site); else it is scaled here.
 */
export function cmsHaTopology(
  options: { name?: string; image?: NodeImage; site?: SiteConfig; timeScale?: number; scaled?: ScaledSite; without?: NodeName[] } = {},
): TopologySpec {
  const image = options.image ?? 'standin';
  const without = new Set(options.without ?? []);
  const site = structuredClone(options.site ?? DEFAULT_SITE) as SiteConfig;
  const timeScale = options.timeScale ?? options.scaled?.timeScale ?? 1;
  return {
    name: options.name ?? 'cms-ha',
    nodes: NODES.filter((n) => !without.has(n.name)).map((n) => ({ ...n, image, kind: image === 'echo' ? 'echo' : n.kind })),
    links: LINKS.filter((l) => !without.has(l.from) && !without.has(l.to)),
    site,
    timeScale,
    scaled: options.scaled ?? scaleSite(site, timeScale),
    standinOverrides: null,
  };
}
