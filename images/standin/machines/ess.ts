// The ESS's view of the main CM and its own state: STANDBY -> NO_SERVICE_TIMING -> ACTIVE -> RESETTING -> STANDBY.
// Pure; the shell pairs it with an acd-server machine whose `serving` follows the `serving` notices (in control = ACTIVE).

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
  /** When it entered NO_SERVICE_TIMING (the timeout itself counts from lastReachableMs). */
  timingSinceMs: number | null;
  /** The last instant the main CM was known reachable (its last answer, or the end of a connection it answered on). */
  lastReachableMs: number;
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
    lastReachableMs: 0,
    activeSinceMs: null,
    resetUntilMs: null,
    cmReachable: false,
  };
}

/**
 * Behaviour (DESIGN.md §1 "ESS"):
 * - Dials ess-cm, sends `ess-hello {state}`, then a keep-alive {ess: state} every keepaliveIntervalMs and one at
 *   once on every state change (the main CM learns from it who is in control); the CM answers each.
 * - The main CM is unreachable when the connection is refused or ends, or when nothing came from it for
 *   keepaliveMisses·keepaliveIntervalMs (then the ESS closes it). It redials keepaliveIntervalMs after a failure.
 * - STANDBY + unreachable -> NO_SERVICE_TIMING. Any message from the CM during the timing -> STANDBY. The ESS goes
 *   ACTIVE (takes control: serves CMS links) essNoServiceTimeoutMs after the LAST INSTANT the main CM was reachable
 *   (its last answer on a silent link, the end of a connection it had answered on), and that clock runs on through
 *   RESETTING: a CM lost during the reset makes the ESS ACTIVE at the reset's end if the timeout has passed by then.
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
    // The main CM decides from this whether it is in control: tell it at once, not at the next keep-alive.
    if (s.conn !== null && s.nextKaMs !== null) fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka', ess: next } });
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

  /** `reachableUntilMs`: the last instant the CM is known to have been reachable on this connection. */
  function unreachable(s: EssSnapshot, fx: Array<Effect | EssNotice>, why: string, nowMs: number, reachableUntilMs: number): void {
    s.conn = null;
    s.nextDialMs = nowMs + t.keepaliveIntervalMs;
    if (s.cmReachable) {
      fx.push(log(`main CM unreachable: ${why}`));
      s.lastReachableMs = reachableUntilMs;
    }
    s.cmReachable = false;
    if (s.ess === 'STANDBY') {
      s.timingSinceMs = nowMs;
      to(s, fx, 'NO_SERVICE_TIMING', `main CM unreachable: ${why}`);
    }
  }

  const timeoutDue = (s: EssSnapshot, nowMs: number): boolean => !s.cmReachable && nowMs >= s.lastReachableMs + t.essNoServiceTimeoutMs;

  function goActive(s: EssSnapshot, fx: Array<Effect | EssNotice>, nowMs: number): void {
    s.activeSinceMs = nowMs;
    s.timingSinceMs = null;
    to(s, fx, 'ACTIVE', `main CM unreachable for ${t.essNoServiceTimeoutMs} ms (no-service timeout) since it was last reachable`);
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
            // Nothing is known of the main CM before the start: the timeout counts from here at the earliest.
            s.lastReachableMs = nowMs;
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
          fx.push({ type: 'send', conn: input.conn, msg: { t: 'ess-hello', state: s.ess } });
          break;
        case 'closed':
          if (input.conn !== s.conn) break;
          // A connection the CM answered on was up until now; a refused dial says nothing new.
          unreachable(s, fx, input.reason, nowMs, s.cmAnswered ? nowMs : s.lastReachableMs);
          break;
        case 'message': {
          if (input.conn !== s.conn) break;
          const wasReachable = s.cmReachable;
          s.lastRxMs = nowMs;
          s.lastReachableMs = nowMs;
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
              unreachable(s, fx, `silent for ${silenceMs} ms`, nowMs, s.lastRxMs);
            } else if (s.nextKaMs !== null && nowMs >= s.nextKaMs) {
              fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka', ess: s.ess } });
              s.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          if (s.ess === 'NO_SERVICE_TIMING' && timeoutDue(s, nowMs)) goActive(s, fx, nowMs);
          if (autoReturnDue(s, nowMs)) goResetting(s, fx, nowMs, scheduled(false));
          if (s.ess === 'RESETTING' && s.resetUntilMs !== null && nowMs >= s.resetUntilMs) {
            s.resetUntilMs = null;
            to(s, fx, 'STANDBY', 'reset complete');
            if (!s.cmReachable) {
              s.timingSinceMs = nowMs;
              to(s, fx, 'NO_SERVICE_TIMING', 'main CM still unreachable after the reset');
              if (timeoutDue(s, nowMs)) goActive(s, fx, nowMs);
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
        s.ess === 'NO_SERVICE_TIMING' ? s.lastReachableMs + t.essNoServiceTimeoutMs : null,
        // While the CM is unreachable the return waits for its answer (an input), not for a time.
        s.ess === 'ACTIVE' && s.cmReachable && autoReturnMs !== null && s.activeSinceMs !== null ? s.activeSinceMs + autoReturnMs : null,
        s.ess === 'RESETTING' ? s.resetUntilMs : null,
      );
    },
  };
}
