// Client logins on a CMS (the supervisor's reporting sessions): only the ACTIVE CMS serves them. Pure.

import type { HaRole, Timers } from '../../protocol/index.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import { copy, earliest, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface ClientsConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
  /** Planted defects (a candidate image's, see PLANTS): supervisor-on-standby accepts a login while STANDBY. */
  plants?: Plants;
}

export interface ClientSession {
  conn: ConnId;
  user: string | null;
  lastRxMs: number;
  nextKaMs: number | null;
}

export interface ClientsSnapshot {
  role: HaRole;
  sessions: ClientSession[];
}

export type ClientsInput = NetInput | { type: 'role'; role: HaRole };

export function initialClients(role: HaRole): ClientsSnapshot {
  return { role, sessions: [] };
}

/**
 * Behaviour: `login {user}` is accepted (`login-ok`) only while ACTIVE, else `login-reject` and close. Logged-in
 * sessions get keep-alives every keepaliveIntervalMs; silence for keepaliveMisses·keepaliveIntervalMs (also before
 * the login) closes a session. Going STANDBY drops every session.
 */
export function clientsMachine(cfg: ClientsConfig): Machine<ClientsSnapshot, ClientsInput> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const acceptsOnStandby = (cfg.plants ?? NO_PLANTS).has('supervisor-on-standby');
  return {
    step(state, input, nowMs): Step<ClientsSnapshot> {
      const s = copy(state);
      const fx: Effect[] = [];
      switch (input.type) {
        case 'role':
          s.role = input.role;
          if (input.role === 'STANDBY') {
            for (const x of s.sessions) fx.push({ type: 'close', conn: x.conn, reason: 'CMS went STANDBY' });
            if (s.sessions.length > 0) fx.push(log(`dropped ${s.sessions.length} client session(s): STANDBY`));
            s.sessions = [];
          }
          break;
        case 'accepted':
          s.sessions.push({ conn: input.conn, user: null, lastRxMs: nowMs, nextKaMs: null });
          break;
        case 'closed':
          s.sessions = s.sessions.filter((x) => x.conn !== input.conn);
          break;
        case 'connected':
          break;
        case 'message': {
          const x = s.sessions.find((q) => q.conn === input.conn);
          if (x === undefined) break;
          x.lastRxMs = nowMs;
          if (input.msg.t !== 'login' || x.user !== null) break;
          if (s.role !== 'ACTIVE' && !acceptsOnStandby) {
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'login-reject', reason: 'this CMS is STANDBY' } });
            fx.push({ type: 'close', conn: x.conn, reason: 'login rejected: STANDBY' });
            s.sessions = s.sessions.filter((q) => q.conn !== x.conn);
            break;
          }
          x.user = input.msg.user;
          x.nextKaMs = nowMs + t.keepaliveIntervalMs;
          fx.push({ type: 'send', conn: x.conn, msg: { t: 'login-ok' } });
          fx.push(log(`client ${x.user} logged in`));
          break;
        }
        case 'tick':
          for (const x of [...s.sessions]) {
            if (nowMs >= x.lastRxMs + silenceMs) {
              s.sessions = s.sessions.filter((q) => q.conn !== x.conn);
              fx.push({ type: 'close', conn: x.conn, reason: `client silent for ${silenceMs} ms` });
            } else if (x.nextKaMs !== null && nowMs >= x.nextKaMs) {
              fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka' } });
              x.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          break;
      }
      return { state: s, effects: fx };
    },
    nextWakeMs(s) {
      return earliest(...s.sessions.flatMap((x) => [x.lastRxMs + silenceMs, x.nextKaMs]));
    },
  };
}
