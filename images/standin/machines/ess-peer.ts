// The main CM's side of the ess-cm link: answers the ESS's registration and keep-alives, carries the forced-takeover
// order, and decides from what the ESS says whether the main CM is in control of the switch. Pure.

import type { EssState, Timers } from '../../protocol/index.js';
import { copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface EssPeerConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
}

export interface EssPeerSnapshot {
  /** Registered ESS connections, oldest first (normally one). */
  sessions: Array<{ conn: ConnId; registered: boolean; lastRxMs: number }>;
  /** Whether the main CM is in control; null after its start until it knows (it serves nobody meanwhile). */
  inControl: boolean | null;
  /** When an ESS last said anything, or the start: an ESS silent for essLostMs from here is taken for dead. */
  lastEssRxMs: number;
  started: boolean;
}

export type EssPeerInput = NetInput | { type: 'start' } | { type: 'forced-takeover' };

/** The CM's acd-server serves CMS links only while the CM is in control. */
export type EssPeerNotice = { type: 'control'; inControl: boolean; reason: string };

export function initialEssPeer(): EssPeerSnapshot {
  return { sessions: [], inControl: null, lastEssRxMs: 0, started: false };
}

/** Why a forced takeover cannot be ordered now, or null when it can. */
export function forcedTakeoverRefusal(s: EssPeerSnapshot): string | null {
  return s.sessions.some((x) => x.registered) ? null : 'no ESS is registered on ess-cm: the takeover order cannot be delivered';
}

/**
 * Behaviour: `ess-hello` is answered with `ess-hello-ack` (the connection is then registered), each keep-alive
 * with a keep-alive (the ESS judges the CM alive by these answers). A connection silent for
 * keepaliveMisses·keepaliveIntervalMs is closed. `forced-takeover` sends `takeover` on the newest registered one.
 *
 * Switch control (DESIGN.md §1 "Switch control"; the stand-in's simplification): the real arbiter is the IPSIs, which
 * the stand-in folds into the ESS's view of the main CM over ess-cm; so the CM learns who is in control from what the
 * ESS says on that same link (its state, in its hello and every keep-alive, and at once on a change):
 * - ESS ACTIVE -> the CM is not in control (it rejects CMS links and drops its sessions). Any other state (STANDBY,
 *   NO_SERVICE_TIMING, RESETTING after a forced takeover or the scheduled return, a restarted ESS) -> in control. So
 *   the CM takes control back only through the ESS leaving ACTIVE, and a CM restarted while the ESS is ACTIVE stays out.
 * - After its start the CM is undecided (serves nobody; CMS hellos wait unanswered) until an ESS speaks, or until
 *   essLostMs = (keepaliveMisses + 1)·keepaliveIntervalMs pass: an ESS that is alive and linked redials within one
 *   keep-alive interval of a broken connection, so silence that long means no ESS (dead, or none). The same bound
 *   from the last word of an ESS lets a CM that is out of control take control when the ESS dies: a dead ESS never
 *   leaves the site without a switch for good.
 * - Limit: the CM cannot tell a dead ESS from a cut ess-cm link. With the link cut and both alive, the ESS takes
 *   control after its no-service timeout while the CM keeps (or, out of control, takes after essLostMs) its own: both
 *   serve until the link heals, when the CM hears the ESS ACTIVE and yields.
 */
export function essPeerMachine(cfg: EssPeerConfig): Machine<EssPeerSnapshot, EssPeerInput, EssPeerNotice> {
  const silenceMs = cfg.timers.keepaliveMisses * cfg.timers.keepaliveIntervalMs;
  const essLostMs = (cfg.timers.keepaliveMisses + 1) * cfg.timers.keepaliveIntervalMs;
  type Fx = Array<Effect | EssPeerNotice>;

  function control(s: EssPeerSnapshot, fx: Fx, inControl: boolean, reason: string): void {
    if (s.inControl === inControl) return;
    s.inControl = inControl;
    fx.push(emit({ type: 'switch-control', inControl, reason }));
    fx.push({ type: 'control', inControl, reason });
  }

  function heard(s: EssPeerSnapshot, fx: Fx, state: EssState | undefined, nowMs: number): void {
    s.lastEssRxMs = nowMs;
    if (state === undefined) return;
    if (state === 'ACTIVE') control(s, fx, false, 'the ESS is ACTIVE: it is in control');
    else control(s, fx, true, `the ESS is ${state}`);
  }

  return {
    step(state, input, nowMs): Step<EssPeerSnapshot, EssPeerNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'start':
          if (s.started) break;
          s.started = true;
          s.lastEssRxMs = nowMs;
          fx.push(log(`main CM started: in control once an ESS says it is not ACTIVE, or after ${essLostMs} ms without one`));
          break;
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
          const m = input.msg;
          if (m.t === 'ess-hello') {
            if (!x.registered) fx.push(log('ESS registered on ess-cm'));
            x.registered = true;
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'ess-hello-ack' } });
            heard(s, fx, m.state, nowMs);
          } else if (m.t === 'ka') {
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka' } });
            heard(s, fx, m.ess, nowMs);
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
          if (s.started && s.inControl !== true && nowMs >= s.lastEssRxMs + essLostMs)
            control(s, fx, true, `no ESS heard for ${Math.round(nowMs - s.lastEssRxMs)} ms`);
          break;
        case 'connected':
          break;
      }
      return { state: s, effects: fx };
    },
    nextWakeMs(s) {
      return earliest(
        ...s.sessions.map((x) => x.lastRxMs + silenceMs),
        s.started && s.inControl !== true ? s.lastEssRxMs + essLostMs : null,
      );
    },
  };
}
