// Admin-Sync: each CMS pushes the administration changes made on it (an object and its new value) to its peer,
// numbered within its own origin, applies the peer's in order, resolves conflicts and respects versions. Pure.

import type { CmsName, HaRole, Timers } from '../../protocol/index.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import { compareVersions } from '../version.js';
import type { WireMsg } from '../wire.js';
import { alarm, copy, earliest, emit, log, type ConnId, type Effect, type Machine, type NetInput, type Step } from './core.js';

export interface AdminSyncConfig {
  node: CmsName;
  timers: Pick<Timers, 'keepaliveIntervalMs' | 'keepaliveMisses'>;
  /** This CMS's software version (sent in hellos; a peer on an older version is not sent our changes). */
  version: string;
  /** Planted defects (a candidate image's, see PLANTS): older-applies-newer ignores versions. */
  plants?: Plants;
}

export interface AdminChange {
  seq: number;
  object: string;
  value: string;
}

/** The current value of one object and the change that set it. */
export interface ObjectValue {
  value: string;
  origin: CmsName;
  changeSeq: number;
}

/** One side's latest change to an object in conflict: its value and its number within that side's origin. */
export interface SideValue {
  value: string;
  seq: number;
}

/** An object changed on both sides while neither had the other's change (DESIGN.md §1 "Conflicts"). */
export interface AdminConflict {
  object: string;
  primary: SideValue;
  secondary: SideValue;
  /** null until decided (by the primary; the secondary learns it from the verdict). */
  winner: CmsName | null;
  /** Both hold the winner's value: on the secondary once it applied the verdict, on the primary once it said so. */
  converged: boolean;
  /** When this CMS detected it (or learned of it from a verdict). */
  atMs: number;
}

/**
 * What must survive a restart, written before anything that depends on it: the changes made here (kept after their
 * ack so a peer that lost its own state can still be brought up to date), what was applied from the peer, the
 * objects' values and the conflict records.
 */
export interface AdminDurable {
  origin: CmsName;
  own: AdminChange[];
  lastSeq: number;
  ackedSeq: number;
  /** The last change of the peer's origin applied here. */
  peerApplied: number;
  objects: Record<string, ObjectValue>;
  conflicts: AdminConflict[];
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
  /** The peer's role from its hello and keep-alives (who wins a conflict); null until heard. */
  peerRole: HaRole | null;
  /** The peer's software version from its last hello; null until heard. */
  peerVersion: string | null;
  /** Primary: it hears the secondary's heartbeat (the HA's `contact` notice). */
  contact: boolean;
  own: Array<AdminChange & { madeMs: number }>;
  lastSeq: number;
  ackedSeq: number;
  peerApplied: number;
  objects: Record<string, ObjectValue>;
  conflicts: AdminConflict[];
  /** At most one is up; the secondary may briefly hold a new one beside the old until its hello arrives. */
  conns: AdminConn[];
  nextConn: ConnId;
  nextDialMs: number | null;
  lagAlarm: boolean;
  conflictAlarm: boolean;
  versionAlarm: boolean;
}

export type AdminSyncInput =
  | NetInput
  | { type: 'start' }
  | { type: 'change'; object: string; value: string }
  | { type: 'role'; role: HaRole }
  /** Primary: the HA hears the secondary's heartbeat again (up) or no longer (down). */
  | { type: 'contact'; up: boolean };

export type AdminNotice =
  /** The peer's role learned from an admin-sync message (DUAL_ACTIVE detection when the heartbeat path is cut). */
  | { type: 'peer-role'; role: HaRole; via: string }
  /** The shell writes this to disk (atomically, synchronously) before it carries out the effects that follow. */
  | { type: 'persist'; durable: AdminDurable };

const peerOf = (node: CmsName): CmsName => (node === 'cms-primary' ? 'cms-secondary' : 'cms-primary');
const sideOf = (node: CmsName): 'primary' | 'secondary' => (node === 'cms-primary' ? 'primary' : 'secondary');

/** A CMS's Admin-Sync state at process start: from what it saved before, or empty. */
export function initialAdminSync(node: CmsName, role: HaRole, saved?: AdminDurable): AdminSyncSnapshot {
  return {
    node,
    role,
    peerRole: null,
    peerVersion: null,
    contact: false,
    own: (saved?.own ?? []).map((c) => ({ ...c, madeMs: 0 })),
    lastSeq: saved?.lastSeq ?? 0,
    ackedSeq: saved?.ackedSeq ?? 0,
    peerApplied: saved?.peerApplied ?? 0,
    objects: structuredClone(saved?.objects ?? {}),
    conflicts: structuredClone(saved?.conflicts ?? []),
    conns: [],
    nextConn: 1,
    nextDialMs: null,
    lagAlarm: false,
    conflictAlarm: false,
    versionAlarm: false,
  };
}

export function durableOf(s: AdminSyncSnapshot): AdminDurable {
  return {
    origin: s.node,
    own: s.own.map((c) => ({ seq: c.seq, object: c.object, value: c.value })),
    lastSeq: s.lastSeq,
    ackedSeq: s.ackedSeq,
    peerApplied: s.peerApplied,
    objects: s.objects,
    conflicts: s.conflicts,
  };
}

/** Own changes the peer has not acknowledged yet. */
export function unackedCount(s: AdminSyncSnapshot): number {
  return s.lastSeq - s.ackedSeq;
}

/** Conflicts both sides hold one value for, as the control API shows them (the kept and the losing value). */
export function decidedConflicts(
  s: AdminSyncSnapshot,
): Array<{ object: string; value: string; lost: string; winner: CmsName; loser: CmsName; atMs: number }> {
  return s.conflicts.flatMap((c) => {
    if (c.winner === null) return [];
    const [kept, lost] = c.winner === 'cms-primary' ? [c.primary, c.secondary] : [c.secondary, c.primary];
    return [{ object: c.object, value: kept.value, lost: lost.value, winner: c.winner, loser: peerOf(c.winner), atMs: c.atMs }];
  });
}

/**
 * Why a change to `object` is not accepted now, or null. An object in a conflict that has not converged is frozen
 * until it has: a change made meanwhile could cross the verdict and leave the two CMS with different values.
 */
export function changeRefusal(s: AdminSyncSnapshot, object: string): string | null {
  const c = s.conflicts.find((x) => x.object === object && !x.converged);
  if (c === undefined) return null;
  return `object ${JSON.stringify(object)} is in a conflict not resolved yet${c.winner === null ? ' (waiting for a decision)' : ''}`;
}

/** Objects in conflict still waiting for a decision. */
export function unresolvedObjects(s: AdminSyncSnapshot): string[] {
  return s.conflicts.filter((c) => c.winner === null).map((c) => c.object);
}

/**
 * Behaviour (DESIGN.md §1 "Admin-Sync", "Conflicts", "Versions"):
 * - Symmetric. Each CMS numbers the changes made on it (origin = itself) 1, 2, 3... (`changed`); each sets one object
 *   to a value. A change is sent at once when the link is up and the peer can read it (`sent`), else `queued`. The
 *   shell accepts changes only on the ACTIVE CMS.
 * - One connection: the primary dials admin-sync (again keepaliveIntervalMs after any failure), the secondary
 *   accepts. Each side says `as-hello {node, role, lastApplied, version}` (lastApplied: the last change of the OTHER's
 *   origin it applied); a side is up (`admin-link` up) once it has the other's hello, and then resends every own change
 *   after the lastApplied the other reported, in order. A newer connection's hello replaces an older connection.
 * - Receiving: seq == peerApplied + 1 is taken in (`applied`), seq <= peerApplied ignored (`duplicate-ignored`), one
 *   that skips ahead dropped (the sender resends in order on its next connection); then `as-ack` with peerApplied.
 *   Acks are cumulative (`acked` for each own change newly acknowledged).
 * - Conflict: the peer's change to an object arrives while this CMS has an unacknowledged change of its own to it (or
 *   an unconverged conflict on it, which then takes the peer's later change into account). Until the conflict has
 *   converged here the object takes no new change (changeRefusal). Both sides see it (the changes cross on the connection); each raises
 *   ADMIN_SYNC_CONFLICT, emits `admin-conflict detected` and keeps its own value for now. The primary decides: the
 *   winner is the CMS that is ACTIVE after the return, the primary if both (or neither) are, and it decides only with
 *   heartbeat contact, because until the two hear each other on the heartbeat a return may still change the roles.
 *   It sets the winner's value and sends the verdict; the secondary applies it unless it made a newer change to the
 *   object since (then the next verdict, about that change, follows) and answers `as-resolved`. The alarm clears on
 *   each side when every conflict has converged (secondary: verdict applied; primary: `as-resolved` received); the
 *   records stay, with the losing value, for the operator (GET /admin).
 * - Versions: a CMS applies changes from the same or an older version only. While the peer's hello says an older
 *   version, own changes are not sent (they stay queued, nothing lost) and ADMIN_SYNC_VERSION is raised here (the
 *   sender) as long as any is held; a hello with a version >= ours clears it and the queue drains in order.
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
  const me = sideOf(cfg.node);
  const them = sideOf(peer);
  const dials = cfg.node === 'cms-primary';
  const decides = cfg.node === 'cms-primary';
  const silenceMs = t.keepaliveMisses * t.keepaliveIntervalMs;
  const lagAgeMs = 2 * t.keepaliveIntervalMs;
  type Fx = Array<Effect | AdminNotice>;

  const link = (s: AdminSyncSnapshot): AdminConn | undefined => s.conns.find((c) => c.up);
  const oldestUnacked = (s: AdminSyncSnapshot) => s.own.find((c) => c.seq > s.ackedSeq);
  /** The peer runs an older version: it cannot read our changes. */
  // The planted defect older-applies-newer: no version is ever in the way, either side.
  const versionsIgnored = (cfg.plants ?? NO_PLANTS).has('older-applies-newer');
  const peerOlder = (s: AdminSyncSnapshot): boolean =>
    !versionsIgnored && s.peerVersion !== null && compareVersions(s.peerVersion, cfg.version) < 0;
  const peerNewer = (s: AdminSyncSnapshot): boolean =>
    !versionsIgnored && s.peerVersion !== null && compareVersions(s.peerVersion, cfg.version) > 0;
  const canSend = (s: AdminSyncSnapshot): AdminConn | undefined => (peerOlder(s) ? undefined : link(s));
  const open = (s: AdminSyncSnapshot, object: string): AdminConflict | undefined =>
    s.conflicts.find((c) => c.object === object && !c.converged);
  const latestOwn = (s: AdminSyncSnapshot, object: string) => [...s.own].reverse().find((c) => c.object === object);

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

  function updateVersion(s: AdminSyncSnapshot, fx: Fx): void {
    const want = peerOlder(s) && unackedCount(s) > 0;
    if (want === s.versionAlarm) return;
    s.versionAlarm = want;
    fx.push(
      alarm(
        'ADMIN_SYNC_VERSION',
        want,
        want
          ? `${unackedCount(s)} admin change(s) held: ${peer} runs ${s.peerVersion}, older than ${cfg.version}, and cannot read them`
          : peerOlder(s)
            ? 'no admin change held any more'
            : `${peer} runs ${s.peerVersion ?? '?'}: it reads the changes of ${cfg.version}`,
      ),
    );
  }

  function updateConflictAlarm(s: AdminSyncSnapshot, fx: Fx): void {
    const pending = s.conflicts.filter((c) => !c.converged).map((c) => c.object);
    const want = pending.length > 0;
    if (want === s.conflictAlarm) return;
    s.conflictAlarm = want;
    fx.push(
      alarm(
        'ADMIN_SYNC_CONFLICT',
        want,
        want
          ? `object(s) ${pending.join(', ')} changed on both CMS while they could not hear each other`
          : 'every conflict resolved: both CMS hold the same values (the losing values are in the conflict records)',
      ),
    );
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
    const l = canSend(s);
    if (l === undefined) return;
    fx.push({ type: 'send', conn: l.conn, msg: { t: 'as-change', origin: cfg.node, seq: c.seq, object: c.object, value: c.value } });
    fx.push(emit({ type: 'admin', action: 'sent', origin: cfg.node, changeSeq: c.seq, object: c.object }));
  }

  function acked(s: AdminSyncSnapshot, fx: Fx, upTo: number): void {
    const to = Math.min(upTo, s.lastSeq);
    for (const c of s.own)
      if (c.seq > s.ackedSeq && c.seq <= to)
        fx.push(emit({ type: 'admin', action: 'acked', origin: cfg.node, changeSeq: c.seq, object: c.object }));
    if (to > s.ackedSeq) s.ackedSeq = to;
  }

  // --- Conflicts -------------------------------------------------------------------------------------------------

  /** Primary: who wins now, or null while a return may still change which CMS is ACTIVE. */
  function winnerNow(s: AdminSyncSnapshot): CmsName | null {
    if (!s.contact) return null;
    return s.role !== 'ACTIVE' && s.peerRole === 'ACTIVE' ? 'cms-secondary' : 'cms-primary';
  }

  function sendVerdict(s: AdminSyncSnapshot, fx: Fx, c: AdminConflict): void {
    const l = link(s);
    if (l === undefined || c.winner === null) return;
    const [kept, lost] = c.winner === 'cms-primary' ? [c.primary, c.secondary] : [c.secondary, c.primary];
    fx.push({
      type: 'send',
      conn: l.conn,
      msg: {
        t: 'as-resolve',
        object: c.object,
        winner: c.winner,
        value: kept.value,
        lost: lost.value,
        primarySeq: c.primary.seq,
        secondarySeq: c.secondary.seq,
      },
    });
  }

  /** Sets the winner's value here and emits the resolution (both sides). */
  function settle(s: AdminSyncSnapshot, fx: Fx, c: AdminConflict, winner: CmsName): void {
    c.winner = winner;
    const [kept, lost] = winner === 'cms-primary' ? [c.primary, c.secondary] : [c.secondary, c.primary];
    s.objects[c.object] = { value: kept.value, origin: winner, changeSeq: kept.seq };
    fx.push(
      emit({
        type: 'admin-conflict',
        phase: 'resolved',
        object: c.object,
        value: kept.value,
        lost: lost.value,
        winner,
        loser: peerOf(winner),
      }),
    );
  }

  /** Primary: decides every undecided conflict it can and tells the secondary (a decided one keeps its winner). */
  function decideOpen(s: AdminSyncSnapshot, fx: Fx): void {
    if (!decides) return;
    for (const c of s.conflicts) {
      if (c.converged || c.winner !== null) continue;
      const winner = winnerNow(s);
      if (winner === null) return;
      settle(s, fx, c, winner);
      sendVerdict(s, fx, c);
    }
  }

  /** The peer's change to an object this CMS changed too, before either had the other's change. */
  function conflict(s: AdminSyncSnapshot, fx: Fx, m: { seq: number; object: string; value: string }, nowMs: number): void {
    const existing = open(s, m.object);
    if (existing !== undefined) {
      existing[them] = { value: m.value, seq: m.seq };
      if (decides && existing.winner !== null) {
        settle(s, fx, existing, existing.winner);
        sendVerdict(s, fx, existing);
      }
      return;
    }
    const mine = latestOwn(s, m.object);
    const ownSide: SideValue = { value: mine?.value ?? s.objects[m.object]?.value ?? '', seq: mine?.seq ?? 0 };
    const c: AdminConflict = {
      object: m.object,
      primary: me === 'primary' ? ownSide : { value: m.value, seq: m.seq },
      secondary: me === 'secondary' ? ownSide : { value: m.value, seq: m.seq },
      winner: null,
      converged: false,
      atMs: nowMs,
    };
    s.conflicts.push(c);
    fx.push(emit({ type: 'admin-conflict', phase: 'detected', object: m.object, own: ownSide.value, peer: m.value }));
    updateConflictAlarm(s, fx);
    decideOpen(s, fx);
  }

  /** Secondary: the primary's verdict on one object. */
  function verdict(s: AdminSyncSnapshot, fx: Fx, c: AdminConn, m: Extract<WireMsg, { t: 'as-resolve' }>, nowMs: number): void {
    if (decides) return;
    const newer = latestOwn(s, m.object);
    if (newer !== undefined && newer.seq > m.secondarySeq) {
      // Our newer change is on its way to the primary; its verdict on that one follows.
      fx.push(
        log(`verdict on ${m.object} took our change ${m.secondarySeq} into account, not our newer ${newer.seq}: waiting for the next`),
      );
      return;
    }
    const ack: Effect = {
      type: 'send',
      conn: c.conn,
      msg: { t: 'as-resolved', object: m.object, primarySeq: m.primarySeq, secondarySeq: m.secondarySeq },
    };
    const last = [...s.conflicts].reverse().find((x) => x.object === m.object);
    if (
      last?.converged === true &&
      last.winner === m.winner &&
      last.primary.seq === m.primarySeq &&
      last.secondary.seq === m.secondarySeq
    ) {
      // Sent again because our answer was lost with a connection: already applied; answer again, record nothing new.
      fx.push(ack);
      return;
    }
    const [kept, lost] = [m.value, m.lost];
    const sides = m.winner === 'cms-primary' ? { primary: kept, secondary: lost } : { primary: lost, secondary: kept };
    let rec = open(s, m.object);
    if (rec === undefined) {
      rec = {
        object: m.object,
        primary: { value: '', seq: 0 },
        secondary: { value: '', seq: 0 },
        winner: null,
        converged: false,
        atMs: nowMs,
      };
      s.conflicts.push(rec);
    }
    rec.primary = { value: sides.primary, seq: m.primarySeq };
    rec.secondary = { value: sides.secondary, seq: m.secondarySeq };
    settle(s, fx, rec, m.winner);
    rec.converged = true;
    fx.push(ack);
    updateConflictAlarm(s, fx);
  }

  // --- Links -----------------------------------------------------------------------------------------------------

  function hello(
    s: AdminSyncSnapshot,
    fx: Fx,
    c: AdminConn,
    m: { node: CmsName; role: HaRole; lastApplied: number; version: string },
    nowMs: number,
  ): void {
    if (m.node !== peer) {
      fx.push({ type: 'close', conn: c.conn, reason: `hello from ${m.node}, expected ${peer}` });
      drop(s, fx, c, `hello from ${m.node}, expected ${peer}`, nowMs);
      return;
    }
    if (!dials) fx.push({ type: 'send', conn: c.conn, msg: helloMsg(s) });
    for (const old of s.conns.filter((x) => x.conn !== c.conn)) {
      fx.push({ type: 'close', conn: old.conn, reason: 'replaced by a new admin-sync connection' });
      s.conns = s.conns.filter((x) => x.conn !== old.conn);
      if (old.up) fx.push(emit({ type: 'admin-link', up: false, peer, reason: 'replaced by a new admin-sync connection' }));
    }
    c.up = true;
    c.nextKaMs = nowMs + t.keepaliveIntervalMs;
    s.peerVersion = m.version;
    s.peerRole = m.role;
    fx.push(
      emit({ type: 'admin-link', up: true, peer, reason: `hello exchanged: ${peer} applied up to ${m.lastApplied}, runs ${m.version}` }),
    );
    fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync hello' });
    if (m.lastApplied > s.lastSeq) {
      // Only after a restart without a data folder, before the first hello: every own change is still unacked.
      fx.push(
        log(`admin-sync: ${peer} applied up to ${m.lastApplied} of ours, our log ends at ${s.lastSeq}: numbering continues after it`),
      );
      let seq = m.lastApplied;
      for (const x of s.own) {
        fx.push(log(`admin-sync: change ${x.seq} renumbered ${seq + 1}`));
        x.seq = ++seq;
        const v = s.objects[x.object];
        if (v !== undefined && v.origin === cfg.node) v.changeSeq = x.seq;
      }
      s.lastSeq = seq;
      s.ackedSeq = m.lastApplied;
    } else if (m.lastApplied < s.ackedSeq) {
      fx.push(log(`admin-sync: ${peer} applied only up to ${m.lastApplied} of ours (acked ${s.ackedSeq}): it lost its state, resending`));
      s.ackedSeq = m.lastApplied;
    } else acked(s, fx, m.lastApplied);
    if (peerOlder(s) && unackedCount(s) > 0) fx.push(log(`admin-sync: ${peer} runs ${m.version}, older than ${cfg.version}: changes held`));
    for (const x of s.own) if (x.seq > s.ackedSeq) send(s, fx, x);
    // After the changes they take into account: the secondary applies a verdict only once it has those.
    if (decides) for (const x of s.conflicts) if (!x.converged) sendVerdict(s, fx, x);
    decideOpen(s, fx);
    updateVersion(s, fx);
    updateLag(s, fx, nowMs);
  }

  const helloMsg = (s: AdminSyncSnapshot) =>
    ({ t: 'as-hello', node: cfg.node, role: s.role, lastApplied: s.peerApplied, version: cfg.version }) as const;

  function receive(
    s: AdminSyncSnapshot,
    fx: Fx,
    c: AdminConn,
    m: { origin: CmsName; seq: number; object: string; value: string },
    nowMs: number,
  ): void {
    if (m.origin !== peer) {
      fx.push(log(`admin change ${m.seq} of origin ${m.origin} ignored: only ${peer}'s changes are applied here`));
      return;
    }
    if (peerNewer(s)) {
      // A newer sender holds its changes for us; one that arrives anyway is not read, and not acked (it stays queued).
      fx.push(log(`admin change ${m.seq} of ${peer} (version ${s.peerVersion}) not read: this CMS runs the older ${cfg.version}`));
      return;
    }
    if (m.seq === s.peerApplied + 1) {
      s.peerApplied = m.seq;
      fx.push(emit({ type: 'admin', action: 'applied', origin: peer, changeSeq: m.seq, object: m.object }));
      const mineUnacked = s.own.some((x) => x.seq > s.ackedSeq && x.object === m.object);
      if (mineUnacked || open(s, m.object) !== undefined) conflict(s, fx, m, nowMs);
      else s.objects[m.object] = { value: m.value, origin: peer, changeSeq: m.seq };
    } else if (m.seq <= s.peerApplied) {
      fx.push(emit({ type: 'admin', action: 'duplicate-ignored', origin: peer, changeSeq: m.seq, object: m.object }));
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
          updateConflictAlarm(s, fx);
          updateLag(s, fx, nowMs);
          break;
        case 'role': {
          s.role = input.role;
          // Tell the peer at once: it may be the only path left for DUAL_ACTIVE detection.
          const l = link(s);
          if (l !== undefined) fx.push({ type: 'send', conn: l.conn, msg: { t: 'ka', role: s.role } });
          decideOpen(s, fx);
          break;
        }
        case 'contact':
          s.contact = input.up;
          decideOpen(s, fx);
          break;
        case 'change': {
          const refusal = changeRefusal(s, input.object);
          if (refusal !== null) {
            fx.push(log(`admin change refused: ${refusal}`));
            break;
          }
          const c = { seq: s.lastSeq + 1, object: input.object, value: input.value, madeMs: nowMs };
          s.lastSeq = c.seq;
          s.own.push(c);
          s.objects[c.object] = { value: c.value, origin: cfg.node, changeSeq: c.seq };
          fx.push(emit({ type: 'admin', action: 'changed', origin: cfg.node, changeSeq: c.seq, object: c.object }));
          if (canSend(s) !== undefined) send(s, fx, c);
          else fx.push(emit({ type: 'admin', action: 'queued', origin: cfg.node, changeSeq: c.seq, object: c.object }));
          updateVersion(s, fx);
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
          fx.push({ type: 'send', conn: c.conn, msg: helloMsg(s) });
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
          else if (m.t === 'as-change') receive(s, fx, c, m, nowMs);
          else if (m.t === 'as-ack' && m.origin === cfg.node) {
            acked(s, fx, m.seq);
            updateVersion(s, fx);
            updateLag(s, fx, nowMs);
          } else if (m.t === 'as-resolve') verdict(s, fx, c, m, nowMs);
          else if (m.t === 'as-resolved' && decides) {
            const x = open(s, m.object);
            if (x !== undefined && x.winner !== null && x.secondary.seq === m.secondarySeq) {
              x.converged = true;
              updateConflictAlarm(s, fx);
            }
          } else if (m.t === 'ka' && m.role !== undefined) {
            s.peerRole = m.role;
            fx.push({ type: 'peer-role', role: m.role, via: 'admin-sync keep-alive' });
            decideOpen(s, fx);
          }
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
  const isCms = (x: unknown): x is CmsName => x === 'cms-primary' || x === 'cms-secondary';
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const d = v as Record<string, unknown>;
  if (d['origin'] !== node) bad(`origin ${JSON.stringify(d['origin'])} is not this node (${node}): another CMS's data folder?`);
  for (const f of ['lastSeq', 'ackedSeq', 'peerApplied']) if (!isCount(d[f])) bad(`${f} ${JSON.stringify(d[f])} is not a count`);
  const own = d['own'];
  if (!Array.isArray(own)) return bad('own is not a list');
  let last = 0;
  const changes: AdminChange[] = [];
  for (const c of own as unknown[]) {
    const x = c as Record<string, unknown> | null;
    // A log written before changes were objects holds { seq, change }: the text is both object and value.
    const legacy = x !== null && typeof x === 'object' && typeof x['change'] === 'string' && x['object'] === undefined;
    const object = legacy ? x['change'] : x?.['object'];
    const value = legacy ? x['change'] : x?.['value'];
    if (
      x === null ||
      typeof x !== 'object' ||
      !isCount(x['seq']) ||
      x['seq'] <= last ||
      typeof object !== 'string' ||
      typeof value !== 'string'
    )
      bad(`own change ${JSON.stringify(c)} is not { seq, object, value } in increasing order`);
    last = x?.['seq'] as number;
    changes.push({ seq: last, object: object as string, value: value as string });
  }
  const lastSeq = d['lastSeq'] as number;
  const ackedSeq = d['ackedSeq'] as number;
  if (ackedSeq > lastSeq || last > lastSeq) bad(`ackedSeq ${ackedSeq} / own log beyond lastSeq ${lastSeq}`);
  const objects = (d['objects'] ?? {}) as unknown;
  if (typeof objects !== 'object' || objects === null || Array.isArray(objects)) return bad('objects is not a map');
  for (const [k, o] of Object.entries(objects as Record<string, unknown>)) {
    const x = o as Record<string, unknown> | null;
    if (x === null || typeof x !== 'object' || typeof x['value'] !== 'string' || !isCms(x['origin']) || !isCount(x['changeSeq']))
      bad(`object ${JSON.stringify(k)}: ${JSON.stringify(o)} is not { value, origin, changeSeq }`);
  }
  const conflicts = (d['conflicts'] ?? []) as unknown;
  if (!Array.isArray(conflicts)) return bad('conflicts is not a list');
  const side = (x: unknown): boolean =>
    typeof x === 'object' && x !== null && typeof (x as SideValue).value === 'string' && isCount((x as SideValue).seq);
  for (const c of conflicts as unknown[]) {
    const x = c as Record<string, unknown> | null;
    if (
      x === null ||
      typeof x !== 'object' ||
      typeof x['object'] !== 'string' ||
      !side(x['primary']) ||
      !side(x['secondary']) ||
      !(x['winner'] === null || isCms(x['winner'])) ||
      typeof x['converged'] !== 'boolean' ||
      typeof x['atMs'] !== 'number'
    )
      bad(`conflict ${JSON.stringify(c)} is not a conflict record`);
  }
  return {
    origin: node,
    own: changes,
    lastSeq,
    ackedSeq,
    peerApplied: d['peerApplied'] as number,
    objects: objects as Record<string, ObjectValue>,
    conflicts: conflicts as AdminConflict[],
  };
}
