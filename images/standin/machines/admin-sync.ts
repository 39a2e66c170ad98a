// Admin-Sync: each CMS pushes the administration changes made on it to its peer, numbered within its own origin,
// and applies the peer's in order, over one connection (the primary dials). Nothing lost or applied twice. Pure.

import type { CmsName, HaRole, Timers } from '../../protocol/index.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface AdminSyncConfig {
  node: CmsName;
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
}

export interface AdminChange {
  seq: number;
  change: string;
}

/**
 * What must survive a restart, written before anything that depends on it: the changes made here (kept after their
 * ack so a peer that lost its own state can still be brought up to date), and what was applied from the peer.
 */
export interface AdminDurable {
  origin: CmsName;
  own: AdminChange[];
  lastSeq: number;
  ackedSeq: number;
  /** The last change of the peer's origin applied here. */
  peerApplied: number;
}

/** A connection on admin-sync: the primary's dial, or one the secondary accepted. */
export interface AdminConn {
  conn: ConnId;
  /** Hellos exchanged: changes and keep-alives flow. */
  up: boolean;
  lastRxMs: number;
  nextKaMs: number;
}

export interface AdminSyncSnapshot {
  node: CmsName;
  role: HaRole;
  own: Array<AdminChange & { madeMs: number }>;
  lastSeq: number;
  ackedSeq: number;
  peerApplied: number;
  /** At most one is up; the secondary may briefly hold a new one beside the old until its hello arrives. */
  conns: AdminConn[];
  nextConn: ConnId;
  nextDialMs: number | null;
  lagAlarm: boolean;
}

export type AdminSyncInput = NetInput | { type: 'start' } | { type: 'change'; change: string } | { type: 'role'; role: HaRole };

export type AdminNotice =
  /** The peer's role learned from an admin-sync message (DUAL_ACTIVE detection when the heartbeat path is cut). */
  | { type: 'peer-role'; role: HaRole; via: string }
  /** The shell writes this to disk (atomically, synchronously) before it carries out the effects that follow. */
  | { type: 'persist'; durable: AdminDurable };

const peerOf = (node: CmsName): CmsName => (node === 'cms-primary' ? 'cms-secondary' : 'cms-primary');

/** A CMS's Admin-Sync state at process start: from what it saved before, or empty. */
export function initialAdminSync(node: CmsName, role: HaRole, saved?: AdminDurable): AdminSyncSnapshot {
  return {
    node,
    role,
    own: (saved?.own ?? []).map((c) => ({ ...c, madeMs: 0 })),
    lastSeq: saved?.lastSeq ?? 0,
    ackedSeq: saved?.ackedSeq ?? 0,
    peerApplied: saved?.peerApplied ?? 0,
    conns: [],
    nextConn: 1,
    nextDialMs: null,
    lagAlarm: false,
  };
}

export function durableOf(s: AdminSyncSnapshot): AdminDurable {
  return {
    origin: s.node,
    own: s.own.map((c) => ({ seq: c.seq, change: c.change })),
    lastSeq: s.lastSeq,
    ackedSeq: s.ackedSeq,
    peerApplied: s.peerApplied,
  };
}

/** Own changes the peer has not acknowledged yet. */
export function unackedCount(s: AdminSyncSnapshot): number {
  return s.lastSeq - s.ackedSeq;
}

/**
 * Behaviour (DESIGN.md §1 "Admin-Sync"):
 * - Symmetric. Each CMS numbers the changes made on it (origin = itself) 1, 2, 3... (`changed`); a change is sent
 *   at once when the link is up (`sent`), else `queued`. The shell accepts changes only on the ACTIVE CMS.
 * - One connection: the primary dials admin-sync (again keepaliveIntervalMs after any failure), the secondary
 *   accepts. Each side says `as-hello {node, role, lastApplied}` (lastApplied: the last change of the OTHER's origin
 *   it applied); a side is up (`admin-link` up) once it has the other's hello, and then resends every own change
 *   after the lastApplied the other reported, in order. A newer connection's hello replaces an older connection.
 * - Receiving: seq == peerApplied + 1 is applied (`applied`), seq <= peerApplied ignored (`duplicate-ignored`),
 *   one that skips ahead dropped (the sender resends in order on its next connection); then `as-ack` with
 *   peerApplied. Acks are cumulative (`acked` for each own change newly acknowledged).
 * - Keep-alives carry the role both ways; a connection silent for keepaliveMisses·keepaliveIntervalMs is closed.
 * - ADMIN_SYNC_LAG is raised while own unacked changes exist and the link is down, or when the oldest unacked one
 *   is 2·keepaliveIntervalMs old; it is cleared only when every own change is acknowledged.
 * - Whatever must survive a restart (AdminDurable) goes out as a `persist` effect FIRST in the step that changed
 *   it, so nothing is acknowledged or reported that a crash could lose. A CMS restarted from it continues its own
 *   numbering and resends its queue. A peer that reports a lastApplied below our acked seq lost its state (it had no
 *   data folder): it is brought up to date from its number. One that reports more than our last seq means we lost
 *   ours: our numbering continues after its number, or our next changes would be ignored there as duplicates.
 */
export function adminSyncMachine(cfg: AdminSyncConfig): Machine<AdminSyncSnapshot, AdminSyncInput, AdminNotice> {
  const t = cfg.timers;
  const peer = peerOf(cfg.node);
  const dials = cfg.node === 'cms-primary';
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const lagAgeMs = 2 * t.keepaliveIntervalMs;
  type Fx = Array<Effect | AdminNotice>;

  const link = (s: AdminSyncSnapshot): AdminConn | undefined => s.conns.find((c) => c.up);
  const oldestUnacked = (s: AdminSyncSnapshot) => s.own.find((c) => c.seq > s.ackedSeq);

  function updateLag(s: AdminSyncSnapshot, fx: Fx, nowMs: number): void {
    const oldest = oldestUnacked(s);
    if (unackedCount(s) === 0) {
      if (s.lagAlarm) {
        s.lagAlarm = false;
        fx.push(alarm('ADMIN_SYNC_LAG', false, `admin-sync drained: every change up to ${s.lastSeq} acknowledged`));
      }
      return;
    }
    if (s.lagAlarm) return;
    const up = link(s) !== undefined;
    if (!up || (oldest !== undefined && nowMs >= oldest.madeMs + lagAgeMs)) {
      s.lagAlarm = true;
      const why = !up ? 'link down' : `oldest unacked change ${oldest?.seq} older than ${lagAgeMs} ms`;
      fx.push(alarm('ADMIN_SYNC_LAG', true, `${unackedCount(s)} admin change(s) unacknowledged: ${why}`));
    }
  }

  function dial(s: AdminSyncSnapshot, fx: Fx, nowMs: number): void {
    const conn = s.nextConn++;
    // lastRxMs from the dial: a connect that never completes is given up like a silent link.
    s.conns.push({ conn, up: false, lastRxMs: nowMs, nextKaMs: nowMs + t.keepaliveIntervalMs });
    s.nextDialMs = null;
    fx.push({ type: 'dial', conn, link: 'admin-sync' });
  }

  /** A connection ended (closed by either side, or given up on). */
  function drop(s: AdminSyncSnapshot, fx: Fx, c: AdminConn, why: string, nowMs: number): void {
    s.conns = s.conns.filter((x) => x.conn !== c.conn);
    if (c.up) fx.push(emit({ type: 'admin-link', up: false, peer, reason: why }));
    else fx.push(log(`admin-sync connection ${c.conn} ended before the hellos: ${why}`));
    if (dials && s.conns.length === 0) s.nextDialMs = nowMs + t.keepaliveIntervalMs;
    updateLag(s, fx, nowMs);
  }

  function send(s: AdminSyncSnapshot, fx: Fx, c: AdminChange): void {
    const l = link(s);
    if (l === undefined) return;
    fx.push({ type: 'send', conn: l.conn, msg: { t: 'as-change', origin: cfg.node, seq: c.seq, change: c.change } });
    fx.push(emit({ type: 'admin', action: 'sent', origin: cfg.node, changeSeq: c.seq }));
  }

  function acked(s: AdminSyncSnapshot, fx: Fx, upTo: number): void {
    const to = Math.min(upTo, s.lastSeq);
    for (let seq = s.ackedSeq + 1; seq <= to; seq++) fx.push(emit({ type: 'admin', action: 'acked', origin: cfg.node, changeSeq: seq }));
    if (to > s.ackedSeq) s.ackedSeq = to;
  }

  function hello(s: AdminSyncSnapshot, fx: Fx, c: AdminConn, m: { node: CmsName; role: HaRole; lastApplied: number }, nowMs: number): void {
    if (m.node !== peer) {
      fx.push({ type: 'close', conn: c.conn, reason: `hello from ${m.node}, expected ${peer}` });
      drop(s, fx, c, `hello from ${m.node}, expected ${peer}`, nowMs);
      return;
    }
    if (!dials) fx.push({ type: 'send', conn: c.conn, msg: { t: 'as-hello', node: cfg.node, role: s.role, lastApplied: s.peerApplied } });
    for (const old of s.conns.filter((x) => x.conn !== c.conn)) {
      fx.push({ type: 'close', conn: old.conn, reason: 'replaced by a new admin-sync connection' });
      s.conns = s.conns.filter((x) => x.conn !== old.conn);
      if (old.up) fx.push(emit({ type: 'admin-link', up: false, peer, reason: 'replaced by a new admin-sync connection' }));
    }
    c.up = true;
    c.nextKaMs = nowMs + t.keepaliveIntervalMs;
    fx.push(emit({ type: 'admin-link', up: true, peer, reason: `hello exchanged: ${peer} applied up to ${m.lastApplied}` }));
    fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync hello' });
    if (m.lastApplied > s.lastSeq) {
      // Only after a restart without a data folder, before the first hello: every own change is still unacked.
      fx.push(
        log(`admin-sync: ${peer} applied up to ${m.lastApplied} of ours, our log ends at ${s.lastSeq}: numbering continues after it`),
      );
      let seq = m.lastApplied;
      for (const c of s.own) {
        fx.push(log(`admin-sync: change ${c.seq} renumbered ${seq + 1}`));
        c.seq = ++seq;
      }
      s.lastSeq = seq;
      s.ackedSeq = m.lastApplied;
    } else if (m.lastApplied < s.ackedSeq) {
      fx.push(log(`admin-sync: ${peer} applied only up to ${m.lastApplied} of ours (acked ${s.ackedSeq}): it lost its state, resending`));
      s.ackedSeq = m.lastApplied;
    } else acked(s, fx, m.lastApplied);
    for (const x of s.own) if (x.seq > s.ackedSeq) send(s, fx, x);
    updateLag(s, fx, nowMs);
  }

  function receive(s: AdminSyncSnapshot, fx: Fx, c: AdminConn, m: { origin: CmsName; seq: number }): void {
    if (m.origin !== peer) {
      fx.push(log(`admin change ${m.seq} of origin ${m.origin} ignored: only ${peer}'s changes are applied here`));
      return;
    }
    if (m.seq === s.peerApplied + 1) {
      s.peerApplied = m.seq;
      fx.push(emit({ type: 'admin', action: 'applied', origin: peer, changeSeq: m.seq }));
    } else if (m.seq <= s.peerApplied) {
      fx.push(emit({ type: 'admin', action: 'duplicate-ignored', origin: peer, changeSeq: m.seq }));
    } else {
      fx.push(log(`admin change ${m.seq} of ${peer} out of order (applied up to ${s.peerApplied}): dropped`));
    }
    fx.push({ type: 'send', conn: c.conn, msg: { t: 'as-ack', origin: peer, seq: s.peerApplied } });
  }

  function onTick(s: AdminSyncSnapshot, fx: Fx, nowMs: number): void {
    for (const c of [...s.conns]) {
      if (nowMs >= c.lastRxMs + silenceMs) {
        fx.push({ type: 'close', conn: c.conn, reason: 'silent' });
        drop(s, fx, c, `silent for ${silenceMs} ms`, nowMs);
      } else if (c.up && nowMs >= c.nextKaMs) {
        fx.push({ type: 'send', conn: c.conn, msg: { t: 'ka', role: s.role } });
        c.nextKaMs = nowMs + t.keepaliveIntervalMs;
      }
    }
    if (dials && s.conns.length === 0 && s.nextDialMs !== null && nowMs >= s.nextDialMs) dial(s, fx, nowMs);
    updateLag(s, fx, nowMs);
  }

  return {
    step(state, input, nowMs): Step<AdminSyncSnapshot, AdminNotice> {
      const s = copy(state);
      const fx: Fx = [];
      switch (input.type) {
        case 'start':
          // Changes loaded from disk were made by an earlier process: their age counts from now.
          for (const c of s.own) c.madeMs = nowMs;
          if (dials && s.conns.length === 0 && s.nextDialMs === null) dial(s, fx, nowMs);
          updateLag(s, fx, nowMs);
          break;
        case 'role': {
          s.role = input.role;
          // Tell the peer at once: it may be the only path left for DUAL_ACTIVE detection.
          const l = link(s);
          if (l !== undefined) fx.push({ type: 'send', conn: l.conn, msg: { t: 'ka', role: s.role } });
          break;
        }
        case 'change': {
          const c = { seq: s.lastSeq + 1, change: input.change, madeMs: nowMs };
          s.lastSeq = c.seq;
          s.own.push(c);
          fx.push(emit({ type: 'admin', action: 'changed', origin: cfg.node, changeSeq: c.seq }));
          if (link(s) !== undefined) send(s, fx, c);
          else fx.push(emit({ type: 'admin', action: 'queued', origin: cfg.node, changeSeq: c.seq }));
          updateLag(s, fx, nowMs);
          break;
        }
        case 'accepted':
          if (dials) fx.push({ type: 'close', conn: input.conn, reason: 'cms-primary dials admin-sync, it accepts nothing' });
          else s.conns.push({ conn: input.conn, up: false, lastRxMs: nowMs, nextKaMs: nowMs + t.keepaliveIntervalMs });
          break;
        case 'connected': {
          const c = s.conns.find((x) => x.conn === input.conn);
          if (c === undefined) break;
          c.lastRxMs = nowMs;
          fx.push({ type: 'send', conn: c.conn, msg: { t: 'as-hello', node: cfg.node, role: s.role, lastApplied: s.peerApplied } });
          break;
        }
        case 'closed': {
          const c = s.conns.find((x) => x.conn === input.conn);
          if (c !== undefined) drop(s, fx, c, input.reason, nowMs);
          break;
        }
        case 'message': {
          const c = s.conns.find((x) => x.conn === input.conn);
          if (c === undefined) break;
          c.lastRxMs = nowMs;
          const m = input.msg;
          if (m.t === 'as-hello') hello(s, fx, c, m, nowMs);
          else if (!c.up) break;
          else if (m.t === 'as-change') receive(s, fx, c, m);
          else if (m.t === 'as-ack' && m.origin === cfg.node) {
            acked(s, fx, m.seq);
            updateLag(s, fx, nowMs);
          } else if (m.t === 'ka' && m.role !== undefined) fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync keep-alive' });
          break;
        }
        case 'tick':
          onTick(s, fx, nowMs);
          break;
      }
      // Durable first: no ack, send or report may run ahead of what a crash would keep.
      if (JSON.stringify(durableOf(s)) !== JSON.stringify(durableOf(state))) fx.unshift({ type: 'persist', durable: durableOf(s) });
      return { state: s, effects: fx };
    },

    nextWakeMs(s) {
      const oldest = oldestUnacked(s);
      return earliest(
        ...s.conns.map((c) => c.lastRxMs + silenceMs),
        ...s.conns.filter((c) => c.up).map((c) => c.nextKaMs),
        dials && s.conns.length === 0 ? s.nextDialMs : null,
        oldest !== undefined && !s.lagAlarm && link(s) !== undefined ? oldest.madeMs + lagAgeMs : null,
      );
    },
  };
}

/** Checks a state read back from disk; throws naming what is wrong (a torn or foreign file must not be trusted). */
export function checkAdminDurable(v: unknown, node: CmsName): AdminDurable {
  const bad = (why: string): never => {
    throw new Error(`admin-sync state: ${why}`);
  };
  const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const d = v as Record<string, unknown>;
  if (d['origin'] !== node) bad(`origin ${JSON.stringify(d['origin'])} is not this node (${node}): another CMS's data folder?`);
  for (const f of ['lastSeq', 'ackedSeq', 'peerApplied']) if (!isCount(d[f])) bad(`${f} ${JSON.stringify(d[f])} is not a count`);
  const own = d['own'];
  if (!Array.isArray(own)) return bad('own is not a list');
  let last = 0;
  for (const c of own as unknown[]) {
    const x = c as Record<string, unknown> | null;
    if (x === null || typeof x !== 'object' || !isCount(x['seq']) || x['seq'] <= last || typeof x['change'] !== 'string')
      bad(`own change ${JSON.stringify(c)} is not { seq, change } in increasing order`);
    last = x?.['seq'] as number;
  }
  const durable = v as AdminDurable;
  if (durable.ackedSeq > durable.lastSeq || last > durable.lastSeq)
    bad(`ackedSeq ${durable.ackedSeq} / own log beyond lastSeq ${durable.lastSeq}`);
  return {
    origin: node,
    own: durable.own.map((c) => ({ seq: c.seq, change: c.change })),
    lastSeq: durable.lastSeq,
    ackedSeq: durable.ackedSeq,
    peerApplied: durable.peerApplied,
  };
}
