// The main CM's side of the ess-cm link: answers the ESS's registration and keep-alives and carries the
// forced-takeover order. Pure.

import type { Timers } from '../../protocol/index.js';
import { copy, earliest, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface EssPeerConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
}

export interface EssPeerSnapshot {
  /** Registered ESS connections, oldest first (normally one). */
  sessions: Array<{ conn: ConnId; registered: boolean; lastRxMs: number }>;
}

export type EssPeerInput = NetInput | { type: 'forced-takeover' };

export function initialEssPeer(): EssPeerSnapshot {
  return { sessions: [] };
}

/** Why a forced takeover cannot be ordered now, or null when it can. */
export function forcedTakeoverRefusal(s: EssPeerSnapshot): string | null {
  return s.sessions.some((x) => x.registered) ? null : 'no ESS is registered on ess-cm: the takeover order cannot be delivered';
}

/**
 * Behaviour: `ess-hello` is answered with `ess-hello-ack` (the connection is then registered), each keep-alive
 * with a keep-alive (the ESS judges the CM alive by these answers). A connection silent for
 * keepaliveMisses·keepaliveIntervalMs is closed. `forced-takeover` sends `takeover` on the newest registered one.
 */
export function essPeerMachine(cfg: EssPeerConfig): Machine<EssPeerSnapshot, EssPeerInput> {
  const silenceMs = cfg.timers.keepaliveMisses * cfg.timers.keepaliveIntervalMs;
  return {
    step(state, input, nowMs): Step<EssPeerSnapshot> {
      const s = copy(state);
      const fx: Effect[] = [];
      switch (input.type) {
        case 'accepted':
          s.sessions.push({ conn: input.conn, registered: false, lastRxMs: nowMs });
          break;
        case 'closed':
          s.sessions = s.sessions.filter((x) => x.conn !== input.conn);
          break;
        case 'message': {
          const x = s.sessions.find((q) => q.conn === input.conn);
          if (x === undefined) break;
          x.lastRxMs = nowMs;
          if (input.msg.t === 'ess-hello') {
            if (!x.registered) fx.push(log('ESS registered on ess-cm'));
            x.registered = true;
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'ess-hello-ack' } });
          } else if (input.msg.t === 'ka') {
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka' } });
          }
          break;
        }
        case 'forced-takeover': {
          const target = [...s.sessions].reverse().find((x) => x.registered);
          if (target === undefined) {
            fx.push(log('forced takeover requested but no ESS is registered'));
            break;
          }
          fx.push({ type: 'send', conn: target.conn, msg: { t: 'takeover' } });
          fx.push(log('forced takeover ordered to the ESS'));
          break;
        }
        case 'tick':
          for (const x of [...s.sessions]) {
            if (nowMs >= x.lastRxMs + silenceMs) {
              s.sessions = s.sessions.filter((q) => q.conn !== x.conn);
              fx.push({ type: 'close', conn: x.conn, reason: `ESS silent for ${silenceMs} ms` });
            }
          }
          break;
        case 'connected':
          break;
      }
      return { state: s, effects: fx };
    },
    nextWakeMs(s) {
      return earliest(...s.sessions.map((x) => x.lastRxMs + silenceMs));
    },
  };
}
