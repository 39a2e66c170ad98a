// The CMS side of the ACD link with Dual-IP: IDLE -> CONNECTING -> WAITING_ACCEPTANCE -> TRANSLATION_PUMPUP
// -> DATA_TRANSFER, attempts on a fixed slot grid (main CM first, then the ESS), silence detection. Pure.

import type { AcdLinkState as LinkStateName, AcdTarget, CmsName, LinkName, Timers } from '../../protocol/index.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface AcdLinkConfig {
  node: CmsName;
  timers: Pick<Timers, 'linkRetryMs' | 'mainAttempts' | 'essAttempts' | 'keepaliveIntervalMs' | 'keepaliveMisses'>;
  /** Link dialled for the main CM (`acd-primary` / `acd-secondary`). */
  mainLink: LinkName;
  /** Link dialled for the ESS; null when no ESS dial is configured (then only main attempts). */
  essLink: LinkName | null;
}

export interface AcdLinkSnapshot {
  state: LinkStateName;
  target: AcdTarget | null;
  /** Dual-IP cycle, from 1; a new cycle starts after the last ESS attempt or after a link loss. */
  cycle: number;
  /** Attempt within the cycle: 1..mainAttempts at the CM, then mainAttempts+1.. at the ESS. */
  attempt: number;
  cycleStartMs: number;
  /** Connection of the current attempt or session; null after the attempt failed (waiting for the next slot). */
  conn: ConnId | null;
  nextConn: ConnId;
  lastRxMs: number;
  nextKaMs: number | null;
  linkDownAlarm: boolean;
}

export type AcdLinkInput = NetInput | { type: 'start' };

/** ACD data received on the link, for the data tracker (acd-data.ts). */
export type AcdLinkNotice = { type: 'acd-data'; source: AcdTarget; seq: number };

export function initialAcdLink(): AcdLinkSnapshot {
  return {
    state: 'IDLE',
    target: null,
    cycle: 0,
    attempt: 0,
    cycleStartMs: 0,
    conn: null,
    nextConn: 1,
    lastRxMs: 0,
    nextKaMs: null,
    linkDownAlarm: false,
  };
}

/**
 * Behaviour (DESIGN.md §1 "ACD link", "Dual-IP", made precise in the stand-ins brief):
 * - Attempt k of a cycle starts at cycleStart + (k-1)·linkRetryMs; attempts 1..mainAttempts dial the main CM,
 *   the next essAttempts dial the ESS (none when no ESS link). After the last one the next cycle starts on the
 *   same grid (cycle + 1).
 * - An attempt fails on refuse/close/reject, or when the next slot comes before the CM accepted (the pending
 *   connection is closed then). A failed attempt leaves the link CONNECTING until the next slot; the failure is
 *   emitted as an `acd-link` CONNECTING event whose reason starts with "attempt N failed".
 *   An attempt's start is an `acd-link` CONNECTING event whose reason starts with "attempt N of".
 * - connected -> hello sent -> WAITING_ACCEPTANCE; `accept` -> TRANSLATION_PUMPUP; `data-start` (or a first
 *   `acd` event) -> DATA_TRANSFER. Keep-alives are sent every keepaliveIntervalMs from acceptance on.
 * - From acceptance on, the link is lost when the connection ends or when nothing (data nor keep-alive) arrived
 *   for keepaliveMisses·keepaliveIntervalMs (checked at that exact deadline). Loss restarts at once: new cycle,
 *   attempt 1 at the main CM. Loss from DATA_TRANSFER raises ACD_LINK_DOWN; reaching DATA_TRANSFER clears it.
 * - One connection at a time, so the CMS is never linked to the CM and the ESS at once.
 */
export function acdLinkMachine(cfg: AcdLinkConfig): Machine<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice> {
  const t = cfg.timers;
  const perCycle = t.mainAttempts + (cfg.essLink === null ? 0 : t.essAttempts);
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;

  const targetOf = (attempt: number): AcdTarget => (attempt <= t.mainAttempts ? 'cm' : 'ess');
  const linkOf = (target: AcdTarget): LinkName => (target === 'cm' ? cfg.mainLink : (cfg.essLink ?? cfg.mainLink));
  const nextSlotMs = (s: AcdLinkSnapshot): number => s.cycleStartMs + s.attempt * t.linkRetryMs;
  const linked = (s: AcdLinkSnapshot): boolean => s.state === 'TRANSLATION_PUMPUP' || s.state === 'DATA_TRANSFER';

  function change(s: AcdLinkSnapshot, fx: Effect[], state: LinkStateName, reason: string): void {
    s.state = state;
    fx.push(emit({ type: 'acd-link', target: s.target ?? 'cm', state, attempt: s.attempt, cycle: s.cycle, reason }));
  }

  function beginAttempt(s: AcdLinkSnapshot, fx: Effect[], attempt: number): void {
    s.attempt = attempt;
    s.target = targetOf(attempt);
    s.conn = s.nextConn++;
    s.nextKaMs = null;
    const ofCount = s.target === 'cm' ? t.mainAttempts : t.essAttempts;
    const nth = s.target === 'cm' ? attempt : attempt - t.mainAttempts;
    fx.push({ type: 'dial', conn: s.conn, link: linkOf(s.target) });
    change(s, fx, 'CONNECTING', `attempt ${attempt} of cycle ${s.cycle}: ${s.target} try ${nth} of ${ofCount}`);
  }

  function beginCycle(s: AcdLinkSnapshot, fx: Effect[], startMs: number): void {
    s.cycle += 1;
    s.cycleStartMs = startMs;
    beginAttempt(s, fx, 1);
  }

  function failAttempt(s: AcdLinkSnapshot, fx: Effect[], why: string, closeConn: boolean): void {
    if (closeConn && s.conn !== null) fx.push({ type: 'close', conn: s.conn, reason: why });
    s.conn = null;
    change(s, fx, 'CONNECTING', `attempt ${s.attempt} failed: ${why}`);
  }

  function lose(s: AcdLinkSnapshot, fx: Effect[], why: string, nowMs: number, closeConn: boolean): void {
    if (closeConn && s.conn !== null) fx.push({ type: 'close', conn: s.conn, reason: why });
    const wasData = s.state === 'DATA_TRANSFER';
    fx.push(log(`acd link to ${s.target ?? 'cm'} lost in ${s.state}: ${why}`));
    s.conn = null;
    if (wasData && !s.linkDownAlarm) {
      s.linkDownAlarm = true;
      fx.push(alarm('ACD_LINK_DOWN', true, `${cfg.node} lost its ACD link to ${s.target ?? 'cm'}: ${why}`));
    }
    beginCycle(s, fx, nowMs);
  }

  function onTick(s: AcdLinkSnapshot, fx: Effect[], nowMs: number): void {
    if (s.state === 'CONNECTING' || s.state === 'WAITING_ACCEPTANCE') {
      // Walk the slot grid: a long pause of the process may have skipped several slots.
      while (nowMs >= nextSlotMs(s) && (s.state === 'CONNECTING' || s.state === 'WAITING_ACCEPTANCE')) {
        if (s.conn !== null) failAttempt(s, fx, 'no acceptance before the next slot', true);
        if (s.attempt >= perCycle) beginCycle(s, fx, s.cycleStartMs + perCycle * t.linkRetryMs);
        else beginAttempt(s, fx, s.attempt + 1);
      }
      return;
    }
    if (linked(s) && s.conn !== null) {
      if (nowMs >= s.lastRxMs + silenceMs) {
        lose(s, fx, `silent for ${silenceMs} ms`, nowMs, true);
        return;
      }
      if (s.nextKaMs !== null && nowMs >= s.nextKaMs) {
        fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka' } });
        s.nextKaMs = nowMs + t.keepaliveIntervalMs;
      }
    }
  }

  function toDataTransfer(s: AcdLinkSnapshot, fx: Effect[]): void {
    change(s, fx, 'DATA_TRANSFER', 'data stream started');
    if (s.linkDownAlarm) {
      s.linkDownAlarm = false;
      fx.push(alarm('ACD_LINK_DOWN', false, `${cfg.node} in data transfer with ${s.target ?? 'cm'}`));
    }
  }

  return {
    step(state, input, nowMs): Step<AcdLinkSnapshot, AcdLinkNotice> {
      const s = copy(state);
      const fx: Array<Effect | AcdLinkNotice> = [];
      const effects = fx as Effect[];
      switch (input.type) {
        case 'start':
          if (s.state === 'IDLE') beginCycle(s, effects, nowMs);
          break;
        case 'tick':
          onTick(s, effects, nowMs);
          break;
        case 'accepted':
          // The CMS accepts nothing on the ACD link.
          effects.push({ type: 'close', conn: input.conn, reason: 'not listening for ACD' });
          break;
        case 'connected':
          if (input.conn !== s.conn || s.state !== 'CONNECTING') break;
          effects.push({ type: 'send', conn: s.conn, msg: { t: 'hello', node: cfg.node } });
          s.lastRxMs = nowMs;
          change(s, effects, 'WAITING_ACCEPTANCE', `connected to ${s.target ?? 'cm'}, hello sent`);
          break;
        case 'closed':
          if (input.conn !== s.conn) break;
          if (linked(s)) lose(s, effects, input.reason, nowMs, false);
          else failAttempt(s, effects, input.reason, false);
          break;
        case 'message': {
          if (input.conn !== s.conn) break;
          s.lastRxMs = nowMs;
          const m = input.msg;
          if (s.state === 'WAITING_ACCEPTANCE') {
            if (m.t === 'accept') {
              s.nextKaMs = nowMs + t.keepaliveIntervalMs;
              change(s, effects, 'TRANSLATION_PUMPUP', `accepted by ${s.target ?? 'cm'}`);
            } else if (m.t === 'reject') {
              failAttempt(s, effects, `rejected by ${s.target ?? 'cm'}${m.reason ? ` (${m.reason})` : ''}`, true);
            }
            break;
          }
          if (s.state === 'TRANSLATION_PUMPUP' && (m.t === 'data-start' || m.t === 'acd')) toDataTransfer(s, effects);
          if (s.state === 'DATA_TRANSFER' && m.t === 'acd') fx.push({ type: 'acd-data', source: s.target ?? 'cm', seq: m.seq });
          break;
        }
      }
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      if (s.state === 'CONNECTING' || s.state === 'WAITING_ACCEPTANCE') return nextSlotMs(s);
      if (linked(s) && s.conn !== null) return earliest(s.lastRxMs + silenceMs, s.nextKaMs);
      return null;
    },
  };
}
