// Admin-Sync: the primary pushes every administration change with a sequence number to the secondary, which
// applies it in order and acknowledges. Sender (primary) and receiver (secondary) machines. Pure.

import type { HaRole, Timers } from '../../protocol/index.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface AdminSyncConfig {
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
}

/** The peer's role learned from an admin-sync message (DUAL_ACTIVE detection when the heartbeat path is cut). */
export type AdminNotice = { type: 'peer-role'; role: HaRole; via: string };

// ---------------------------------------------------------------------------------------------------------
// Sender (cms-primary)

export interface AdminChange {
  seq: number;
  change: string;
  createdMs: number;
}

export interface AdminSenderSnapshot {
  role: HaRole;
  /** Every change made here (kept so a restarted secondary can be brought up to date). */
  changes: AdminChange[];
  lastSeq: number;
  ackedSeq: number;
  conn: ConnId | null;
  nextConn: ConnId;
  /** True once the secondary answered the hello on the current connection. */
  up: boolean;
  lastRxMs: number;
  nextKaMs: number | null;
  nextDialMs: number | null;
  lagAlarm: boolean;
}

export type AdminSenderInput = NetInput | { type: 'start' } | { type: 'change'; change: string } | { type: 'role'; role: HaRole };

export function initialAdminSender(role: HaRole): AdminSenderSnapshot {
  return {
    role,
    changes: [],
    lastSeq: 0,
    ackedSeq: 0,
    conn: null,
    nextConn: 1,
    up: false,
    lastRxMs: 0,
    nextKaMs: null,
    nextDialMs: null,
    lagAlarm: false,
  };
}

export function unackedCount(s: AdminSenderSnapshot): number {
  return s.lastSeq - s.ackedSeq;
}

/**
 * Behaviour (DESIGN.md §1 "Admin-Sync"):
 * - One persistent connection dialled on admin-sync; `as-hello {role}` on connect; the link is up when the
 *   secondary answers `as-hello-ack {role, lastApplied}`. Redial keepaliveIntervalMs after any failure.
 *   Keep-alives carry the role both ways; silence for keepaliveMisses·keepaliveIntervalMs closes the link.
 * - A change gets seq = last + 1 (`changed`), is sent at once when the link is up (`sent`), else `queued`.
 * - On every hello-ack ALL unacked changes are resent in order (`sent` each); if the secondary reports a
 *   lastApplied below our acked seq (it restarted and lost them), everything after its lastApplied is resent.
 * - A restarted primary (its last seq below the secondary's lastApplied) continues numbering after lastApplied.
 * - Acks are cumulative. ADMIN_SYNC_LAG is raised while unacked changes exist and the link is down, or the oldest
 *   unacked is 2·keepaliveIntervalMs old; it is cleared when every change is acked (drained).
 */
export function adminSenderMachine(cfg: AdminSyncConfig): Machine<AdminSenderSnapshot, AdminSenderInput, AdminNotice> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const lagAgeMs = 2 * t.keepaliveIntervalMs;
  type Fx = Array<Effect | AdminNotice>;

  const oldestUnacked = (s: AdminSenderSnapshot): AdminChange | undefined => s.changes.find((c) => c.seq > s.ackedSeq);

  function updateLag(s: AdminSenderSnapshot, fx: Fx, nowMs: number): void {
    const oldest = oldestUnacked(s);
    if (oldest === undefined) {
      if (s.lagAlarm) {
        s.lagAlarm = false;
        fx.push(alarm('ADMIN_SYNC_LAG', false, `admin-sync drained: every change up to ${s.lastSeq} acknowledged`));
      }
      return;
    }
    if (s.lagAlarm) return;
    if (!s.up || nowMs >= oldest.createdMs + lagAgeMs) {
      s.lagAlarm = true;
      const why = !s.up ? 'link down' : `oldest unacked change ${oldest.seq} older than ${lagAgeMs} ms`;
      fx.push(alarm('ADMIN_SYNC_LAG', true, `${unackedCount(s)} admin change(s) unacknowledged: ${why}`));
    }
  }

  function dial(s: AdminSenderSnapshot, fx: Fx): void {
    s.conn = s.nextConn++;
    s.up = false;
    s.nextDialMs = null;
    s.nextKaMs = null;
    fx.push({ type: 'dial', conn: s.conn, link: 'admin-sync' });
  }

  function down(s: AdminSenderSnapshot, fx: Fx, why: string, nowMs: number): void {
    fx.push(log(s.up ? `admin-sync link down: ${why}` : `admin-sync connection attempt failed: ${why}`));
    s.conn = null;
    s.up = false;
    s.nextDialMs = nowMs + t.keepaliveIntervalMs;
    updateLag(s, fx, nowMs);
  }

  function send(s: AdminSenderSnapshot, fx: Fx, c: AdminChange): void {
    if (s.conn === null) return;
    fx.push({ type: 'send', conn: s.conn, msg: { t: 'as-change', seq: c.seq, change: c.change } });
    fx.push(emit({ type: 'admin', action: 'sent', changeSeq: c.seq }));
  }

  return {
    step(state, input, nowMs): Step<AdminSenderSnapshot, AdminNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'start':
          if (s.conn === null && s.nextDialMs === null) dial(s, fx);
          break;
        case 'role':
          s.role = input.role;
          // Tell the peer at once: it may be the only path left for DUAL_ACTIVE detection.
          if (s.up && s.conn !== null) fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka', role: s.role } });
          break;
        case 'change': {
          const c: AdminChange = { seq: s.lastSeq + 1, change: input.change, createdMs: nowMs };
          s.lastSeq = c.seq;
          s.changes.push(c);
          fx.push(emit({ type: 'admin', action: 'changed', changeSeq: c.seq }));
          if (s.up) send(s, fx, c);
          else fx.push(emit({ type: 'admin', action: 'queued', changeSeq: c.seq }));
          updateLag(s, fx, nowMs);
          break;
        }
        case 'accepted':
          fx.push({ type: 'close', conn: input.conn, reason: 'the admin-sync sender accepts nothing' });
          break;
        case 'connected':
          if (input.conn !== s.conn) break;
          s.lastRxMs = nowMs;
          s.nextKaMs = nowMs + t.keepaliveIntervalMs;
          fx.push({ type: 'send', conn: input.conn, msg: { t: 'as-hello', role: s.role } });
          break;
        case 'closed':
          if (input.conn !== s.conn) break;
          down(s, fx, input.reason, nowMs);
          break;
        case 'message': {
          if (input.conn !== s.conn) break;
          s.lastRxMs = nowMs;
          const m = input.msg;
          if (m.t === 'as-hello-ack') {
            s.up = true;
            fx.push(log(`admin-sync link up (secondary applied up to ${m.lastApplied})`));
            fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync hello' });
            if (m.lastApplied > s.lastSeq) {
              // This primary restarted and lost its numbering: continue after what the secondary applied, or its
              // next change would be ignored there as a duplicate.
              fx.push(log(`admin-sync numbering continues after the secondary's ${m.lastApplied} (was ${s.lastSeq})`));
              s.lastSeq = m.lastApplied;
              s.ackedSeq = m.lastApplied;
            }
            const from = Math.min(s.ackedSeq, m.lastApplied);
            for (const c of s.changes) if (c.seq > from) send(s, fx, c);
          } else if (m.t === 'as-ack') {
            if (m.seq > s.ackedSeq) s.ackedSeq = Math.min(m.seq, s.lastSeq);
            updateLag(s, fx, nowMs);
          } else if (m.t === 'ka' && m.role !== undefined) {
            fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync keep-alive' });
          }
          break;
        }
        case 'tick':
          if (s.conn !== null) {
            if (nowMs >= s.lastRxMs + silenceMs) {
              fx.push({ type: 'close', conn: s.conn, reason: 'silent' });
              down(s, fx, `silent for ${silenceMs} ms`, nowMs);
            } else if (s.nextKaMs !== null && nowMs >= s.nextKaMs) {
              if (s.up) fx.push({ type: 'send', conn: s.conn, msg: { t: 'ka', role: s.role } });
              s.nextKaMs = nowMs + t.keepaliveIntervalMs;
            }
          }
          if (s.conn === null && s.nextDialMs !== null && nowMs >= s.nextDialMs) dial(s, fx);
          updateLag(s, fx, nowMs);
          break;
      }
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      const oldest = oldestUnacked(s);
      return earliest(
        s.conn !== null ? s.lastRxMs + silenceMs : null,
        s.conn !== null ? s.nextKaMs : null,
        s.conn === null ? s.nextDialMs : null,
        oldest !== undefined && !s.lagAlarm ? oldest.createdMs + lagAgeMs : null,
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Receiver (cms-secondary)

export interface AdminReceiverSnapshot {
  role: HaRole;
  lastApplied: number;
  sessions: Array<{ conn: ConnId; lastRxMs: number; nextKaMs: number }>;
}

export type AdminReceiverInput = NetInput | { type: 'role'; role: HaRole };

export function initialAdminReceiver(role: HaRole): AdminReceiverSnapshot {
  return { role, lastApplied: 0, sessions: [] };
}

/**
 * Behaviour: answers `as-hello` with `as-hello-ack {role, lastApplied}`; applies a change whose seq is
 * lastApplied + 1 (`applied`), ignores seq <= lastApplied (`duplicate-ignored`), logs and drops one that skips
 * ahead (the sender resends in order on its next connection); acks lastApplied after every change.
 * Keep-alives with the role both ways; a session silent for keepaliveMisses·keepaliveIntervalMs is closed.
 */
export function adminReceiverMachine(cfg: AdminSyncConfig): Machine<AdminReceiverSnapshot, AdminReceiverInput, AdminNotice> {
  const t = cfg.timers;
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  type Fx = Array<Effect | AdminNotice>;

  return {
    step(state, input, nowMs): Step<AdminReceiverSnapshot, AdminNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'role':
          s.role = input.role;
          for (const x of s.sessions) fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka', role: s.role } });
          break;
        case 'accepted':
          s.sessions.push({ conn: input.conn, lastRxMs: nowMs, nextKaMs: nowMs + t.keepaliveIntervalMs });
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
          const m = input.msg;
          if (m.t === 'as-hello') {
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'as-hello-ack', role: s.role, lastApplied: s.lastApplied } });
            fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync hello' });
          } else if (m.t === 'as-change') {
            if (m.seq === s.lastApplied + 1) {
              s.lastApplied = m.seq;
              fx.push(emit({ type: 'admin', action: 'applied', changeSeq: m.seq }));
            } else if (m.seq <= s.lastApplied) {
              fx.push(emit({ type: 'admin', action: 'duplicate-ignored', changeSeq: m.seq }));
            } else {
              fx.push(log(`admin change ${m.seq} out of order (applied up to ${s.lastApplied}): dropped`));
            }
            fx.push({ type: 'send', conn: x.conn, msg: { t: 'as-ack', seq: s.lastApplied } });
          } else if (m.t === 'ka' && m.role !== undefined) {
            fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync keep-alive' });
          }
          break;
        }
        case 'tick':
          for (const x of [...s.sessions]) {
            if (nowMs >= x.lastRxMs + silenceMs) {
              s.sessions = s.sessions.filter((q) => q.conn !== x.conn);
              fx.push({ type: 'close', conn: x.conn, reason: `admin-sync sender silent for ${silenceMs} ms` });
            } else if (nowMs >= x.nextKaMs) {
              fx.push({ type: 'send', conn: x.conn, msg: { t: 'ka', role: s.role } });
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
