// The CMS side of the ACD link with Dual-IP: IDLE -> CONNECTING -> WAITING_ACCEPTANCE -> TRANSLATION_PUMPUP
// -> DATA_TRANSFER, attempts on a fixed slot grid (main CM first, then the ESS), silence detection, ACD_LINK_DOWN. Pure.

import {
  LATE_TIMER_MS,
  type AcdLinkState as LinkStateName,
  type AcdTarget,
  type CmsName,
  type LinkName,
  type Timers,
} from '../../protocol/index.js';
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
  /** The next attempt's slot index (from cycleStartMs) is at least this: slots that passed during a pump-up. */
  minNextSlot: number;
  /** The last instant the link was known in data transfer (or the start): ACD_LINK_DOWN counts from it. */
  dataUntilMs: number;
  /** It reached data transfer at least once (the alarm's detail). */
  everData: boolean;
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
    minNextSlot: 0,
    dataUntilMs: 0,
    everData: false,
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
 * - No reconnect storm: attempts only ever start at slots. After a pause of the process (several slots passed at
 *   once) only the latest slot that passed is dialled (the ones before are skipped, logged), and the grid restarts at
 *   that late attempt, so the next one still waits a whole linkRetryMs (a slot dialled LATE_TIMER_MS or more late).
 * - connected -> hello sent -> WAITING_ACCEPTANCE; `accept` -> TRANSLATION_PUMPUP; `data-start` (or a first
 *   `acd` event) -> DATA_TRANSFER. Keep-alives are sent every keepaliveIntervalMs from acceptance on.
 * - From acceptance on, the link is lost when the connection ends or when nothing (data nor keep-alive) arrived
 *   for keepaliveMisses·keepaliveIntervalMs (checked at that exact deadline). A loss in pump-up is a failed attempt
 *   ("attempt N failed: lost in pump-up"): the next attempt is at the first slot at or after the loss. A loss from
 *   DATA_TRANSFER restarts at once: new cycle, attempt 1 at the main CM.
 * - ACD_LINK_DOWN: raised when the link has not been in DATA_TRANSFER for keepaliveMisses·keepaliveIntervalMs,
 *   counted from the last instant it was (its last message there, or the loss of its connection) or from the start
 *   (so also for a CMS that never connected); cleared on reaching DATA_TRANSFER.
 * - One connection at a time, so the CMS is never linked to the CM and the ESS at once.
 */
export function acdLinkMachine(cfg: AcdLinkConfig): Machine<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice> {
  const t = cfg.timers;
  const perCycle = t.mainAttempts + (cfg.essLink === null ? 0 : t.essAttempts);
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;

  const targetOf = (attempt: number): AcdTarget => (attempt <= t.mainAttempts ? 'cm' : 'ess');
  const linkOf = (target: AcdTarget): LinkName => (target === 'cm' ? cfg.mainLink : (cfg.essLink ?? cfg.mainLink));
  const nextSlotMs = (s: AcdLinkSnapshot): number => s.cycleStartMs + Math.max(s.attempt, s.minNextSlot) * t.linkRetryMs;
  const linked = (s: AcdLinkSnapshot): boolean => s.state === 'TRANSLATION_PUMPUP' || s.state === 'DATA_TRANSFER';

  function change(s: AcdLinkSnapshot, fx: Effect[], state: LinkStateName, reason: string): void {
    s.state = state;
    fx.push(emit({ type: 'acd-link', target: s.target ?? 'cm', state, attempt: s.attempt, cycle: s.cycle, reason }));
  }

  function beginAttempt(s: AcdLinkSnapshot, fx: Effect[], attempt: number): void {
    s.attempt = attempt;
    s.minNextSlot = 0;
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

  function lose(s: AcdLinkSnapshot, fx: Effect[], why: string, nowMs: number, closeConn: boolean, connectionEnded = false): void {
    if (closeConn && s.conn !== null) fx.push({ type: 'close', conn: s.conn, reason: why });
    fx.push(log(`acd link to ${s.target ?? 'cm'} lost in ${s.state}: ${why}`));
    s.conn = null;
    s.nextKaMs = null;
    if (s.state === 'DATA_TRANSFER') {
      // It was working until now: the alarm's window counts from here (a silent link's from its last message).
      if (connectionEnded) s.dataUntilMs = nowMs;
      beginCycle(s, fx, nowMs);
      return;
    }
    // Accepted, then lost before data: an attempt like any other, and the next one waits for its slot.
    change(s, fx, 'CONNECTING', `attempt ${s.attempt} failed: lost in pump-up: ${why}`);
    s.minNextSlot = Math.max(s.attempt, Math.ceil((nowMs - s.cycleStartMs) / t.linkRetryMs - 1e-9));
  }

  /** Moves to the slot `index` counted from the current cycle's start (crossing into later cycles) and dials it. */
  function attemptAtSlot(s: AcdLinkSnapshot, fx: Effect[], index: number): void {
    const cycles = Math.floor(index / perCycle);
    if (cycles > 0) {
      s.cycle += cycles;
      s.cycleStartMs += cycles * perCycle * t.linkRetryMs;
    }
    beginAttempt(s, fx, index - cycles * perCycle + 1);
  }

  function onTick(s: AcdLinkSnapshot, fx: Effect[], nowMs: number): void {
    if (s.state === 'CONNECTING' || s.state === 'WAITING_ACCEPTANCE') {
      if (nowMs < nextSlotMs(s)) return;
      if (s.conn !== null) failAttempt(s, fx, 'no acceptance before the next slot', true);
      // The latest slot that passed: after a pause of the process several may have, and one attempt is made, not a burst.
      const due = Math.max(s.attempt, s.minNextSlot);
      const latest = Math.max(due, Math.floor((nowMs - s.cycleStartMs) / t.linkRetryMs + 1e-9));
      if (latest > due) fx.push(log(`${latest - due} Dual-IP slot(s) passed while the process was held up: only the latest is dialled`));
      // Dialled late: the grid moves with it, or the next slot would come less than linkRetryMs after this attempt.
      const heldUpMs = nowMs - (s.cycleStartMs + latest * t.linkRetryMs);
      if (heldUpMs >= LATE_TIMER_MS) {
        s.cycleStartMs += heldUpMs;
        fx.push(log(`Dual-IP slot dialled ${Math.round(heldUpMs)} ms late: the next one waits ${t.linkRetryMs} ms from now`));
      }
      attemptAtSlot(s, fx, latest);
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

  function updateDown(s: AcdLinkSnapshot, fx: Effect[], nowMs: number): void {
    if (s.state === 'IDLE' || s.state === 'DATA_TRANSFER' || s.linkDownAlarm || nowMs < s.dataUntilMs + silenceMs) return;
    s.linkDownAlarm = true;
    const since = s.everData ? 'since its link was lost' : 'since its start (never connected)';
    fx.push(
      alarm(
        'ACD_LINK_DOWN',
        true,
        `${cfg.node} has not been in data transfer for ${silenceMs} ms ${since}: ${s.state} to ${s.target ?? 'cm'}, attempt ${s.attempt} of cycle ${s.cycle}`,
      ),
    );
  }

  function toDataTransfer(s: AcdLinkSnapshot, fx: Effect[], nowMs: number): void {
    s.dataUntilMs = nowMs;
    s.everData = true;
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
          if (s.state !== 'IDLE') break;
          s.dataUntilMs = nowMs;
          beginCycle(s, effects, nowMs);
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
          if (linked(s)) lose(s, effects, input.reason, nowMs, false, true);
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
          if (s.state === 'TRANSLATION_PUMPUP' && (m.t === 'data-start' || m.t === 'acd')) toDataTransfer(s, effects, nowMs);
          if (s.state === 'DATA_TRANSFER') s.dataUntilMs = nowMs;
          if (s.state === 'DATA_TRANSFER' && m.t === 'acd') fx.push({ type: 'acd-data', source: s.target ?? 'cm', seq: m.seq });
          break;
        }
      }
      updateDown(s, effects, nowMs);
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      const down = s.state !== 'IDLE' && s.state !== 'DATA_TRANSFER' && !s.linkDownAlarm ? s.dataUntilMs + silenceMs : null;
      if (s.state === 'CONNECTING' || s.state === 'WAITING_ACCEPTANCE') return earliest(nextSlotMs(s), down);
      if (linked(s) && s.conn !== null) return earliest(s.lastRxMs + silenceMs, s.nextKaMs, down);
      return earliest(down);
    },
  };
}
