// Labels put on every container and network the harness makes, so that teardown and the start-up
// sweep can find them again, even after the process that made them died.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

export const LABEL_RUN = 'cmsha.run';
export const LABEL_TOPOLOGY = 'cmsha.topology';
export const LABEL_PID = 'cmsha.pid';
export const LABEL_HOST = 'cmsha.host';
export const LABEL_NODE = 'cmsha.node';

/** One id per harness process: every topology it starts carries it. */
export const RUN_ID = process.env['CMSHA_RUN_ID'] ?? `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

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
