// The CMS HA role: heartbeat (secondary sends, primary answers), automatic failover both ways, the returning
// primary's policy, manual set-active/set-standby, and the DUAL_ACTIVE and NO_ACTIVE_CMS alarms. Pure.

import type { CmsName, HaRole, Policy, Timers } from '../../protocol/index.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import type { WireMsg } from '../wire.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface HaConfig {
  node: CmsName;
  timers: Pick<Timers, 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'heartbeatMisses'>;
  policy: Pick<Policy, 'autoFailover' | 'autoFailback' | 'returningPrimary'>;
  /** Random per process start; the secondary puts it in every beat (see the `hb` wire message). */
  epoch: string;
  /** Planted defects (a candidate image's, see PLANTS): failover-one-beat-late, handover-one-exchange-longer. */
  plants?: Plants;
}

export interface OutstandingBeat {
  beat: number;
  conn: ConnId;
  /** The miss is declared here unless an answer or a failure comes first. */
  deadlineMs: number;
  /** `roleSeq` when the request went out (null until connected): the answer is about that role, not a later one. */
  roleSeq: number | null;
}

/** One role of one secondary process, as its beats name it (epoch + roleSeq). */
export interface SecondaryRole {
  epoch: string;
  roleSeq: number;
}

export interface HaSnapshot {
  role: HaRole;
  /** Role changes of this process. The secondary sends it in each beat, so a demand names the role it is about. */
  roleSeq: number;
  /** Primary only: STANDBY until the secondary's first heartbeat (or the no-secondary deadline). */
  pending: boolean;
  pendingUntilMs: number | null;
  /** Primary: the newest beat acted on, per sender epoch; a beat not newer than it is stale. */
  newestBeat: { epoch: string; beat: number } | null;
  /** Primary: when the last beat it acted on arrived (what its watch of the secondary counts from). */
  lastBeatRxMs: number | null;
  /** Primary: a beat arrived within the last interval + timeout (see the `contact` notice). */
  contact: boolean;
  /**
   * Primary: the return dealt with, by the return policy or by an operator's role change here, as the role of the
   * secondary whose takeover it answered ('current' after an operator's command: the role the next beat names). A beat
   * with primaryLost false (the secondary heard the primary again) re-arms the policy; so does one from another role
   * of the secondary: it went STANDBY and declared the primary lost again before a beat got through, a new return.
   */
  returnHandled: SecondaryRole | 'current' | null;
  /** Primary: answers tell this role of the secondary to go STANDBY; void once the secondary's role changed. */
  demand: SecondaryRole | null;
  /** Primary, planted handover-one-exchange-longer only: answers that leave the demand out before it is sent. */
  demandHeldAnswers: number;
  /** Primary: an operator's command cancelled a demand; a secondary that obeyed it anyway is told to resume ACTIVE. */
  failbackCancelled: boolean;
  /** Primary: its watch declared the secondary lost (no heartbeat for the detection window); cleared by the next beat. */
  secondaryLost: boolean;
  /** Primary: ACTIVE because its watch took the role back; nobody changed the role since. */
  tookBack: boolean;
  /** Secondary: declared the primary lost (heartbeatMisses misses) and has not heard it since (sent in each beat). */
  primaryLost: boolean;
  /** Secondary: STANDBY because a demand said so, and no operator acted since (it may be told to resume). */
  failedBack: boolean;
  /**
   * An operator set the role: no automatic change until the heartbeat works again (secondary: an answer to a beat sent
   * after the command; primary: the next beat). It does not stop the return policy from applying at a return.
   */
  manualHold: boolean;
  /** The peer's role as last learned from a heartbeat or an admin-sync message. */
  peerRole: HaRole | null;
  /** The last instant a CMS was known ACTIVE (this one, or the peer as learned); from the start on. */
  lastActiveSeenMs: number;
  dualActive: boolean;
  heartbeatLost: boolean;
  noActiveCms: boolean;
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

export type HaNotice =
  /** The role changed (client sessions, admin-sync keep-alives follow it). */
  | { type: 'role-changed'; role: HaRole }
  /**
   * Primary: it hears the secondary's heartbeat (up), or has heard none for an interval + timeout (down). Admin-Sync
   * decides a conflict only with contact: without it a return may still change which CMS is ACTIVE.
   */
  | { type: 'contact'; up: boolean };

export function initialHa(): HaSnapshot {
  return {
    role: 'STANDBY',
    roleSeq: 0,
    pending: false,
    pendingUntilMs: null,
    newestBeat: null,
    lastBeatRxMs: null,
    contact: false,
    returnHandled: null,
    demand: null,
    demandHeldAnswers: 0,
    failbackCancelled: false,
    secondaryLost: false,
    tookBack: false,
    primaryLost: false,
    failedBack: false,
    manualHold: false,
    peerRole: null,
    lastActiveSeenMs: 0,
    dualActive: false,
    heartbeatLost: false,
    noActiveCms: false,
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
 * Behaviour (DESIGN.md §1 "Heartbeat", "Split brain", "Return of the primary and failback", "Always an ACTIVE CMS"):
 * - Secondary: starts STANDBY. Beat n starts at start + (n-1)·heartbeatIntervalMs (a fixed grid, first one at start):
 *   it dials a NEW connection on `heartbeat` (event `sent` at that instant) and sends {beat, fromRole, primaryLost,
 *   roleSeq, epoch} once connected. The beat is `missed` at min(failure of that connection, start + timeout). An
 *   answer resets the miss counter, clears HEARTBEAT_LOST and primaryLost. At heartbeatMisses consecutive misses
 *   HEARTBEAT_LOST is raised, primaryLost is set (whatever the role), and with policy.autoFailover a STANDBY
 *   secondary goes ACTIVE ("heartbeat lost: N misses"). It keeps beating while ACTIVE.
 * - Answers may carry demandStandby (an ACTIVE secondary goes STANDBY: "failback") or resumeActive (a secondary that
 *   went STANDBY on a demand since cancelled by an operator goes ACTIVE again). Either is obeyed only in the answer to
 *   a beat sent in the secondary's current role: an older answer was decided before the role changed, and what
 *   changed it (an operator's command, or a newer decision) wins.
 * - Primary: starts STANDBY pending. A beat with primaryLost is a return of the primary (restart, resume, end of
 *   isolation, healed path, whoever made the secondary ACTIVE): the return policy applies once, pending or not.
 *   Otherwise a pending primary decides on the first beat: sender STANDBY -> ACTIVE, sender ACTIVE -> STANDBY (an
 *   operator's switchover, not a return). With no beat by the no-secondary deadline (heartbeatMisses·interval +
 *   timeout) -> ACTIVE ("no secondary"). Every request is answered with the primary's role after any decision it
 *   caused, and emits a `received` event (takenOver = primaryLost). A beat not newer than the newest of its epoch is
 *   stale: answered, not acted on.
 * - Return policy, with the secondary ACTIVE: autoFailback -> ACTIVE, and answers demand that role of the secondary go
 *   STANDBY (so the handover takes one heartbeat exchange); else hold-standby -> STANDBY, stay-active -> ACTIVE
 *   (DUAL_ACTIVE). With the secondary STANDBY -> ACTIVE. A beat with primaryLost false re-arms it.
 * - Primary watch (always an ACTIVE CMS): a STANDBY primary, not pending and not held by an operator, that hears no
 *   beat for the detection window (heartbeatMisses·interval + timeout) declares the secondary lost and, with
 *   autoFailover, goes ACTIVE ("secondary lost: no heartbeat for N ms"). If the secondary then comes back ACTIVE
 *   without having declared the primary lost (it was paused), it is told to go STANDBY. The same primary takes the
 *   role back, with autoFailover, when it has known no ACTIVE CMS for the detection window while the beats kept
 *   coming: the ACTIVE secondary restarted within the window and came back STANDBY ("no ACTIVE CMS for N ms").
 * - NO_ACTIVE_CMS: raised by a CMS that is STANDBY (not pending) and has known no ACTIVE CMS (itself, or the peer as
 *   learned from heartbeats or admin-sync) for the detection window; cleared when it goes ACTIVE or learns the peer
 *   is ACTIVE. DUAL_ACTIVE: raised when this CMS is ACTIVE and learns the peer is ACTIVE; cleared when either is
 *   STANDBY (as learned, or manual here).
 * - set-active / set-standby: role change with reason "manual" (a pending primary stops waiting); it sticks: a manual
 *   hold (see manualHold), and on the primary it is the operator's handling of the current return (no policy for
 *   it) and it cancels a demand in flight (an operator's command wins over an automatic action).
 */
/** Whether `role` is the role of the secondary a beat names (its process epoch and role change). */
function sameRole(role: SecondaryRole | 'current', beat: SecondaryRole): boolean {
  return role !== 'current' && role.epoch === beat.epoch && role.roleSeq === beat.roleSeq;
}

export function haMachine(cfg: HaConfig): Machine<HaSnapshot, HaInput, HaNotice> {
  const t = cfg.timers;
  const isPrimary = cfg.node === 'cms-primary';
  const plants = cfg.plants ?? NO_PLANTS;
  const detectionMs = t.heartbeatMisses * t.heartbeatIntervalMs + t.heartbeatTimeoutMs;
  /** Primary: no beat for this long means no contact (the next beat was due and would have been answered). */
  const contactMs = t.heartbeatIntervalMs + t.heartbeatTimeoutMs;
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

  /** Why no CMS is ACTIVE, as this one sees it (the alarm's detail). */
  function noActiveCause(s: HaSnapshot): string {
    const peer = isPrimary ? 'secondary' : 'primary';
    const lost = isPrimary ? s.secondaryLost : s.primaryLost;
    if (lost) {
      if (s.manualHold) return `the ${peer} is lost and an operator holds this CMS STANDBY`;
      return cfg.policy.autoFailover ? `the ${peer} is lost` : `the ${peer} is lost and autoFailover is off`;
    }
    if (s.peerRole === 'STANDBY') return `the ${peer} is STANDBY too`;
    return `nothing heard from the ${peer}`;
  }

  function updateNoActive(s: HaSnapshot, fx: Fx, nowMs: number): void {
    const want = s.started && s.role !== 'ACTIVE' && !s.pending && nowMs >= s.lastActiveSeenMs + detectionMs;
    if (want === s.noActiveCms) return;
    s.noActiveCms = want;
    const sinceMs = Math.round(nowMs - s.lastActiveSeenMs);
    fx.push(
      alarm(
        'NO_ACTIVE_CMS',
        want,
        want
          ? `${cfg.node} is STANDBY and has known no ACTIVE CMS for ${sinceMs} ms: ${noActiveCause(s)}`
          : s.role === 'ACTIVE'
            ? `${cfg.node} is ACTIVE`
            : `the ${isPrimary ? 'secondary' : 'primary'} is ACTIVE`,
      ),
    );
  }

  function setRole(s: HaSnapshot, fx: Fx, role: HaRole, reason: string, nowMs: number): void {
    const previous = s.role;
    // It was ACTIVE until this instant: the site had an ACTIVE CMS up to here.
    if (previous === 'ACTIVE') s.lastActiveSeenMs = nowMs;
    s.role = role;
    s.roleSeq += 1;
    s.pending = false;
    s.pendingUntilMs = null;
    s.tookBack = false;
    if (role === 'STANDBY') s.demand = null;
    else s.failedBack = false;
    fx.push(emit({ type: 'role', role, previous, reason }));
    fx.push({ type: 'role-changed', role });
    updateDual(s, fx, reason === 'manual' ? 'a manual action' : `own role change (${reason})`);
  }

  function manual(s: HaSnapshot, fx: Fx, role: HaRole, nowMs: number): void {
    const cancels = isPrimary && s.demand !== null;
    setRole(s, fx, role, 'manual', nowMs);
    s.manualHold = true;
    s.failedBack = false;
    if (!isPrimary) return;
    s.returnHandled = 'current';
    s.demand = null;
    // Answers already sent may still carry the demand: if the secondary obeys one, it is told to resume ACTIVE.
    s.failbackCancelled = cancels && role === 'STANDBY';
    if (cancels) fx.push(log('the operator cancelled the demand that the secondary go STANDBY'));
  }

  function learnPeer(s: HaSnapshot, fx: Fx, role: HaRole, via: string, nowMs: number): void {
    s.peerRole = role;
    if (role === 'ACTIVE') s.lastActiveSeenMs = nowMs;
    updateDual(s, fx, via);
  }

  function miss(s: HaSnapshot, fx: Fx, beat: number, why: string, nowMs: number): void {
    s.consecutiveMisses += 1;
    fx.push(emit({ type: 'heartbeat', outcome: 'missed', beat, consecutiveMisses: s.consecutiveMisses }));
    if (why !== 'timeout') fx.push(log(`heartbeat ${beat} failed: ${why}`));
    if (s.consecutiveMisses < t.heartbeatMisses) return;
    if (!s.heartbeatLost) {
      s.heartbeatLost = true;
      fx.push(alarm('HEARTBEAT_LOST', true, `${s.consecutiveMisses} consecutive heartbeats unanswered`));
    }
    // Whatever role this CMS takes now, when the two hear each other again the primary returns (its policy applies).
    s.primaryLost = true;
    // What the peer last said no longer holds: it is unreachable, not known ACTIVE (no DUAL_ACTIVE on a failover).
    s.peerRole = null;
    if (!cfg.policy.autoFailover || s.role !== 'STANDBY') return;
    if (plants.has('failover-one-beat-late') && s.consecutiveMisses < t.heartbeatMisses + 1) return;
    if (s.manualHold) {
      if (s.consecutiveMisses === t.heartbeatMisses) fx.push(log('heartbeat lost: the role stays as the operator set it (manual hold)'));
      return;
    }
    setRole(s, fx, 'ACTIVE', `heartbeat lost: ${s.consecutiveMisses} misses`, nowMs);
  }

  /** A role the primary's decision asks for: a role event when it changes or ends the pending wait, else a log. */
  function decide(s: HaSnapshot, fx: Fx, role: HaRole, reason: string, nowMs: number): void {
    if (s.pending || s.role !== role) setRole(s, fx, role, reason, nowMs);
    else fx.push(log(`${reason} (already ${role})`));
  }

  function returnPolicy(s: HaSnapshot, fx: Fx, m: Beat, nowMs: number): void {
    s.returnHandled = { epoch: m.epoch, roleSeq: m.roleSeq };
    if (m.fromRole === 'STANDBY') decide(s, fx, 'ACTIVE', 'returning primary: the secondary is STANDBY', nowMs);
    else if (cfg.policy.autoFailback) {
      decide(s, fx, 'ACTIVE', 'auto failback: the secondary is ACTIVE and is told to go STANDBY', nowMs);
      s.demand = { epoch: m.epoch, roleSeq: m.roleSeq };
      if (plants.has('handover-one-exchange-longer')) s.demandHeldAnswers = 1;
    } else if (cfg.policy.returningPrimary === 'hold-standby')
      decide(s, fx, 'STANDBY', 'returning primary holds STANDBY: secondary is ACTIVE', nowMs);
    else decide(s, fx, 'ACTIVE', 'returning primary stays ACTIVE: secondary is ACTIVE', nowMs);
  }

  function onHeartbeatRequest(s: HaSnapshot, fx: Fx, conn: ConnId, m: Beat, nowMs: number): void {
    fx.push(
      emit({
        type: 'heartbeat',
        outcome: 'received',
        beat: m.beat,
        consecutiveMisses: s.consecutiveMisses,
        peerRole: m.fromRole,
        takenOver: m.primaryLost,
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
    s.lastBeatRxMs = nowMs;
    if (s.manualHold) {
      s.manualHold = false;
      fx.push(log(`manual hold ends: heartbeat ${m.beat} heard`));
    }
    const secondaryReturns = s.secondaryLost;
    s.secondaryLost = false;
    if (!m.primaryLost) s.returnHandled = null;
    else if (s.returnHandled === 'current') s.returnHandled = { epoch: m.epoch, roleSeq: m.roleSeq };
    const handled = s.returnHandled !== null && sameRole(s.returnHandled, m);
    // A demand is about one role of one secondary process: once that role changed it was obeyed or overtaken.
    if (s.demand !== null && !sameRole(s.demand, m)) s.demand = null;
    if (s.failbackCancelled && m.fromRole === 'ACTIVE') s.failbackCancelled = false;

    if (m.primaryLost && !handled) returnPolicy(s, fx, m, nowMs);
    else if (s.pending) {
      if (m.fromRole === 'STANDBY') setRole(s, fx, 'ACTIVE', 'secondary is STANDBY', nowMs);
      else setRole(s, fx, 'STANDBY', 'secondary was made ACTIVE by an operator: holding STANDBY', nowMs);
    } else if (secondaryReturns && s.tookBack && m.fromRole === 'ACTIVE') {
      s.demand = { epoch: m.epoch, roleSeq: m.roleSeq };
      fx.push(log('the secondary is back ACTIVE after this primary took the role back: it is told to go STANDBY'));
    }

    let demandStandby = s.demand !== null && s.role === 'ACTIVE' && m.fromRole === 'ACTIVE';
    if (demandStandby && s.demandHeldAnswers > 0) {
      s.demandHeldAnswers -= 1;
      demandStandby = false;
    }
    const resumeActive = s.failbackCancelled && m.fromRole === 'STANDBY';
    // A secondary ordered to STANDBY is about to change; learning it ACTIVE now would raise a false alarm.
    if (demandStandby) s.peerRole = 'STANDBY';
    else learnPeer(s, fx, m.fromRole, `heartbeat ${m.beat}`, nowMs);
    fx.push({
      type: 'send',
      conn,
      msg: {
        t: 'hb-ans',
        beat: m.beat,
        role: s.role,
        ...(demandStandby ? { demandStandby: true } : {}),
        ...(resumeActive ? { resumeActive: true } : {}),
      },
    });
    // After the decision above: Admin-Sync then decides its conflicts with the roles as the return left them.
    if (!s.contact) {
      s.contact = true;
      fx.push({ type: 'contact', up: true });
    }
  }

  function onAnswer(s: HaSnapshot, fx: Fx, b: OutstandingBeat, m: Extract<WireMsg, { t: 'hb-ans' }>, nowMs: number): void {
    s.outstanding = s.outstanding.filter((x) => x.conn !== b.conn);
    fx.push({ type: 'close', conn: b.conn, reason: 'heartbeat answered' });
    s.answered += 1;
    s.consecutiveMisses = 0;
    s.primaryLost = false;
    fx.push(emit({ type: 'heartbeat', outcome: 'answered', beat: m.beat, consecutiveMisses: 0, peerRole: m.role }));
    if (s.heartbeatLost) {
      s.heartbeatLost = false;
      fx.push(alarm('HEARTBEAT_LOST', false, `heartbeat ${m.beat} answered`));
    }
    // Sent in the role this CMS still holds: the primary decided on what is true now.
    const current = b.roleSeq === s.roleSeq;
    if (s.manualHold && current) {
      s.manualHold = false;
      fx.push(log(`manual hold ends: heartbeat ${m.beat} answered`));
    }
    if (m.demandStandby === true && s.role === 'ACTIVE') {
      if (current) {
        s.peerRole = m.role;
        setRole(s, fx, 'STANDBY', 'failback: the primary took the ACTIVE role back', nowMs);
        s.failedBack = true;
        return;
      }
      fx.push(log(`failback demand in answer ${m.beat} ignored: the role changed since that beat was sent`));
    } else if (m.resumeActive === true && s.role === 'STANDBY' && s.failedBack && current) {
      setRole(s, fx, 'ACTIVE', 'failback cancelled by an operator on the primary: ACTIVE again', nowMs);
    }
    learnPeer(s, fx, m.role, `heartbeat answer ${m.beat}`, nowMs);
  }

  /** Primary: when its watch declares the secondary lost, or null when it is not watching. */
  function watchDueMs(s: HaSnapshot): number | null {
    if (!isPrimary || s.role !== 'STANDBY' || s.pending || s.manualHold || s.secondaryLost || s.lastBeatRxMs === null) return null;
    return s.lastBeatRxMs + detectionMs;
  }

  /** Primary: when it takes the role back for knowing no ACTIVE CMS (the NO_ACTIVE_CMS instant), or null. */
  function takeBackDueMs(s: HaSnapshot): number | null {
    if (!isPrimary || !cfg.policy.autoFailover || !s.started || s.role !== 'STANDBY' || s.pending || s.manualHold) return null;
    return s.lastActiveSeenMs + detectionMs;
  }

  function onTick(s: HaSnapshot, fx: Fx, nowMs: number): void {
    if (s.pending && s.pendingUntilMs !== null && nowMs >= s.pendingUntilMs) {
      setRole(s, fx, 'ACTIVE', 'no secondary: no heartbeat within misses·interval + timeout', nowMs);
    }
    if (s.contact && s.lastBeatRxMs !== null && nowMs >= s.lastBeatRxMs + contactMs) {
      s.contact = false;
      fx.push({ type: 'contact', up: false });
    }
    // Misses first, then new beats: a beat whose deadline equals the next beat's start counts before it.
    for (const b of [...s.outstanding].sort((x, y) => x.deadlineMs - y.deadlineMs)) {
      if (nowMs < b.deadlineMs) continue;
      s.outstanding = s.outstanding.filter((x) => x.conn !== b.conn);
      fx.push({ type: 'close', conn: b.conn, reason: 'heartbeat timeout' });
      miss(s, fx, b.beat, 'timeout', nowMs);
    }
    const watch = watchDueMs(s);
    if (watch !== null && nowMs >= watch) {
      s.secondaryLost = true;
      s.peerRole = null;
      updateDual(s, fx, 'the secondary is lost');
      const silentMs = Math.round(nowMs - (s.lastBeatRxMs ?? nowMs));
      if (cfg.policy.autoFailover) {
        setRole(s, fx, 'ACTIVE', `secondary lost: no heartbeat for ${silentMs} ms`, nowMs);
        s.tookBack = true;
      } else fx.push(log(`secondary lost: no heartbeat for ${silentMs} ms; autoFailover is off, the role stays STANDBY`));
    }
    if (takeBackDueMs(s) !== null && nowMs >= takeBackDueMs(s)!) {
      setRole(s, fx, 'ACTIVE', `no ACTIVE CMS for ${Math.round(nowMs - s.lastActiveSeenMs)} ms: ${noActiveCause(s)}`, nowMs);
      s.tookBack = true;
    }
    if (s.nextBeatMs !== null && nowMs >= s.nextBeatMs) {
      s.beat += 1;
      s.sent += 1;
      const conn = s.nextConn++;
      s.outstanding.push({ beat: s.beat, conn, deadlineMs: nowMs + t.heartbeatTimeoutMs, roleSeq: null });
      fx.push({ type: 'dial', conn, link: 'heartbeat' });
      const lateMs = Math.round((nowMs - s.nextBeatMs) * 1000) / 1000;
      fx.push(emit({ type: 'heartbeat', outcome: 'sent', beat: s.beat, consecutiveMisses: s.consecutiveMisses, lateMs }));
      // Stay on the grid; after a pause of the process (docker pause) skip the slots that passed, no burst.
      s.nextBeatMs += t.heartbeatIntervalMs;
      if (s.nextBeatMs <= nowMs) s.nextBeatMs += Math.ceil((nowMs - s.nextBeatMs + 1) / t.heartbeatIntervalMs) * t.heartbeatIntervalMs;
    }
  }

  return {
    step(state, input, nowMs): Step<HaSnapshot, HaNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'start':
          if (s.started) break;
          s.started = true;
          s.lastActiveSeenMs = nowMs;
          if (isPrimary) {
            s.pending = true;
            // As long as the secondary would take to declare it down: the first beats to a freshly started
            // container can be lost while its network comes up (seen: two beats lost after a restart).
            s.pendingUntilMs = nowMs + detectionMs;
            fx.push(emit({ type: 'role', role: 'STANDBY', previous: null, reason: "start: waiting for the secondary's first heartbeat" }));
          } else {
            fx.push(emit({ type: 'role', role: 'STANDBY', previous: null, reason: 'start' }));
            s.nextBeatMs = nowMs;
          }
          break;
        case 'set-active':
          if (manualRefusal(s, 'set-active') === null) manual(s, fx, 'ACTIVE', nowMs);
          break;
        case 'set-standby':
          if (manualRefusal(s, 'set-standby') === null) manual(s, fx, 'STANDBY', nowMs);
          break;
        case 'peer-role':
          learnPeer(s, fx, input.role, input.via, nowMs);
          break;
        case 'accepted':
          // Heartbeat connections to the primary: nothing to do until the request arrives.
          break;
        case 'connected': {
          const b = s.outstanding.find((x) => x.conn === input.conn);
          if (b === undefined) break;
          b.roleSeq = s.roleSeq;
          fx.push({
            type: 'send',
            conn: b.conn,
            msg: { t: 'hb', beat: b.beat, fromRole: s.role, primaryLost: s.primaryLost, roleSeq: s.roleSeq, epoch: cfg.epoch },
          });
          break;
        }
        case 'closed': {
          const b = s.outstanding.find((x) => x.conn === input.conn);
          if (b === undefined) break;
          s.outstanding = s.outstanding.filter((x) => x !== b && x.conn !== b.conn);
          miss(s, fx, b.beat, input.reason, nowMs);
          break;
        }
        case 'message': {
          const m = input.msg;
          if (m.t === 'hb') onHeartbeatRequest(s, fx, input.conn, m, nowMs);
          else if (m.t === 'hb-ans') {
            const b = s.outstanding.find((x) => x.conn === input.conn && x.beat === m.beat);
            if (b !== undefined) onAnswer(s, fx, b, m, nowMs);
          }
          break;
        }
        case 'tick':
          onTick(s, fx, nowMs);
          break;
      }
      updateNoActive(s, fx, nowMs);
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      return earliest(
        s.pending ? s.pendingUntilMs : null,
        s.nextBeatMs,
        ...s.outstanding.map((b) => b.deadlineMs),
        watchDueMs(s),
        takeBackDueMs(s),
        s.started && s.role !== 'ACTIVE' && !s.pending && !s.noActiveCms ? s.lastActiveSeenMs + detectionMs : null,
        s.contact && s.lastBeatRxMs !== null ? s.lastBeatRxMs + contactMs : null,
      );
    },
  };
}
