// Labels put on every container, network and volume the harness makes, so that teardown and the start-up
// sweep can find them again, even after the process that made them died.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { inheritedRunId } from '../core/run-context.js';

export const LABEL_RUN = 'cmsha.run';
export const LABEL_TOPOLOGY = 'cmsha.topology';
export const LABEL_PID = 'cmsha.pid';
export const LABEL_HOST = 'cmsha.host';
export const LABEL_NODE = 'cmsha.node';
/** What a container is to its topology: a node's stand-in, the holder of its network, or the Toxiproxy server. */
export const LABEL_PART = 'cmsha.part';
/** Set on a site started by `cmsha up`: it outlives its process on purpose, so the sweep leaves it to `cmsha down`. */
export const LABEL_KEEP = 'cmsha.keep';

export type ContainerPart = 'standin' | 'holder' | 'toxiproxy';

/** One id per run: every topology of the run carries it (workers of a run inherit it, see RUN_ID_ENV). */
export const RUN_ID = inheritedRunId() ?? `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export function newTopologyId(): string {
  return randomBytes(4).toString('hex');
}

export function labelsFor(topologyId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [LABEL_RUN]: RUN_ID,
    [LABEL_TOPOLOGY]: topologyId,
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: hostname(),
    ...extra,
  };
}
