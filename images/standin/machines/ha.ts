// The CMS HA role: heartbeat (secondary sends, primary answers), automatic failover, the returning primary's
// failback policy, manual set-active/set-standby and the DUAL_ACTIVE alarm. Pure.

import type { CmsName, HaRole, Policy, Timers } from '../../protocol/index.js';
import type { WireMsg } from '../wire.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface HaConfig {
  node: CmsName;
  timers: Pick<Timers, 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'heartbeatMisses'>;
  policy: Pick<Policy, 'autoFailover' | 'autoFailback' | 'returningPrimary'>;
  /** Random per process start; the secondary puts it in every beat (see the `hb` wire message). */
  epoch: string;
}

export interface OutstandingBeat {
  beat: number;
  conn: ConnId;
  /** The miss is declared here unless an answer or a failure comes first. */
  deadlineMs: number;
}

export interface HaSnapshot {
  role: HaRole;
  /** Primary only: STANDBY until the secondary's first heartbeat (or the no-secondary deadline). */
  pending: boolean;
  pendingUntilMs: number | null;
  /** Primary: the newest beat acted on, per sender epoch; a beat not newer than it is stale. */
  newestBeat: { epoch: string; beat: number } | null;
  /**
   * Primary: the secondary's current takeover has been dealt with, by the return policy or by an operator's role
   * change here. A beat with takenOver false (the takeover is over) re-arms the policy for the next one.
   */
  takeoverHandled: boolean;
  /** Primary after an automatic failback: answers tell an ACTIVE secondary to go STANDBY until it says it did. */
  demandStandby: boolean;
  /** Secondary: ACTIVE by its own automatic failover, nobody has acted since (sent as `takenOver` in each beat). */
  takenOver: boolean;
  /** Secondary: an operator set the role; misses and failback demands leave it alone until a beat is answered. */
  manualHold: boolean;
  /** The peer's role as last learned from a heartbeat or an admin-sync message. */
  peerRole: HaRole | null;
  dualActive: boolean;
  heartbeatLost: boolean;
  // Secondary: heartbeat sender.
  beat: number;
  nextBeatMs: number | null;
  outstanding: OutstandingBeat[];
  consecutiveMisses: number;
  sent: number;
  answered: number;
  nextConn: ConnId;
  started: boolean;
}

export type HaInput =
  | NetInput
  | { type: 'start' }
  | { type: 'set-active' }
  | { type: 'set-standby' }
  /** The peer's role learned over another path (admin-sync keep-alives). */
  | { type: 'peer-role'; role: HaRole; via: string };

/** Tells the shell the role changed (client sessions, admin-sync keep-alives follow it). */
export type HaNotice = { type: 'role-changed'; role: HaRole };

export function initialHa(): HaSnapshot {
  return {
    role: 'STANDBY',
    pending: false,
    pendingUntilMs: null,
    newestBeat: null,
    takeoverHandled: false,
    demandStandby: false,
    takenOver: false,
    manualHold: false,
    peerRole: null,
    dualActive: false,
    heartbeatLost: false,
    beat: 0,
    nextBeatMs: null,
    outstanding: [],
    consecutiveMisses: 0,
    sent: 0,
    answered: 0,
    nextConn: 1,
    started: false,
  };
}

/** Why a manual action is not valid now (HTTP 409), or null. */
export function manualRefusal(s: HaSnapshot, action: 'set-active' | 'set-standby'): string | null {
  if (action === 'set-active' && s.role === 'ACTIVE') return 'already ACTIVE';
  if (action === 'set-standby' && s.role === 'STANDBY' && !s.pending) return 'already STANDBY';
  return null;
}

/**
 * Behaviour (DESIGN.md §1 "Heartbeat", "Split brain", "Return of the primary and failback"; the stand-ins brief):
 * - Secondary: starts STANDBY. Beat n starts at start + (n-1)·heartbeatIntervalMs (a fixed grid, first one at
 *   start): it dials a NEW connection on `heartbeat` (event `sent` at that instant) and sends {beat, fromRole,
 *   takenOver, epoch} once connected. The beat is `missed` at min(failure of that connection, start of the beat +
 *   heartbeatTimeoutMs). An answer resets the consecutive-miss counter (and clears HEARTBEAT_LOST). At
 *   heartbeatMisses consecutive misses HEARTBEAT_LOST is raised, and with policy.autoFailover a STANDBY secondary
 *   goes ACTIVE ("heartbeat lost: N misses") and marks its beats takenOver until it goes STANDBY for any reason.
 *   It keeps beating while ACTIVE. An answer with demandStandby makes an ACTIVE secondary STANDBY ("failback").
 * - Primary: starts STANDBY pending and decides on the first heartbeat: sender STANDBY -> ACTIVE; sender taken over
 *   -> the return policy; sender made ACTIVE by an operator (takenOver false) -> STANDBY. With no heartbeat by
 *   heartbeatMisses·heartbeatIntervalMs + heartbeatTimeoutMs -> ACTIVE ("no secondary"). Every request is answered
 *   with the primary's role (after any decision it caused) and emits a `received` heartbeat event.
 * - Return policy, the same for every kind of return (restart, resume, end of isolation, healed path): applied once
 *   per takeover, on the first beat with takenOver (pending or not). autoFailback: ACTIVE, and the answers carry
 *   demandStandby until the secondary says it is STANDBY (so the handover takes one heartbeat exchange); else
 *   returningPrimary 'hold-standby' -> STANDBY, 'stay-active' -> ACTIVE (DUAL_ACTIVE). A beat with takenOver false
 *   re-arms it. A beat not newer than the newest seen from the same epoch is stale: answered, not acted on.
 * - DUAL_ACTIVE is raised when this CMS is ACTIVE and learns (heartbeat request or answer, admin-sync) that the
 *   peer is ACTIVE; cleared when either becomes STANDBY (learned the same way, or manual here).
 * - set-active / set-standby: role change with reason "manual" (a pending primary stops waiting), and it sticks.
 *   On the secondary a manual hold: misses and failback demands do not change the role until a beat is answered.
 *   On the primary it counts as the operator's handling of the current takeover: no return policy for it.
 */
export function haMachine(cfg: HaConfig): Machine<HaSnapshot, HaInput, HaNotice> {
  const t = cfg.timers;
  const isPrimary = cfg.node === 'cms-primary';
  type Fx = Array<Effect | HaNotice>;
  type Beat = Extract<WireMsg, { t: 'hb' }>;

  function updateDual(s: HaSnapshot, fx: Fx, via: string): void {
    const want = s.role === 'ACTIVE' && s.peerRole === 'ACTIVE';
    if (want === s.dualActive) return;
    s.dualActive = want;
    fx.push(
      alarm(
        'DUAL_ACTIVE',
        want,
        want ? `${cfg.node} is ACTIVE and learned via ${via} that its peer is ACTIVE` : `no longer dual active (${via})`,
      ),
    );
  }

  function setRole(s: HaSnapshot, fx: Fx, role: HaRole, reason: string, previous: HaRole | null = s.role): void {
    s.role = role;
    s.pending = false;
    s.pendingUntilMs = null;
    if (role === 'STANDBY') s.takenOver = false;
    fx.push(emit({ type: 'role', role, previous, reason }));
    fx.push({ type: 'role-changed', role });
    updateDual(s, fx, reason === 'manual' ? 'a manual action' : `own role change (${reason})`);
  }

  function manual(s: HaSnapshot, fx: Fx, role: HaRole): void {
    setRole(s, fx, role, 'manual');
    s.takenOver = false;
    if (isPrimary) {
      s.takeoverHandled = true;
      s.demandStandby = false;
    } else s.manualHold = true;
  }

  function learnPeer(s: HaSnapshot, fx: Fx, role: HaRole, via: string): void {
    s.peerRole = role;
    updateDual(s, fx, via);
  }

  function miss(s: HaSnapshot, fx: Fx, beat: number, why: string): void {
    s.consecutiveMisses += 1;
    fx.push(emit({ type: 'heartbeat', outcome: 'missed', beat, consecutiveMisses: s.consecutiveMisses }));
    if (why !== 'timeout') fx.push(log(`heartbeat ${beat} failed: ${why}`));
    if (s.consecutiveMisses < t.heartbeatMisses) return;
    if (!s.heartbeatLost) {
      s.heartbeatLost = true;
      fx.push(alarm('HEARTBEAT_LOST', true, `${s.consecutiveMisses} consecutive heartbeats unanswered`));
    }
    // What the peer last said no longer holds: it is unreachable, not known ACTIVE (no DUAL_ACTIVE on a failover).
    s.peerRole = null;
    if (!cfg.policy.autoFailover || s.role !== 'STANDBY') return;
    if (s.manualHold) {
      if (s.consecutiveMisses === t.heartbeatMisses) fx.push(log('heartbeat lost: the role stays as the operator set it (manual hold)'));
      return;
    }
    setRole(s, fx, 'ACTIVE', `heartbeat lost: ${s.consecutiveMisses} misses`);
    s.takenOver = true;
  }

  /** A role the primary's decision asks for: a role event when it changes or ends the pending wait, else a log. */
  function decide(s: HaSnapshot, fx: Fx, role: HaRole, reason: string): void {
    if (s.pending || s.role !== role) setRole(s, fx, role, reason);
    else fx.push(log(`${reason} (already ${role})`));
  }

  function returnPolicy(s: HaSnapshot, fx: Fx): void {
    s.takeoverHandled = true;
    if (cfg.policy.autoFailback) {
      s.demandStandby = true;
      s.peerRole = 'STANDBY'; // it is being told to go STANDBY: not a dual-active site
      decide(s, fx, 'ACTIVE', 'auto failback: the secondary took over and is told to go STANDBY');
    } else if (cfg.policy.returningPrimary === 'hold-standby')
      decide(s, fx, 'STANDBY', 'returning primary holds STANDBY: secondary is ACTIVE');
    else decide(s, fx, 'ACTIVE', 'returning primary stays ACTIVE: secondary is ACTIVE');
  }

  function onHeartbeatRequest(s: HaSnapshot, fx: Fx, conn: ConnId, m: Beat): void {
    fx.push(
      emit({
        type: 'heartbeat',
        outcome: 'received',
        beat: m.beat,
        consecutiveMisses: s.consecutiveMisses,
        peerRole: m.fromRole,
        takenOver: m.takenOver,
      }),
    );
    const newest = s.newestBeat;
    if (newest !== null && newest.epoch === m.epoch && m.beat <= newest.beat) {
      // Held by the network since before newer beats: what it says is out of date.
      fx.push(log(`heartbeat ${m.beat} is stale (newest ${newest.beat}): answered, not acted on`));
      fx.push({ type: 'send', conn, msg: { t: 'hb-ans', beat: m.beat, role: s.role } });
      return;
    }
    s.newestBeat = { epoch: m.epoch, beat: m.beat };
    if (!m.takenOver) {
      s.takeoverHandled = false;
      s.demandStandby = false;
    }
    if (s.pending && !m.takenOver) {
      if (m.fromRole === 'STANDBY') setRole(s, fx, 'ACTIVE', 'secondary is STANDBY');
      else setRole(s, fx, 'STANDBY', 'secondary was made ACTIVE by an operator: holding STANDBY');
    } else if (m.takenOver && !s.takeoverHandled) returnPolicy(s, fx);
    const demandStandby = s.demandStandby && m.fromRole === 'ACTIVE';
    // A secondary ordered to STANDBY is about to change; learning it ACTIVE now would raise a false alarm.
    if (demandStandby) s.peerRole = 'STANDBY';
    else learnPeer(s, fx, m.fromRole, `heartbeat ${m.beat}`);
    fx.push({ type: 'send', conn, msg: { t: 'hb-ans', beat: m.beat, role: s.role, ...(demandStandby ? { demandStandby: true } : {}) } });
  }

  return {
    step(state, input, nowMs): Step<HaSnapshot, HaNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'start':
          if (s.started) break;
          s.started = true;
          if (isPrimary) {
            s.pending = true;
            // As long as the secondary would take to declare it down: the first beats to a freshly started
            // container can be lost while its network comes up (seen: two beats lost after a restart).
            s.pendingUntilMs = nowMs + t.heartbeatMisses * t.heartbeatIntervalMs + t.heartbeatTimeoutMs;
            fx.push(emit({ type: 'role', role: 'STANDBY', previous: null, reason: "start: waiting for the secondary's first heartbeat" }));
          } else {
            fx.push(emit({ type: 'role', role: 'STANDBY', previous: null, reason: 'start' }));
            s.nextBeatMs = nowMs;
          }
          break;
        case 'set-active':
          if (manualRefusal(s, 'set-active') === null) manual(s, fx, 'ACTIVE');
          break;
        case 'set-standby':
          if (manualRefusal(s, 'set-standby') === null) manual(s, fx, 'STANDBY');
          break;
        case 'peer-role':
          learnPeer(s, fx, input.role, input.via);
          break;
        case 'accepted':
          // Heartbeat connections to the primary: nothing to do until the request arrives.
          break;
        case 'connected': {
          const b = s.outstanding.find((x) => x.conn === input.conn);
          if (b !== undefined)
            fx.push({
              type: 'send',
              conn: b.conn,
              msg: { t: 'hb', beat: b.beat, fromRole: s.role, takenOver: s.takenOver, epoch: cfg.epoch },
            });
          break;
        }
        case 'closed': {
          const b = s.outstanding.find((x) => x.conn === input.conn);
          if (b === undefined) break;
          s.outstanding = s.outstanding.filter((x) => x !== b && x.conn !== b.conn);
          miss(s, fx, b.beat, input.reason);
          break;
        }
        case 'message': {
          const m = input.msg;
          if (m.t === 'hb') {
            onHeartbeatRequest(s, fx, input.conn, m);
            break;
          }
          if (m.t !== 'hb-ans') break;
          const b = s.outstanding.find((x) => x.conn === input.conn && x.beat === m.beat);
          if (b === undefined) break;
          s.outstanding = s.outstanding.filter((x) => x.conn !== b.conn);
          fx.push({ type: 'close', conn: b.conn, reason: 'heartbeat answered' });
          s.answered += 1;
          s.consecutiveMisses = 0;
          fx.push(emit({ type: 'heartbeat', outcome: 'answered', beat: m.beat, consecutiveMisses: 0, peerRole: m.role }));
          if (s.heartbeatLost) {
            s.heartbeatLost = false;
            fx.push(alarm('HEARTBEAT_LOST', false, `heartbeat ${m.beat} answered`));
          }
          if (m.demandStandby === true && s.role === 'ACTIVE' && !s.manualHold) {
            s.peerRole = m.role;
            setRole(s, fx, 'STANDBY', 'failback: the returning primary took the ACTIVE role back');
          } else {
            if (m.demandStandby === true && s.role === 'ACTIVE') fx.push(log(`failback demand in answer ${m.beat} ignored: manual hold`));
            learnPeer(s, fx, m.role, `heartbeat answer ${m.beat}`);
          }
          if (s.manualHold) {
            s.manualHold = false;
            fx.push(log(`manual hold ends: heartbeat ${m.beat} answered`));
          }
          break;
        }
        case 'tick': {
          if (s.pending && s.pendingUntilMs !== null && nowMs >= s.pendingUntilMs) {
            setRole(s, fx, 'ACTIVE', 'no secondary: no heartbeat within misses·interval + timeout');
          }
          // Misses first, then new beats: a beat whose deadline equals the next beat's start counts before it.
          for (const b of [...s.outstanding].sort((x, y) => x.deadlineMs - y.deadlineMs)) {
            if (nowMs < b.deadlineMs) continue;
            s.outstanding = s.outstanding.filter((x) => x.conn !== b.conn);
            fx.push({ type: 'close', conn: b.conn, reason: 'heartbeat timeout' });
            miss(s, fx, b.beat, 'timeout');
          }
          if (s.nextBeatMs !== null && nowMs >= s.nextBeatMs) {
            s.beat += 1;
            s.sent += 1;
            const conn = s.nextConn++;
            s.outstanding.push({ beat: s.beat, conn, deadlineMs: nowMs + t.heartbeatTimeoutMs });
            fx.push({ type: 'dial', conn, link: 'heartbeat' });
            const lateMs = Math.round((nowMs - s.nextBeatMs) * 1000) / 1000;
            fx.push(emit({ type: 'heartbeat', outcome: 'sent', beat: s.beat, consecutiveMisses: s.consecutiveMisses, lateMs }));
            // Stay on the grid; after a pause of the process (docker pause) skip the slots that passed, no burst.
            s.nextBeatMs += t.heartbeatIntervalMs;
            if (s.nextBeatMs <= nowMs)
              s.nextBeatMs += Math.ceil((nowMs - s.nextBeatMs + 1) / t.heartbeatIntervalMs) * t.heartbeatIntervalMs;
          }
          break;
        }
      }
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      return earliest(s.pending ? s.pendingUntilMs : null, s.nextBeatMs, ...s.outstanding.map((b) => b.deadlineMs));
    },
  };
}
