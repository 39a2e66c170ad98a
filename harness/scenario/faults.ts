// Faults as a scenario names them: what fails, in words for titles and reports, and how to apply it to a started
// topology. A latency's size can depend on the site's timers (a fraction of the heartbeat timeout, say).

import type { LinkName, NodeName } from '../../images/protocol/index.js';
import type { FaultKind } from '../core/model.js';
import type { ScaledSite } from '../core/site-config.js';
import type { FaultHandle } from '../faults/fault-log.js';
import type { DirectionOption } from '../faults/link-faults.js';
import type { StartedTopology } from '../topology/topology.js';

export interface FaultSpec {
  kind: FaultKind;
  target: NodeName | LinkName;
  /** "killed (SIGKILL)", "cut": how the fault reads after its target in a test title. */
  words: string;
  /** Applies the fault; `scaled` is the site as the stand-ins run it. */
  apply(topology: StartedTopology, scaled: ScaledSite): Promise<FaultHandle>;
}

/** SIGKILL: the process dies, its host stays up and refuses connections; healing restarts it. */
export const kill = (node: NodeName): FaultSpec => ({
  kind: 'kill',
  target: node,
  words: 'killed (SIGKILL)',
  apply: (t) => t.nodes.kill(node),
});

/** A graceful stop (SIGTERM, 1 s grace); healing restarts it. */
export const stop = (node: NodeName): FaultSpec => ({
  kind: 'stop',
  target: node,
  words: 'stopped gracefully',
  apply: (t) => t.nodes.stop(node, 1),
});

/** Frozen: a hung server, connections open and nothing answers; healing resumes it. */
export const pause = (node: NodeName): FaultSpec => ({
  kind: 'pause',
  target: node,
  words: 'paused (a hung server)',
  apply: (t) => t.nodes.pause(node),
});

/** Cut off the network while it keeps running: every link of the node silent; healing ends the isolation. */
export const isolate = (node: NodeName): FaultSpec => ({
  kind: 'isolate',
  target: node,
  words: 'isolated from the network',
  apply: (t) => t.nodes.isolate(node),
});

/** The link's proxy is disabled: connections refused and reset. */
export const cut = (link: LinkName): FaultSpec => ({ kind: 'cut', target: link, words: 'cut', apply: (t) => t.links.cut(link) });

/** Nothing gets through, connections stay open (a silent outage); healing delivers what was held. */
export const blackhole = (link: LinkName, options: DirectionOption = {}): FaultSpec => ({
  kind: 'blackhole',
  target: link,
  words: 'silent (blackholed)',
  apply: (t) => t.links.blackhole(link, options),
});

/** Latency (and jitter) on a link, sized from the site's timers. */
export const latency = (
  link: LinkName,
  size: (scaled: ScaledSite) => { latencyMs: number; jitterMs: number },
  options: DirectionOption = {},
): FaultSpec => ({
  kind: 'latency',
  target: link,
  words: 'slowed',
  apply: (t, scaled) => t.links.latency(link, { ...size(scaled), ...options }),
});
