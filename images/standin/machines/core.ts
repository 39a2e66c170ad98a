// Shared shape of the pure state machines: (state, input, nowMs) -> { state, effects }.
// No sockets, timers or clocks in here: the I/O shell turns effects into actions and time into `tick` inputs.

import type { AlarmName, LinkName, StandinEvent } from '../../protocol/index.js';
import type { WireMsg } from '../wire.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as a machine emits it; the shell adds seq, node and the monotonic stamp. */
export type EventBody = DistributiveOmit<StandinEvent, 'seq' | 'node' | 'atNs'>;

/**
 * Connection ids: a machine numbers the connections it dials itself (1, 2, ...); the shell numbers the
 * connections it accepts with negative ids (-1, -2, ...), so the two never collide inside one machine.
 */
export type ConnId = number;

export type Effect =
  | { type: 'emit'; event: EventBody }
  | { type: 'dial'; conn: ConnId; link: LinkName }
  | { type: 'send'; conn: ConnId; msg: WireMsg }
  /** The shell closes the socket and does not report `closed` back for it. */
  | { type: 'close'; conn: ConnId; reason: string };

/** Inputs every machine understands (some ignore some of them). */
export type NetInput =
  /** Time passed: handle every deadline <= nowMs. */
  | { type: 'tick' }
  /** A dialled connection is open. */
  | { type: 'connected'; conn: ConnId }
  /** A connection ended: refused, reset, closed by the peer, or failed; `reason` says which. */
  | { type: 'closed'; conn: ConnId; reason: string }
  | { type: 'message'; conn: ConnId; msg: WireMsg }
  /** The shell accepted a connection on one of our listening ports. */
  | { type: 'accepted'; conn: ConnId; port: number };

export interface Step<S, N = never> {
  state: S;
  effects: Array<Effect | N>;
}

export interface Machine<S, I, N = never> {
  step(state: S, input: I, nowMs: number): Step<S, N>;
  /** The earliest instant at which a `tick` would change something; null when nothing is pending. */
  nextWakeMs(state: S): number | null;
}

/** Smallest non-null deadline. */
export function earliest(...times: Array<number | null | undefined>): number | null {
  let best: number | null = null;
  for (const t of times) if (t !== null && t !== undefined && (best === null || t < best)) best = t;
  return best;
}

export function emit(event: EventBody): Effect {
  return { type: 'emit', event };
}

export function alarm(name: AlarmName, raised: boolean, detail: string): Effect {
  return emit({ type: 'alarm', alarm: name, raised, detail });
}

export function log(message: string): Effect {
  return emit({ type: 'log', message });
}

/** Machines work on a private copy so the caller's state is never changed (old states stay valid in tests). */
export function copy<S>(state: S): S {
  return structuredClone(state);
}
