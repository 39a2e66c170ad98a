// The typed description of a topology: nodes, links (name, from, to:port), timers, policy and time scale,
// and its validation. Bad input is rejected before anything starts, naming the offending item.

import { DEFAULT_POLICY, DEFAULT_TIMERS, type NodeName, type Policy, type StandinKind, type Timers } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';

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
  /** Real-time timers; the stand-ins get them multiplied by `timeScale`. Default DESIGN.md §1. */
  timers: Timers;
  policy: Policy;
  /** 1 = real time (nightly), 0.05 = CI. Default 1. */
  timeScale: number;
}

/** Integer-valued timer fields that are counts, not durations: never scaled. */
const COUNT_FIELDS = new Set<keyof Timers>(['heartbeatMisses', 'mainAttempts', 'essAttempts', 'keepaliveMisses', 'acdEventRateHz']);

/** The ESS No-Service timeout range Avaya allows (3 to 15 minutes), in real time. */
export const ESS_NO_SERVICE_RANGE_MS = [180_000, 900_000] as const;

function bad(message: string, details: Record<string, unknown>): never {
  throw new HarnessError('BAD_CONFIG', message, { details });
}

/** Checks a topology spec; throws HarnessError('BAD_CONFIG') naming the first offending item. */
export function validateSpec(spec: TopologySpec): void {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(spec.name)) {
    bad(`Topology name "${spec.name}" is invalid: use 1–31 lower-case letters, digits or dashes.`, { name: spec.name });
  }
  if (!(Number.isFinite(spec.timeScale) && spec.timeScale > 0 && spec.timeScale <= 10)) {
    bad(`timeScale ${spec.timeScale} is invalid: give a number in (0, 10], e.g. 1 for real time or 0.05 for CI.`, {
      option: 'timeScale',
      value: spec.timeScale,
    });
  }
  for (const [key, value] of Object.entries(spec.timers) as Array<[keyof Timers, number]>) {
    if (!(key in DEFAULT_TIMERS)) bad(`Unknown timer "${key}". Known timers: ${Object.keys(DEFAULT_TIMERS).join(', ')}.`, { option: key });
    const positive = COUNT_FIELDS.has(key) ? Number.isInteger(value) && value >= 1 : Number.isFinite(value) && value > 0;
    if (!positive) {
      bad(
        `Timer ${key} = ${value} is invalid: it must be a ${COUNT_FIELDS.has(key) ? 'whole number ≥ 1' : 'positive number of milliseconds'}.`,
        { option: key, value },
      );
    }
  }
  const [lo, hi] = ESS_NO_SERVICE_RANGE_MS;
  if (spec.timers.essNoServiceTimeoutMs < lo || spec.timers.essNoServiceTimeoutMs > hi) {
    bad(
      `Timer essNoServiceTimeoutMs = ${spec.timers.essNoServiceTimeoutMs} is outside the range the ESS allows (${lo}–${hi} ms, 3–15 min). ` +
        'Give the real-time value; the time scale shortens it for CI.',
      { option: 'essNoServiceTimeoutMs', value: spec.timers.essNoServiceTimeoutMs },
    );
  }
  if (spec.timers.heartbeatTimeoutMs >= spec.timers.heartbeatIntervalMs) {
    bad(
      `heartbeatTimeoutMs (${spec.timers.heartbeatTimeoutMs}) must be shorter than heartbeatIntervalMs (${spec.timers.heartbeatIntervalMs}).`,
      {
        option: 'heartbeatTimeoutMs',
      },
    );
  }
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
}

/** The timers a stand-in gets: every duration multiplied by the time scale, counts unchanged. */
export function scaleTimers(timers: Timers, timeScale: number): Timers {
  const scaled = { ...timers };
  for (const key of Object.keys(scaled) as Array<keyof Timers>) {
    if (!COUNT_FIELDS.has(key)) scaled[key] = Math.round(timers[key] * timeScale);
  }
  return scaled;
}

export function scalePolicy(policy: Policy, timeScale: number): Policy {
  return { ...policy, essAutoReturnMs: policy.essAutoReturnMs === null ? null : Math.round(policy.essAutoReturnMs * timeScale) };
}

export function withDefaults(
  partial: Partial<Omit<TopologySpec, 'timers' | 'policy'>> & { timers?: Partial<Timers>; policy?: Partial<Policy> },
  base: TopologySpec,
): TopologySpec {
  return {
    ...base,
    ...partial,
    timers: { ...DEFAULT_TIMERS, ...base.timers, ...partial.timers },
    policy: { ...DEFAULT_POLICY, ...base.policy, ...partial.policy },
  };
}
