// The supervisor: a reporting client that stays logged in to whichever CMS is ACTIVE. Pure.
// It prefers the primary at start, and after a loss alternates between the two every keepaliveIntervalMs/2.

import type { CmsName, LinkName, Timers } from '../../protocol/index.js';
import { copy, earliest, emit, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface SupervisorConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
  /** Which CMS have a client link dialled (normally both). */
  targets: CmsName[];
}

export interface SupervisorSnapshot {
  phase: 'idle' | 'trying' | 'logged-in';
  target: CmsName | null;
  conn: ConnId | null;
  nextConn: ConnId;
  nextAttemptMs: number | null;
  loggedInTo: CmsName | null;
  lastRxMs: number;
  nextKaMs: number | null;
}

export type SupervisorInput = NetInput | { type: 'start' };

export function initialSupervisor(): SupervisorSnapshot {
  return { phase: 'idle', target: null, conn: null, nextConn: 1, nextAttemptMs: null, loggedInTo: null, lastRxMs: 0, nextKaMs: null };
}

export const CLIENT_LINK: Record<CmsName, LinkName> = { 'cms-primary': 'client-primary', 'cms-secondary': 'client-secondary' };

/**
 * Behaviour: an attempt dials the target's client link and sends `login`; `login-ok` -> logged in (`client
 * logged-in` event with the target). Attempts start every keepaliveIntervalMs/2, alternating targets; one that is
 * rejected, closed, or not accepted before the next attempt is abandoned. The first attempt (at start) goes to the
 * primary. Logged in: keep-alives every keepaliveIntervalMs; the session is lost when it ends or is silent for
 * keepaliveMisses·keepaliveIntervalMs (`client lost`); then the other CMS is tried at once and the alternation
 * goes on from there.
 */
export function supervisorMachine(cfg: SupervisorConfig): Machine<SupervisorSnapshot, SupervisorInput> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const retryMs = t.keepaliveIntervalMs / 2;
  const other = (c: CmsName | null): CmsName => {
    const want: CmsName = c === 'cms-primary' ? 'cms-secondary' : 'cms-primary';
    return cfg.targets.includes(want) ? want : (cfg.targets[0] ?? want);
  };

  function attempt(s: SupervisorSnapshot, fx: Effect[], target: CmsName, nowMs: number): void {
    if (s.conn !== null) fx.push({ type: 'close', conn: s.conn, reason: 'login attempt abandoned' });
    s.phase = 'trying';
    s.target = target;
    s.conn = s.nextConn++;
    s.nextAttemptMs = nowMs + retryMs;
    s.nextKaMs = null;
    fx.push({ type: 'dial', conn: s.conn, link: CLIENT_LINK[target] });
  }

  function lose(s: SupervisorSnapshot, fx: Effect[], nowMs: number, closeIt: boolean, why: string): void {
    const lost = s.loggedInTo;
    if (closeIt && s.conn !== null) fx.push({ type: 'close', conn: s.conn, reason: why });
    s.conn = null;
    s.loggedInTo = null;
    fx.push(emit({ type: 'client', action: 'lost', target: lost }));
    attempt(s, fx, other(lost), nowMs);
  }

  return {
    step(state, input, nowMs): Step<SupervisorSnapshot> {
      const s = copy(state);
      const fx: Effect[] = [];
      switch (input.type) {
        case 'start':
          if (s.phase === 'idle') attempt(s, fx, cfg.targets.includes('cms-primary') ? 'cms-primary' : other('cms-primary'), nowMs);
          break;
        case 'accepted':
          fx.push({ type: 'close', conn: input.conn, reason: 'the supervisor accepts nothing' });
          break;
        case 'connected':
          if (input.conn === s.conn && s.phase === 'trying') {
            s.lastRxMs = nowMs;
            fx.push({ type: 'send', conn: input.conn, msg: { t: 'login', user: 'supervisor' } });
          }
          break;
        case 'closed':
          if (input.conn !== s.conn) break;
          if (s.phase === 'logged-in') lose(s, fx, nowMs, false, input.reason);
          else s.conn = null;
          break;
        case 'message': {
          if (input.conn !== s.conn) break;
          s.lastRxMs = nowMs;
          const m = input.msg;
          if (s.phase === 'trying' && m.t === 'login-ok' && s.target !== null) {
            s.phase = 'logged-in';
            s.loggedInTo = s.target;
            s.nextAttemptMs = null;
            s.nextKaMs = nowMs + t.keepaliveIntervalMs;
            fx.push(emit({ type: 'client', action: 'logged-in', target: s.target }));
          } else if (s.phase === 'trying' && m.t === 'login-reject') {
            fx.push({ type: 'close', conn: input.conn, reason: 'login rejected' });
            s.conn = null;
          }
          break;
        }
        case 'tick':
          if (s.phase === 'trying' && s.nextAttemptMs !== null && nowMs >= s.nextAttemptMs) {
            attempt(s, fx, other(s.target), nowMs);
          } else if (s.phase === 'logged-in' && s.conn !== null) {
            if (nowMs >= s.lastRxMs + silenceMs) lose(s, fx, nowMs, true, `silent for ${silenceMs} ms`);
            else if (s.nextKaMs !== null && nowMs >= s.nextKaMs) {
              fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka' } });
              s.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          break;
      }
      return { state: s, effects: fx };
    },
    nextWakeMs(s) {
      if (s.phase === 'trying') return s.nextAttemptMs;
      if (s.phase === 'logged-in') return earliest(s.lastRxMs + silenceMs, s.nextKaMs);
      return null;
    },
  };
}
