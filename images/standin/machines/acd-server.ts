// The CM / ESS side of the ACD links: accepts CMS sessions, pump-up, one global sequence stream sent
// identically to every CMS in data transfer, keep-alives both ways, silence detection. Pure.

import type { CmsName, Timers } from '../../protocol/index.js';
import { copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface AcdServerConfig {
  /** 'cm' or 'ess', for messages. */
  name: string;
  timers: Pick<Timers, 'pumpupMs' | 'keepaliveIntervalMs' | 'keepaliveMisses' | 'acdEventRateHz'>;
}

export interface AcdSession {
  conn: ConnId;
  port: number;
  node: CmsName | null;
  phase: 'hello' | 'pumpup' | 'data';
  pumpupUntilMs: number;
  lastRxMs: number;
  nextKaMs: number | null;
}

export interface AcdServerSnapshot {
  /** Serves CMS links only while its switch is in control (the CM as its ess-cm side says, the ESS while ACTIVE). */
  serving: boolean;
  /** Not yet told whether to serve (a CM just started): hellos wait unanswered until it is. */
  undecided: boolean;
  sessions: AcdSession[];
  /** Last sequence number produced; the counter runs whether or not a CMS is linked (events go on happening). */
  seq: number;
  nextEventMs: number | null;
}

export type AcdServerInput = NetInput | { type: 'start' } | { type: 'set-serving'; serving: boolean; reason: string };

export function initialAcdServer(serving: boolean, undecided = false): AcdServerSnapshot {
  return { serving, undecided, sessions: [], seq: 0, nextEventMs: null };
}

/** CMS nodes in data transfer on this server (status `linkedCms`). */
export function linkedCms(s: AcdServerSnapshot): CmsName[] {
  return s.sessions.filter((x) => x.phase === 'data' && x.node !== null).map((x) => x.node as CmsName);
}

/**
 * Behaviour: a CMS connects and sends `hello {node}`. Undecided: no answer until `set-serving` says (a CMS abandons
 * an unanswered attempt at its next slot anyway). Not serving: answer `reject`, close. Serving: `accept`,
 * then after pumpupMs `data-start` and from then on every ACD event. A new session of the same CMS node replaces
 * the old one. Keep-alives every keepaliveIntervalMs from acceptance; a session silent for
 * keepaliveMisses·keepaliveIntervalMs (including one that never says hello) is closed.
 * `set-serving false` (its switch lost control) closes every session; a switch not in control streams to nobody.
 * Each session of a known CMS is an `acd-session`
 * event when accepted (pumpup), in data transfer (data) and ended: the server's own view of who it serves.
 */
export function acdServerMachine(cfg: AcdServerConfig): Machine<AcdServerSnapshot, AcdServerInput> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const periodMs = t.acdEventRateHz > 0 ? 1000 / t.acdEventRateHz : null;

  function answerHello(s: AcdServerSnapshot, fx: Effect[], x: AcdSession, node: CmsName, nowMs: number): void {
    if (!s.serving) {
      fx.push({ type: 'send', conn: x.conn, msg: { t: 'reject', reason: `${cfg.name} is not serving` } });
      drop(s, fx, x.conn, 'rejected: not serving', true);
      return;
    }
    for (const old of s.sessions.filter((q) => q.node === node && q.conn !== x.conn)) {
      drop(s, fx, old.conn, `replaced by a new session of ${node}`, true);
    }
    x.node = node;
    x.phase = 'pumpup';
    x.pumpupUntilMs = nowMs + t.pumpupMs;
    x.nextKaMs = nowMs + t.keepaliveIntervalMs;
    fx.push({ type: 'send', conn: x.conn, msg: { t: 'accept' } });
    fx.push(emit({ type: 'acd-session', cms: node, phase: 'pumpup', reason: `accepted on port ${x.port}` }));
  }

  function drop(s: AcdServerSnapshot, fx: Effect[], conn: ConnId, why: string, closeIt: boolean): void {
    const x = s.sessions.find((q) => q.conn === conn);
    if (x === undefined) return;
    s.sessions = s.sessions.filter((q) => q.conn !== conn);
    if (closeIt) fx.push({ type: 'close', conn, reason: why });
    if (x.node !== null && x.phase !== 'hello') fx.push(emit({ type: 'acd-session', cms: x.node, phase: 'ended', reason: why }));
    else fx.push(log(`${cfg.name}: session of an unknown CMS on port ${x.port} ended: ${why}`));
  }

  return {
    step(state, input, nowMs): Step<AcdServerSnapshot> {
      const s = copy(state);
      const fx: Effect[] = [];
      switch (input.type) {
        case 'start':
          if (periodMs !== null && s.nextEventMs === null) s.nextEventMs = nowMs + periodMs;
          break;
        case 'set-serving': {
          const held = s.undecided ? s.sessions.filter((x) => x.phase === 'hello' && x.node !== null) : [];
          if (s.serving === input.serving && !s.undecided) break;
          s.undecided = false;
          s.serving = input.serving;
          if (!input.serving) for (const x of s.sessions.filter((q) => q.phase !== 'hello')) drop(s, fx, x.conn, input.reason, true);
          // Hellos that waited for the decision get their answer now.
          for (const x of held) answerHello(s, fx, x, x.node as CmsName, nowMs);
          break;
        }
        case 'accepted':
          s.sessions.push({
            conn: input.conn,
            port: input.port,
            node: null,
            phase: 'hello',
            pumpupUntilMs: 0,
            lastRxMs: nowMs,
            nextKaMs: null,
          });
          break;
        case 'closed':
          drop(s, fx, input.conn, input.reason, false);
          break;
        case 'connected':
          break;
        case 'message': {
          const x = s.sessions.find((q) => q.conn === input.conn);
          if (x === undefined) break;
          x.lastRxMs = nowMs;
          const m = input.msg;
          if (m.t !== 'hello' || x.phase !== 'hello' || x.node !== null) break;
          if (s.undecided) {
            x.node = m.node;
            fx.push(log(`${cfg.name}: hello of ${m.node} waits: not yet known whether this switch is in control`));
            break;
          }
          answerHello(s, fx, x, m.node, nowMs);
          break;
        }
        case 'tick': {
          for (const x of [...s.sessions]) {
            if (nowMs >= x.lastRxMs + silenceMs) {
              drop(s, fx, x.conn, `silent for ${silenceMs} ms`, true);
              continue;
            }
            if (x.phase === 'pumpup' && nowMs >= x.pumpupUntilMs) {
              x.phase = 'data';
              fx.push({ type: 'send', conn: x.conn, msg: { t: 'data-start' } });
              if (x.node !== null)
                fx.push(emit({ type: 'acd-session', cms: x.node, phase: 'data', reason: `data transfer from seq ${s.seq + 1}` }));
            }
            if (x.nextKaMs !== null && nowMs >= x.nextKaMs) {
              fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka' } });
              x.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          if (periodMs !== null && s.nextEventMs !== null) {
            const targets = s.sessions.filter((x) => x.phase === 'data');
            while (nowMs >= s.nextEventMs) {
              s.seq += 1;
              s.nextEventMs += periodMs;
              for (const x of targets) fx.push({ type: 'send', conn: x.conn, msg: { t: 'acd', seq: s.seq } });
            }
          }
          break;
        }
      }
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      const times: Array<number | null> = [s.nextEventMs];
      for (const x of s.sessions) {
        times.push(x.lastRxMs + silenceMs, x.nextKaMs);
        if (x.phase === 'pumpup') times.push(x.pumpupUntilMs);
      }
      return earliest(...times);
    },
  };
}
