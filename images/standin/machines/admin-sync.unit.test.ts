// Fake-clock tests of Admin-Sync: symmetric push over one connection, queue while down, drain in order on
// reconnect, nothing lost or applied twice across restarts (persisted state), ADMIN_SYNC_LAG, silence, redial,
// object values, conflicts after a split brain, versions.

import { expect } from 'chai';
import {
  adminSyncMachine,
  changeRefusal,
  checkAdminDurable,
  decidedConflicts,
  initialAdminSync,
  unackedCount,
  unresolvedObjects,
  type AdminDurable,
  type AdminNotice,
  type AdminSyncInput,
  type AdminSyncSnapshot,
} from './admin-sync.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import { Sim, only } from '../test-support/sim.js';
import type { CmsName, HaRole } from '../../protocol/index.js';
import type { WireMsg } from '../wire.js';

const TIMERS = { keepaliveIntervalMs: 100, keepaliveMisses: 3 };
type Cms = Sim<AdminSyncSnapshot, AdminSyncInput, AdminNotice>;

/** A started CMS, optionally restarted from the state it persisted. */
function cms(
  node: CmsName,
  saved?: AdminDurable,
  startMs = 0,
  role: HaRole = node === 'cms-primary' ? 'ACTIVE' : 'STANDBY',
  version = '16.4.0',
  plants: Plants = NO_PLANTS,
): Cms {
  const s = new Sim<AdminSyncSnapshot, AdminSyncInput, AdminNotice>(
    adminSyncMachine({ node, timers: TIMERS, version, plants }),
    initialAdminSync(node, role, saved),
    startMs,
  );
  s.input({ type: 'start' });
  return s;
}

/** What the CMS last wrote to disk. */
function saved(s: Cms): AdminDurable {
  const p = s.effects('persist').at(-1);
  if (p === undefined) throw new Error('nothing persisted');
  return p.durable;
}

/** Carries messages both ways (primary conn c <-> secondary conn -c) until both are quiet: a perfect link. */
function pump(p: Cms, s: Cms, fromP: Array<{ type: string }>, fromS: Array<{ type: string }> = []): void {
  let queue: Array<{ to: Cms; conn: number; msg: WireMsg }> = [];
  const collect = (to: Cms, effects: Array<{ type: string }>): void => {
    for (const e of effects) {
      if (e.type !== 'send') continue;
      const x = e as unknown as { conn: number; msg: WireMsg };
      queue.push({ to, conn: -x.conn, msg: x.msg });
    }
  };
  collect(s, fromP);
  collect(p, fromS);
  for (let guard = 0; queue.length > 0 && guard < 1_000; guard++) {
    const batch = queue;
    queue = [];
    for (const q of batch) {
      q.to.nowMs = Math.max(p.nowMs, s.nowMs);
      collect(q.to === s ? p : s, q.to.input({ type: 'message', conn: q.conn, msg: q.msg }));
    }
  }
}

/** The primary's pending dial is accepted by the secondary and both say hello. */
function connect(p: Cms, s: Cms): void {
  const conn = p.state.conns[0]?.conn as number;
  s.nowMs = p.nowMs = Math.max(p.nowMs, s.nowMs);
  s.input({ type: 'accepted', conn: -conn, port: 6001 });
  pump(p, s, p.input({ type: 'connected', conn }));
}

/** Both ends learn the connection is gone (a reset). */
function cut(p: Cms, s: Cms): void {
  const conn = p.state.conns[0]?.conn as number;
  p.input({ type: 'closed', conn, reason: 'reset' });
  s.input({ type: 'closed', conn: -conn, reason: 'reset' });
}

function change(from: Cms, to: Cms, object: string, value = object): void {
  const fx = from.input({ type: 'change', object, value });
  if (from.state.node === 'cms-primary') pump(from, to, fx);
  else pump(to, from, [], fx);
}

const actions = (s: Cms, action?: string): Array<[string, string, number]> =>
  s
    .events('admin')
    .filter((e) => action === undefined || e.action === action)
    .map((e) => [e.action, e.origin, e.changeSeq]);

describe('Admin-Sync', () => {
  it('sends a change at once when the link is up; the peer applies it and acks', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'add skill 12');
    expect(actions(p)).to.deep.equal([
      ['changed', 'cms-primary', 1],
      ['sent', 'cms-primary', 1],
      ['acked', 'cms-primary', 1],
    ]);
    expect(actions(s)).to.deep.equal([['applied', 'cms-primary', 1]]);
    expect(p.state.ackedSeq).to.equal(1);
    expect(p.events('alarm')).to.deep.equal([]);
  });

  it('says hello both ways on connect with role and lastApplied, and reports admin-link up and down on each side', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    const dial = only(
      p.log.map((l) => l.effect),
      'dial',
    )[0];
    expect(dial).to.include({ link: 'admin-sync' });
    s.input({ type: 'accepted', conn: -1, port: 6001 });
    const hello = only(p.input({ type: 'connected', conn: 1 }), 'send')[0]?.msg;
    expect(hello).to.deep.equal({ t: 'as-hello', node: 'cms-primary', role: 'ACTIVE', lastApplied: 0, version: '16.4.0' });
    const answer = only(s.input({ type: 'message', conn: -1, msg: hello as WireMsg }), 'send')[0]?.msg;
    expect(answer).to.deep.equal({ t: 'as-hello', node: 'cms-secondary', role: 'STANDBY', lastApplied: 0, version: '16.4.0' });
    p.input({ type: 'message', conn: 1, msg: answer as WireMsg });
    expect(p.events('admin-link')).to.deep.equal([
      {
        type: 'admin-link',
        up: true,
        peer: 'cms-secondary',
        reason: 'hello exchanged: cms-secondary applied up to 0, runs 16.4.0',
        atMs: 0,
      },
    ]);
    expect(s.events('admin-link')[0]).to.include({ up: true, peer: 'cms-primary' });
    p.nowMs = s.nowMs = 10;
    cut(p, s);
    expect(p.events('admin-link').at(-1)).to.include({ up: false, peer: 'cms-secondary', reason: 'reset', atMs: 10 });
    expect(s.events('admin-link').at(-1)).to.include({ up: false, peer: 'cms-primary', reason: 'reset' });
  });

  it('accepts changes on the secondary and pushes them to the primary over the same connection (origin cms-secondary)', () => {
    const p = cms('cms-primary', undefined, 0, 'STANDBY');
    const s = cms('cms-secondary', undefined, 0, 'ACTIVE');
    connect(p, s);
    change(s, p, 'add vdn 4001');
    change(s, p, 'add vdn 4002');
    expect(actions(s, 'changed')).to.deep.equal([
      ['changed', 'cms-secondary', 1],
      ['changed', 'cms-secondary', 2],
    ]);
    expect(actions(p)).to.deep.equal([
      ['applied', 'cms-secondary', 1],
      ['applied', 'cms-secondary', 2],
    ]);
    expect([s.state.ackedSeq, p.state.peerApplied]).to.deep.equal([2, 2]);
    expect(
      only(
        s.log.map((l) => l.effect),
        'dial',
      ),
      'the secondary never dials',
    ).to.have.length(0);
  });

  it('in a split brain both accept changes, each under its own origin; after the heal each applies the other’s, none twice', () => {
    const p = cms('cms-primary', undefined, 0, 'ACTIVE');
    const s = cms('cms-secondary', undefined, 0, 'ACTIVE');
    connect(p, s);
    change(p, s, 'p1');
    cut(p, s);
    p.input({ type: 'change', object: 'p2', value: 'p2' });
    s.input({ type: 'change', object: 's1', value: 's1' });
    s.input({ type: 'change', object: 's2', value: 's2' });
    p.advanceTo(100);
    s.nowMs = 100;
    connect(p, s);
    expect(actions(s, 'applied')).to.deep.equal([
      ['applied', 'cms-primary', 1],
      ['applied', 'cms-primary', 2],
    ]);
    expect(actions(p, 'applied')).to.deep.equal([
      ['applied', 'cms-secondary', 1],
      ['applied', 'cms-secondary', 2],
    ]);
    expect([unackedCount(p.state), unackedCount(s.state)]).to.deep.equal([0, 0]);
  });

  it('queues changes while the link is down with ADMIN_SYNC_LAG, drains them in order on reconnect, and clears the alarm', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    p.nowMs = s.nowMs = 50;
    cut(p, s);
    for (const c of ['a', 'b', 'c']) p.input({ type: 'change', object: c, value: c });
    expect(actions(p, 'queued').map((a) => a[2])).to.deep.equal([1, 2, 3]);
    expect(p.events('alarm')[0]).to.include({ alarm: 'ADMIN_SYNC_LAG', raised: true });
    expect(unackedCount(p.state)).to.equal(3);
    // Redial keepaliveIntervalMs after the failure, not before.
    expect(only(p.advanceTo(149), 'dial')).to.have.length(0);
    expect(only(p.advanceTo(150), 'dial')).to.have.length(1);
    connect(p, s);
    expect(actions(s)).to.deep.equal([
      ['applied', 'cms-primary', 1],
      ['applied', 'cms-primary', 2],
      ['applied', 'cms-primary', 3],
    ]);
    expect(unackedCount(p.state)).to.equal(0);
    expect(p.events('alarm').map((a) => a.raised)).to.deep.equal([true, false]);
  });

  it('clears ADMIN_SYNC_LAG only when every own change is acknowledged, not on a partial ack', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    cut(p, s);
    p.input({ type: 'change', object: 'a', value: 'a' });
    p.input({ type: 'change', object: 'b', value: 'b' });
    p.advanceTo(100);
    const conn = p.state.conns[0]?.conn as number;
    p.input({ type: 'connected', conn });
    p.input({ type: 'message', conn, msg: { t: 'as-hello', node: 'cms-secondary', role: 'STANDBY', lastApplied: 0, version: '16.4.0' } });
    p.input({ type: 'message', conn, msg: { t: 'as-ack', origin: 'cms-primary', seq: 1 } });
    expect(p.state.lagAlarm).to.equal(true);
    p.input({ type: 'message', conn, msg: { t: 'as-ack', origin: 'cms-primary', seq: 2 } });
    expect(p.state.lagAlarm).to.equal(false);
    expect(actions(p, 'acked').map((a) => a[2])).to.deep.equal([1, 2]);
  });

  it('resends every unacked change after a reconnect; the peer ignores what it already applied (nothing twice)', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    // The change reaches the secondary but the ack is lost with the connection.
    p.input({ type: 'change', object: 'x', value: 'x' });
    s.input({ type: 'message', conn: -1, msg: { t: 'as-change', origin: 'cms-primary', seq: 1, object: 'x', value: 'x' } });
    p.input({ type: 'closed', conn: 1, reason: 'reset' });
    p.input({ type: 'change', object: 'y', value: 'y' });
    p.advanceTo(100);
    connect(p, s);
    expect(actions(s)).to.deep.equal([
      ['applied', 'cms-primary', 1],
      ['applied', 'cms-primary', 2],
    ]);
    expect(p.state.ackedSeq).to.equal(2);
    // A change that crosses the hello (sent again by an old connection) is ignored.
    const fx = s.input({ type: 'message', conn: -2, msg: { t: 'as-change', origin: 'cms-primary', seq: 2, object: 'y', value: 'y' } });
    expect(actions(s).at(-1)).to.deep.equal(['duplicate-ignored', 'cms-primary', 2]);
    expect(only(fx, 'send')[0]?.msg).to.deep.equal({ t: 'as-ack', origin: 'cms-primary', seq: 2 });
  });

  it('keeps its queue and numbering across a restart of the primary (persisted): nothing lost', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    for (const c of ['a', 'b', 'c']) change(p, s, c);
    cut(p, s);
    p.input({ type: 'change', object: 'd', value: 'd' });
    p.input({ type: 'change', object: 'e', value: 'e' });
    // Killed with two changes queued; a new process starts from what it wrote to disk.
    const p2 = cms('cms-primary', saved(p), 1_000, 'STANDBY');
    expect(p2.state.lagAlarm, 'a restarted CMS with a queue and no link raises the alarm at once').to.equal(true);
    s.nowMs = 1_000;
    connect(p2, s);
    expect(actions(s, 'applied').map((a) => a[2])).to.deep.equal([1, 2, 3, 4, 5]);
    expect(s.state.peerApplied).to.equal(5);
    p2.input({ type: 'role', role: 'ACTIVE' });
    change(p2, s, 'f');
    expect(actions(p2, 'changed')).to.deep.equal([['changed', 'cms-primary', 6]]);
    expect(actions(s, 'applied').at(-1)).to.deep.equal(['applied', 'cms-primary', 6]);
  });

  it('keeps lastApplied across a restart of the secondary (persisted): a change whose ack was lost is not applied twice', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'a');
    // b is applied on the secondary, then it dies before its ack reaches the primary.
    p.input({ type: 'change', object: 'b', value: 'b' });
    s.input({ type: 'message', conn: -1, msg: { t: 'as-change', origin: 'cms-primary', seq: 2, object: 'b', value: 'b' } });
    p.input({ type: 'closed', conn: 1, reason: 'reset' });
    const s2 = cms('cms-secondary', saved(s), 200);
    p.advanceTo(200);
    connect(p, s2);
    expect(actions(s2, 'applied'), 'nothing applied again').to.deep.equal([]);
    expect(s2.state.peerApplied).to.equal(2);
    expect(p.state.ackedSeq).to.equal(2);
    change(p, s2, 'c');
    expect(actions(s2, 'applied')).to.deep.equal([['applied', 'cms-primary', 3]]);
  });

  it('keeps its own queue on the secondary across its restart and resends it to the primary', () => {
    const p = cms('cms-primary', undefined, 0, 'STANDBY');
    const s = cms('cms-secondary', undefined, 0, 'ACTIVE');
    connect(p, s);
    cut(p, s);
    s.input({ type: 'change', object: 's1', value: 's1' });
    const s2 = cms('cms-secondary', saved(s), 100, 'STANDBY');
    p.advanceTo(100);
    connect(p, s2);
    expect(actions(p, 'applied')).to.deep.equal([['applied', 'cms-secondary', 1]]);
    expect(s2.state.ackedSeq).to.equal(1);
  });

  it('writes its durable state before the effects that depend on it (before the ack, before the change is reported)', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    const made = p.input({ type: 'change', object: 'a', value: 'a' });
    expect(made[0]).to.deep.include({ type: 'persist' });
    expect(only(made, 'persist')[0]?.durable).to.deep.equal({
      origin: 'cms-primary',
      own: [{ seq: 1, object: 'a', value: 'a' }],
      lastSeq: 1,
      ackedSeq: 0,
      peerApplied: 0,
      objects: { a: { value: 'a', origin: 'cms-primary', changeSeq: 1 } },
      conflicts: [],
    });
    const applied = s.input({ type: 'message', conn: -1, msg: { t: 'as-change', origin: 'cms-primary', seq: 1, object: 'a', value: 'a' } });
    expect(applied.map((e) => e.type)).to.deep.equal(['persist', 'emit', 'send']);
    expect(only(applied, 'persist')[0]?.durable.peerApplied).to.equal(1);
    // A keep-alive changes nothing durable: nothing is written.
    expect(only(s.input({ type: 'message', conn: -1, msg: { t: 'ka', role: 'ACTIVE' } }), 'persist')).to.deep.equal([]);
  });

  it('brings a peer that lost its state (started without a data folder) up to date from the lastApplied it reports', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'x');
    cut(p, s);
    p.advanceTo(100);
    const fresh = cms('cms-secondary', undefined, 100);
    connect(p, fresh);
    expect(fresh.state.peerApplied).to.equal(1);
  });

  it('continues the numbering after the peer’s lastApplied when it lost its own (started without a data folder)', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'a');
    change(p, s, 'b');
    s.input({ type: 'closed', conn: -1, reason: 'reset' });
    const restarted = cms('cms-primary');
    connect(restarted, s);
    change(restarted, s, 'c');
    expect(s.state.peerApplied).to.equal(3);
    expect(actions(s).map((a) => a[0])).to.deep.equal(['applied', 'applied', 'applied']);
  });

  it('renumbers changes made before the first hello when it lost its own numbering, so the peer does not ignore them', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'a');
    change(p, s, 'b');
    s.input({ type: 'closed', conn: -1, reason: 'reset' });
    const restarted = cms('cms-primary');
    restarted.input({ type: 'change', object: 'c', value: 'c' });
    connect(restarted, s);
    expect(actions(s, 'applied').map((a) => a[2])).to.deep.equal([1, 2, 3]);
    expect([restarted.state.lastSeq, restarted.state.ackedSeq]).to.deep.equal([3, 3]);
  });

  it('raises ADMIN_SYNC_LAG when the oldest unacked change is 2·keepaliveInterval old on an up link, not 1 ms before', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    p.input({ type: 'change', object: 'slow', value: 'slow' });
    // The link stays up (keep-alives arrive) but the ack never comes.
    for (let ms = 50; ms < 200; ms += 50) {
      p.advanceTo(ms);
      p.input({ type: 'message', conn: 1, msg: { t: 'ka', role: 'STANDBY' } });
    }
    p.advanceTo(199);
    expect(p.state.lagAlarm).to.equal(false);
    p.advanceTo(200);
    expect(p.state.lagAlarm).to.equal(true);
    p.input({ type: 'message', conn: 1, msg: { t: 'as-ack', origin: 'cms-primary', seq: 1 } });
    expect(p.state.lagAlarm).to.equal(false);
  });

  it('applies only seq == lastApplied + 1 and drops a change that skips ahead', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    const fx = s.input({ type: 'message', conn: -1, msg: { t: 'as-change', origin: 'cms-primary', seq: 2, object: 'z', value: 'z' } });
    expect(s.state.peerApplied).to.equal(0);
    expect(only(fx, 'send')[0]?.msg).to.deep.equal({ t: 'as-ack', origin: 'cms-primary', seq: 0 });
  });

  it('keeps one connection: a new hello on the secondary replaces the old session', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    // The primary lost the connection (its side was reset); the secondary has not noticed yet.
    p.input({ type: 'closed', conn: 1, reason: 'reset' });
    p.advanceTo(100);
    s.nowMs = 100;
    s.input({ type: 'accepted', conn: -2, port: 6001 });
    pump(p, s, p.input({ type: 'connected', conn: 2 }));
    expect(s.effects('close').map((c) => c.conn)).to.deep.equal([-1]);
    expect(s.state.conns.map((c) => c.conn)).to.deep.equal([-2]);
    change(p, s, 'a');
    expect(actions(s, 'applied')).to.deep.equal([['applied', 'cms-primary', 1]]);
  });

  it('declares a silent admin-sync link down at keepaliveMisses x keepaliveInterval and reports peer roles from hellos and keep-alives', () => {
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    expect(p.effects('peer-role')[0]).to.include({ role: 'STANDBY' });
    expect(s.effects('peer-role')[0]).to.include({ role: 'ACTIVE' });
    p.advanceTo(299);
    expect(p.state.conns[0]?.up).to.equal(true);
    expect(only(p.advanceTo(300), 'close')).to.have.length(1);
    expect(p.state.conns).to.deep.equal([]);
    expect(p.events('admin-link').at(-1)).to.include({ up: false, reason: 'silent for 300 ms' });
    const ka = s.input({ type: 'role', role: 'ACTIVE' });
    expect(only(ka, 'send')[0]?.msg).to.deep.equal({ t: 'ka', role: 'ACTIVE' });
  });

  it('trusts a saved state read back from disk only when it is whole and this node’s own', () => {
    const p = cms('cms-primary');
    p.input({ type: 'change', object: 'a', value: 'a' });
    const durable = JSON.parse(JSON.stringify(saved(p))) as unknown;
    expect(checkAdminDurable(durable, 'cms-primary')).to.deep.equal(saved(p));
    expect(() => checkAdminDurable(durable, 'cms-secondary')).to.throw(/origin "cms-primary" is not this node \(cms-secondary\)/);
    expect(() => checkAdminDurable({ ...saved(p), own: [{ seq: 1 }] }, 'cms-primary')).to.throw(/own change/);
    expect(() => checkAdminDurable({ ...saved(p), conflicts: [{ object: 'a' }] }, 'cms-primary')).to.throw(
      /conflict .* is not a conflict record/,
    );
    // Written before changes were objects: the change text is both.
    const legacy = { origin: 'cms-primary', own: [{ seq: 1, change: 'add vdn 1' }], lastSeq: 1, ackedSeq: 0, peerApplied: 0 };
    expect(checkAdminDurable(legacy, 'cms-primary')).to.deep.include({
      own: [{ seq: 1, object: 'add vdn 1', value: 'add vdn 1' }],
      objects: {},
    });
    expect(() => checkAdminDurable({ ...saved(p), ackedSeq: 2 }, 'cms-primary')).to.throw(/beyond lastSeq 1/);
  });
});

describe('Admin-Sync: objects and conflicts', () => {
  /** Both ACTIVE, connected, then cut: a split brain in which each side changes `object`. */
  function splitBrain(object: string, primaryValue: string, secondaryValue: string): { p: Cms; s: Cms } {
    const p = cms('cms-primary', undefined, 0, 'ACTIVE');
    const s = cms('cms-secondary', undefined, 0, 'ACTIVE');
    connect(p, s);
    change(p, s, object, 'before');
    cut(p, s);
    p.input({ type: 'change', object, value: primaryValue });
    s.input({ type: 'change', object, value: secondaryValue });
    p.advanceTo(100);
    s.nowMs = 100;
    return { p, s };
  }
  const conflictEvents = (x: Cms) => x.events('admin-conflict').map(({ atMs: _atMs, type: _type, ...e }) => e);
  const conflictAlarm = (x: Cms) =>
    x
      .events('alarm')
      .filter((a) => a.alarm === 'ADMIN_SYNC_CONFLICT')
      .map((a) => a.raised);

  it('holds the current value of every object, set by its own changes and the peer’s, and keeps it across a restart', () => {
    // Old behaviour: a change was an opaque text; no CMS knew any object's value.
    const p = cms('cms-primary');
    const s = cms('cms-secondary');
    connect(p, s);
    change(p, s, 'vdn 4001', 'skill 12');
    change(p, s, 'vdn 4002', 'skill 13');
    change(p, s, 'vdn 4001', 'skill 14');
    const want = {
      'vdn 4001': { value: 'skill 14', origin: 'cms-primary', changeSeq: 3 },
      'vdn 4002': { value: 'skill 13', origin: 'cms-primary', changeSeq: 2 },
    };
    expect(p.state.objects).to.deep.equal(want);
    expect(s.state.objects).to.deep.equal(want);
    expect(cms('cms-secondary', saved(s), 500).state.objects).to.deep.equal(want);
    expect(s.events('admin').map((e) => e.object)).to.deep.equal(['vdn 4001', 'vdn 4002', 'vdn 4001']);
  });

  it('raises ADMIN_SYNC_CONFLICT on both when an object changed on both during a split brain, and both converge on the primary’s value when both stay ACTIVE', () => {
    // Old behaviour: both applied the other's change; each ended holding the other's value, silently.
    const { p, s } = splitBrain('vdn 4001', 'skill 1', 'skill 2');
    p.input({ type: 'contact', up: true });
    connect(p, s);
    expect(p.state.objects['vdn 4001']).to.include({ value: 'skill 1', origin: 'cms-primary' });
    expect(s.state.objects['vdn 4001']).to.include({ value: 'skill 1', origin: 'cms-primary' });
    const record = { object: 'vdn 4001', value: 'skill 1', lost: 'skill 2', winner: 'cms-primary', loser: 'cms-secondary', atMs: 100 };
    expect(decidedConflicts(p.state)).to.deep.equal([record]);
    expect(decidedConflicts(s.state)).to.deep.equal([record]);
    expect(conflictEvents(s)).to.deep.equal([
      { phase: 'detected', object: 'vdn 4001', own: 'skill 2', peer: 'skill 1' },
      { phase: 'resolved', object: 'vdn 4001', value: 'skill 1', lost: 'skill 2', winner: 'cms-primary', loser: 'cms-secondary' },
    ]);
    expect(conflictEvents(p)).to.deep.equal([
      { phase: 'detected', object: 'vdn 4001', own: 'skill 1', peer: 'skill 2' },
      { phase: 'resolved', object: 'vdn 4001', value: 'skill 1', lost: 'skill 2', winner: 'cms-primary', loser: 'cms-secondary' },
    ]);
    expect(
      p.effects('send').filter((x) => x.msg.t === 'as-resolve'),
      'one verdict',
    ).to.have.length(1);
    expect(conflictAlarm(p), 'raised, cleared once the secondary holds the verdict').to.deep.equal([true, false]);
    expect(conflictAlarm(s)).to.deep.equal([true, false]);
    expect(
      actions(s, 'applied').map((a) => a[2]),
      'every change is still taken in exactly once',
    ).to.deep.equal([1, 2]);
    expect([unackedCount(p.state), unackedCount(s.state)]).to.deep.equal([0, 0]);
  });

  it('waits for heartbeat contact to decide, then converges on the secondary’s value when the returning primary holds STANDBY', () => {
    const { p, s } = splitBrain('vdn 4001', 'skill 1', 'skill 2');
    connect(p, s);
    expect(unresolvedObjects(p.state)).to.deep.equal(['vdn 4001']);
    expect(unresolvedObjects(s.state)).to.deep.equal(['vdn 4001']);
    expect([p.state.conflictAlarm, s.state.conflictAlarm]).to.deep.equal([true, true]);
    expect(changeRefusal(p.state, 'vdn 4001')).to.match(/in a conflict not resolved yet \(waiting for a decision\)/);
    expect(changeRefusal(p.state, 'vdn 9')).to.equal(null);
    // The heartbeat heals: the return policy (hold-standby) makes the primary STANDBY, then contact.
    p.nowMs = s.nowMs = 200;
    pump(p, s, p.input({ type: 'role', role: 'STANDBY' }));
    pump(p, s, p.input({ type: 'contact', up: true }));
    expect(p.state.objects['vdn 4001']).to.include({ value: 'skill 2', origin: 'cms-secondary' });
    expect(s.state.objects['vdn 4001']).to.include({ value: 'skill 2', origin: 'cms-secondary' });
    expect(decidedConflicts(s.state)[0]).to.include({ value: 'skill 2', lost: 'skill 1', winner: 'cms-secondary' });
    expect([p.state.conflictAlarm, s.state.conflictAlarm]).to.deep.equal([false, false]);
  });

  it('takes a later change of the secondary to the object into account: it applies only the verdict that covers its newest change', () => {
    const { p, s } = splitBrain('vdn 4001', 'skill 1', 'skill 2');
    s.input({ type: 'change', object: 'vdn 4001', value: 'skill 3' });
    p.input({ type: 'contact', up: true });
    connect(p, s);
    expect(s.state.objects['vdn 4001']?.value).to.equal('skill 1');
    expect(decidedConflicts(p.state)).to.deep.equal([
      { object: 'vdn 4001', value: 'skill 1', lost: 'skill 3', winner: 'cms-primary', loser: 'cms-secondary', atMs: 100 },
    ]);
    expect(s.events('admin-conflict').filter((e) => e.phase === 'resolved')).to.have.length(1);
    expect([p.state.conflictAlarm, s.state.conflictAlarm]).to.deep.equal([false, false]);
  });

  it('keeps an unresolved conflict across a restart of the secondary and resolves it when the verdict comes', () => {
    const { p, s } = splitBrain('vdn 4001', 'skill 1', 'skill 2');
    connect(p, s);
    cut(p, s);
    const s2 = cms('cms-secondary', saved(s), 300, 'ACTIVE');
    expect(unresolvedObjects(s2.state)).to.deep.equal(['vdn 4001']);
    expect(s2.state.conflictAlarm, 'raised again at the start').to.equal(true);
    p.input({ type: 'contact', up: true });
    p.advanceTo(300);
    connect(p, s2);
    expect(s2.state.objects['vdn 4001']?.value).to.equal('skill 1');
    expect([p.state.conflictAlarm, s2.state.conflictAlarm]).to.deep.equal([false, false]);
  });

  it('answers a verdict sent again after a lost answer without recording the conflict twice', () => {
    const { p, s } = splitBrain('vdn 4001', 'skill 1', 'skill 2');
    p.input({ type: 'contact', up: true });
    const conn = p.state.conns[0]?.conn as number;
    s.input({ type: 'accepted', conn: -conn, port: 6001 });
    // Carries everything both ways except the secondary's as-resolved: the connection breaks before it arrives.
    let toS = only(p.input({ type: 'connected', conn }), 'send');
    for (let guard = 0; guard < 20 && toS.length > 0; guard++) {
      const next: typeof toS = [];
      for (const e of toS)
        for (const back of only(s.input({ type: 'message', conn: -e.conn, msg: e.msg }), 'send'))
          if (back.msg.t !== 'as-resolved') next.push(...only(p.input({ type: 'message', conn, msg: back.msg }), 'send'));
      toS = next;
    }
    expect([p.state.conflictAlarm, s.state.conflictAlarm]).to.deep.equal([true, false]);
    cut(p, s);
    p.advanceTo(200);
    s.nowMs = 200;
    connect(p, s);
    expect([p.state.conflictAlarm, s.state.conflictAlarm]).to.deep.equal([false, false]);
    expect([p.state.conflicts.length, s.state.conflicts.length]).to.deep.equal([1, 1]);
  });

  it('records no conflict for changes to different objects, nor for a change made after the peer’s was applied', () => {
    const { p, s } = splitBrain('vdn 1', 'a', 'b');
    p.input({ type: 'contact', up: true });
    connect(p, s);
    change(s, p, 'vdn 1', 'c');
    change(p, s, 'vdn 2', 'x');
    expect(p.state.conflicts).to.have.length(1);
    expect([p.state.objects['vdn 1']?.value, s.state.objects['vdn 1']?.value]).to.deep.equal(['c', 'c']);
  });
});

describe('Admin-Sync: versions', () => {
  it('holds changes for a peer on an older version with ADMIN_SYNC_VERSION on the sender, and drains them in order once the peer returns upgraded', () => {
    // Old behaviour: versions were unknown; a newer CMS's changes went to an older one that could not read them.
    const p = cms('cms-primary', undefined, 0, 'ACTIVE', '16.5.0');
    const s = cms('cms-secondary', undefined, 0, 'STANDBY', '16.4.0');
    connect(p, s);
    change(p, s, 'a');
    change(p, s, 'b');
    expect(actions(p).map((a) => a[0])).to.deep.equal(['changed', 'queued', 'changed', 'queued']);
    expect(actions(s, 'applied')).to.deep.equal([]);
    expect(p.events('alarm').filter((a) => a.alarm === 'ADMIN_SYNC_VERSION')).to.deep.equal([
      {
        type: 'alarm',
        alarm: 'ADMIN_SYNC_VERSION',
        raised: true,
        detail: '1 admin change(s) held: cms-secondary runs 16.4.0, older than 16.5.0, and cannot read them',
        atMs: 0,
      },
    ]);
    expect(
      s.events('alarm').filter((a) => a.alarm === 'ADMIN_SYNC_VERSION'),
      'the older side holds nothing',
    ).to.deep.equal([]);
    // The secondary is stopped and started on the new image.
    cut(p, s);
    const upgraded = cms('cms-secondary', undefined, 100, 'STANDBY', '16.5.0');
    p.advanceTo(100);
    connect(p, upgraded);
    expect(actions(upgraded, 'applied').map((a) => a[2])).to.deep.equal([1, 2]);
    expect(p.state.versionAlarm).to.equal(false);
    expect(
      p
        .events('alarm')
        .filter((a) => a.alarm === 'ADMIN_SYNC_VERSION')
        .map((a) => a.raised),
    ).to.deep.equal([true, false]);
  });

  it('applies changes from an older version, and holds its own for the older peer', () => {
    const p = cms('cms-primary', undefined, 0, 'ACTIVE', '16.4.0');
    const s = cms('cms-secondary', undefined, 0, 'ACTIVE', '16.10.0');
    connect(p, s);
    change(p, s, 'from old');
    change(s, p, 'from new');
    expect(actions(s, 'applied')).to.deep.equal([['applied', 'cms-primary', 1]]);
    expect(actions(p, 'applied')).to.deep.equal([]);
    expect([p.state.versionAlarm, s.state.versionAlarm]).to.deep.equal([false, true]);
  });

  it('planted older-applies-newer: sends to the older CMS, which applies the change, and raises nothing', () => {
    const planted = new Set(['older-applies-newer'] as const);
    const p = cms('cms-primary', undefined, 0, 'ACTIVE', '16.5.0', planted);
    const s = cms('cms-secondary', undefined, 0, 'STANDBY', '16.4.0', planted);
    connect(p, s);
    change(p, s, 'a');
    expect(actions(s, 'applied')).to.deep.equal([['applied', 'cms-primary', 1]]);
    expect([p.state.versionAlarm, s.state.versionAlarm]).to.deep.equal([false, false]);
  });

  it('neither applies nor acknowledges a change from a newer version that arrives anyway', () => {
    const p = cms('cms-primary', undefined, 0, 'ACTIVE', '16.5.0');
    const s = cms('cms-secondary', undefined, 0, 'STANDBY', '16.4.0');
    connect(p, s);
    const fx = s.input({ type: 'message', conn: -1, msg: { t: 'as-change', origin: 'cms-primary', seq: 1, object: 'x', value: 'y' } });
    expect(only(fx, 'send')).to.deep.equal([]);
    expect(s.state.peerApplied).to.equal(0);
  });
});
