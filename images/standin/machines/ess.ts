// The ESS's view of the main CM and its own state: STANDBY -> NO_SERVICE_TIMING -> ACTIVE -> RESETTING -> STANDBY.
// Pure; the shell pairs it with an acd-server machine whose `serving` follows the `serving` notices.

import type { EssState, Policy, Timers } from '../../protocol/index.js';
import { copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface EssConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses' | 'essNoServiceTimeoutMs' | 'essResetMs'>;
  policy: Pick<Policy, 'essAutoReturnMs'>;
}

export interface EssSnapshot {
  ess: EssState;
  /** Connection to the main CM over ess-cm (through its proxy). */
  conn: ConnId | null;
  nextConn: ConnId;
  /** True once the CM answered on the current connection (a TCP connect to a proxy proves nothing). */
  cmAnswered: boolean;
  lastRxMs: number;
  nextKaMs: number | null;
  nextDialMs: number | null;
  timingSinceMs: number | null;
  activeSinceMs: number | null;
  resetUntilMs: number | null;
  /** Whether the main CM is reachable as far as the ESS knows. */
  cmReachable: boolean;
}

export type EssInput = NetInput | { type: 'start' };
/** The acd-server of the ESS serves CMS sessions only while ACTIVE. */
export type EssNotice = { type: 'serving'; serving: boolean; reason: string };

export function initialEss(): EssSnapshot {
  return {
    ess: 'STANDBY',
    conn: null,
    nextConn: 1,
    cmAnswered: false,
    lastRxMs: 0,
    nextKaMs: null,
    nextDialMs: null,
    timingSinceMs: null,
    activeSinceMs: null,
    resetUntilMs: null,
    cmReachable: false,
  };
}

/**
 * Behaviour (DESIGN.md §1 "ESS"):
 * - Dials ess-cm, sends `ess-hello`, then a keep-alive every keepaliveIntervalMs; the CM answers each.
 * - The main CM is unreachable when the connection is refused or ends, or when nothing came from it for
 *   keepaliveMisses·keepaliveIntervalMs (then the ESS closes it). It redials keepaliveIntervalMs after a failure.
 * - STANDBY + unreachable -> NO_SERVICE_TIMING (timing starts at that instant). Any message from the CM during the
 *   timing -> STANDBY. essNoServiceTimeoutMs of continuous unreachability -> ACTIVE (serves CMS links).
 * - ACTIVE stays ACTIVE whatever the CM does (no pre-emptive return) until a `takeover` order from the CM
 *   (forced takeover) or policy.essAutoReturnMs after going ACTIVE (scheduled return), which happens only while the
 *   main CM is reachable: a schedule that passes while it is not waits for its next answer. Either way RESETTING,
 *   which drops every CMS link; essResetMs later STANDBY (and at once NO_SERVICE_TIMING if the CM is unreachable).
 */
export function essMachine(cfg: EssConfig): Machine<EssSnapshot, EssInput, EssNotice> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;

  function to(s: EssSnapshot, fx: Array<Effect | EssNotice>, next: EssState, reason: string): void {
    const previous = s.ess;
    s.ess = next;
    fx.push(emit({ type: 'ess', state: next, previous, reason }));
  }

  function dial(s: EssSnapshot, fx: Array<Effect | EssNotice>, nowMs: number): void {
    s.conn = s.nextConn++;
    // Silence counts from the dial: a connect that never completes is given up like a silent CM, and a clock that
    // did not start at zero (the host's) does not make the first dial look long silent.
    s.lastRxMs = nowMs;
    s.cmAnswered = false;
    s.nextDialMs = null;
    s.nextKaMs = null;
    fx.push({ type: 'dial', conn: s.conn, link: 'ess-cm' });
  }

  function unreachable(s: EssSnapshot, fx: Array<Effect | EssNotice>, why: string, nowMs: number): void {
    s.conn = null;
    s.nextDialMs = nowMs + t.keepaliveIntervalMs;
    if (s.cmReachable) fx.push(log(`main CM unreachable: ${why}`));
    s.cmReachable = false;
    if (s.ess === 'STANDBY') {
      s.timingSinceMs = nowMs;
      to(s, fx, 'NO_SERVICE_TIMING', `main CM unreachable: ${why}`);
    }
  }

  function goActive(s: EssSnapshot, fx: Array<Effect | EssNotice>, nowMs: number): void {
    s.activeSinceMs = nowMs;
    s.timingSinceMs = null;
    to(s, fx, 'ACTIVE', `main CM unreachable for ${t.essNoServiceTimeoutMs} ms (no-service timeout)`);
    fx.push({ type: 'serving', serving: true, reason: 'ESS ACTIVE' });
  }

  /** The scheduled return, once it is due and the main CM answers (the CMS links must have somewhere to go). */
  function autoReturnDue(s: EssSnapshot, nowMs: number): boolean {
    const r = cfg.policy.essAutoReturnMs;
    return s.ess === 'ACTIVE' && r !== null && s.activeSinceMs !== null && nowMs >= s.activeSinceMs + r && s.cmReachable;
  }

  const scheduled = (held: boolean): string =>
    `scheduled return ${cfg.policy.essAutoReturnMs} ms after going ACTIVE${held ? ', held until the main CM answered again' : ''}`;

  function goResetting(s: EssSnapshot, fx: Array<Effect | EssNotice>, nowMs: number, reason: string): void {
    s.activeSinceMs = null;
    s.resetUntilMs = nowMs + t.essResetMs;
    to(s, fx, 'RESETTING', reason);
    fx.push({ type: 'serving', serving: false, reason: `ESS resetting: ${reason}` });
  }

  return {
    step(state, input, nowMs): Step<EssSnapshot, EssNotice> {
      const s = copy(state);
      const fx: Array<Effect | EssNotice> = [];
      switch (input.type) {
        case 'start':
          if (s.conn === null && s.nextDialMs === null) {
            fx.push(emit({ type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'start' }));
            dial(s, fx, nowMs);
          }
          break;
        case 'accepted':
          fx.push({ type: 'close', conn: input.conn, reason: 'the ESS machine accepts nothing' });
          break;
        case 'connected':
          if (input.conn !== s.conn) break;
          s.lastRxMs = nowMs;
          s.nextKaMs = nowMs + t.keepaliveIntervalMs;
          fx.push({ type: 'send', conn: input.conn, msg: { t: 'ess-hello' } });
          break;
        case 'closed':
          if (input.conn !== s.conn) break;
          unreachable(s, fx, input.reason, nowMs);
          break;
        case 'message': {
          if (input.conn !== s.conn) break;
          const wasReachable = s.cmReachable;
          s.lastRxMs = nowMs;
          s.cmAnswered = true;
          if (!s.cmReachable) {
            s.cmReachable = true;
            fx.push(log('main CM reachable'));
          }
          if (s.ess === 'NO_SERVICE_TIMING') {
            s.timingSinceMs = null;
            to(s, fx, 'STANDBY', 'main CM answered during the no-service timing');
          }
          if (input.msg.t === 'takeover') {
            if (s.ess === 'ACTIVE') goResetting(s, fx, nowMs, 'forced takeover by the main CM');
            else fx.push(log(`takeover order ignored in ${s.ess}`));
          }
          if (autoReturnDue(s, nowMs)) goResetting(s, fx, nowMs, scheduled(!wasReachable));
          break;
        }
        case 'tick': {
          if (s.conn !== null) {
            if (nowMs >= s.lastRxMs + silenceMs) {
              const conn = s.conn;
              fx.push({ type: 'close', conn, reason: 'silent' });
              unreachable(s, fx, `silent for ${silenceMs} ms`, nowMs);
            } else if (s.nextKaMs !== null && nowMs >= s.nextKaMs) {
              fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka' } });
              s.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          if (s.ess === 'NO_SERVICE_TIMING' && s.timingSinceMs !== null && nowMs >= s.timingSinceMs + t.essNoServiceTimeoutMs) {
            goActive(s, fx, nowMs);
          }
          if (autoReturnDue(s, nowMs)) goResetting(s, fx, nowMs, scheduled(false));
          if (s.ess === 'RESETTING' && s.resetUntilMs !== null && nowMs >= s.resetUntilMs) {
            s.resetUntilMs = null;
            to(s, fx, 'STANDBY', 'reset complete');
            if (!s.cmReachable) {
              s.timingSinceMs = nowMs;
              to(s, fx, 'NO_SERVICE_TIMING', 'main CM still unreachable after the reset');
            }
          }
          if (s.conn === null && s.nextDialMs !== null && nowMs >= s.nextDialMs) dial(s, fx, nowMs);
          break;
        }
      }
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      const autoReturnMs = cfg.policy.essAutoReturnMs;
      return earliest(
        s.conn !== null ? s.lastRxMs + silenceMs : null,
        s.conn !== null ? s.nextKaMs : null,
        s.conn === null ? s.nextDialMs : null,
        s.ess === 'NO_SERVICE_TIMING' && s.timingSinceMs !== null ? s.timingSinceMs + t.essNoServiceTimeoutMs : null,
        // While the CM is unreachable the return waits for its answer (an input), not for a time.
        s.ess === 'ACTIVE' && s.cmReachable && autoReturnMs !== null && s.activeSinceMs !== null ? s.activeSinceMs + autoReturnMs : null,
        s.ess === 'RESETTING' ? s.resetUntilMs : null,
      );
    },
  };
}
