// Fake-clock tests of Admin-Sync: send, queue while down, drain in order on reconnect, duplicates ignored,
// ADMIN_SYNC_LAG raised and cleared, silence and reconnect cadence.

import { expect } from 'chai';
import {
  adminReceiverMachine,
  adminSenderMachine,
  initialAdminReceiver,
  initialAdminSender,
  unackedCount,
  type AdminNotice,
  type AdminReceiverInput,
  type AdminReceiverSnapshot,
  type AdminSenderInput,
  type AdminSenderSnapshot,
} from './admin-sync.js';
import { Sim, only } from '../test-support/sim.js';
import type { WireMsg } from '../wire.js';

const CFG = { timers: { keepaliveIntervalMs: 100, keepaliveMisses: 3 } };
type Sender = Sim<AdminSenderSnapshot, AdminSenderInput, AdminNotice>;
type Receiver = Sim<AdminReceiverSnapshot, AdminReceiverInput, AdminNotice>;

function sender(): Sender {
  const s = new Sim<AdminSenderSnapshot, AdminSenderInput, AdminNotice>(adminSenderMachine(CFG), initialAdminSender('ACTIVE'));
  s.input({ type: 'start' });
  return s;
}

function receiver(): Receiver {
  return new Sim<AdminReceiverSnapshot, AdminReceiverInput, AdminNotice>(adminReceiverMachine(CFG), initialAdminReceiver('STANDBY'));
}

/**
 * Wires a sender to a receiver: the sender's current connection is accepted as `-conn` and messages are
 * carried both ways until both are quiet (a perfect link).
 */
function pump(snd: Sender, rcv: Receiver, fx: Array<{ type: string }>): void {
  let queue: Array<{ to: 'snd' | 'rcv'; conn: number; msg: WireMsg }> = [];
  const collect = (from: 'snd' | 'rcv', effects: Array<{ type: string }>): void => {
    for (const e of effects) {
      if (e.type !== 'send') continue;
      const x = e as unknown as { conn: number; msg: WireMsg };
      queue.push(from === 'snd' ? { to: 'rcv', conn: -x.conn, msg: x.msg } : { to: 'snd', conn: -x.conn, msg: x.msg });
    }
  };
  collect('snd', fx);
  for (let guard = 0; queue.length > 0 && guard < 1_000; guard++) {
    const batch = queue;
    queue = [];
    for (const q of batch) {
      rcv.nowMs = snd.nowMs;
      if (q.to === 'rcv') collect('rcv', rcv.input({ type: 'message', conn: q.conn, msg: q.msg }));
      else collect('snd', snd.input({ type: 'message', conn: q.conn, msg: q.msg }));
    }
  }
}

function connect(snd: Sender, rcv: Receiver): void {
  const conn = snd.state.conn as number;
  rcv.nowMs = snd.nowMs;
  rcv.input({ type: 'accepted', conn: -conn, port: 6001 });
  pump(snd, rcv, snd.input({ type: 'connected', conn }));
}

describe('Admin-Sync', () => {
  it('sends a change at once when the link is up; the secondary applies it and acks', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    expect(snd.state.up).to.equal(true);
    pump(snd, rcv, snd.input({ type: 'change', change: 'add skill 12' }));
    expect(snd.events('admin').map((e) => [e.action, e.changeSeq])).to.deep.equal([
      ['changed', 1],
      ['sent', 1],
    ]);
    expect(rcv.events('admin').map((e) => [e.action, e.changeSeq])).to.deep.equal([['applied', 1]]);
    expect(snd.state.ackedSeq).to.equal(1);
    expect(snd.events('alarm')).to.deep.equal([]);
  });

  it('queues changes while the link is down with ADMIN_SYNC_LAG, drains them in order on reconnect, and clears the alarm', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    snd.nowMs = 50;
    snd.input({ type: 'closed', conn: 1, reason: 'reset' });
    rcv.input({ type: 'closed', conn: -1, reason: 'reset' });
    for (const c of ['a', 'b', 'c']) snd.input({ type: 'change', change: c });
    expect(
      snd
        .events('admin')
        .filter((e) => e.action === 'queued')
        .map((e) => e.changeSeq),
    ).to.deep.equal([1, 2, 3]);
    expect(snd.events('alarm')[0]).to.include({ alarm: 'ADMIN_SYNC_LAG', raised: true });
    expect(unackedCount(snd.state)).to.equal(3);
    // Reconnect keepaliveIntervalMs after the failure, not before.
    expect(only(snd.advanceTo(149), 'dial')).to.have.length(0);
    expect(only(snd.advanceTo(150), 'dial')).to.have.length(1);
    connect(snd, rcv);
    expect(rcv.events('admin').map((e) => [e.action, e.changeSeq])).to.deep.equal([
      ['applied', 1],
      ['applied', 2],
      ['applied', 3],
    ]);
    expect(unackedCount(snd.state)).to.equal(0);
    expect(snd.events('alarm').map((a) => a.raised)).to.deep.equal([true, false]);
  });

  it('resends every unacked change after a reconnect; the secondary ignores what it already applied (nothing twice)', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    // The change reaches the secondary but the ack is lost with the connection.
    snd.input({ type: 'change', change: 'x' });
    rcv.input({ type: 'message', conn: -1, msg: { t: 'as-change', seq: 1, change: 'x' } });
    snd.input({ type: 'closed', conn: 1, reason: 'reset' });
    snd.input({ type: 'change', change: 'y' });
    snd.advanceTo(100);
    connect(snd, rcv);
    expect(rcv.events('admin').map((e) => [e.action, e.changeSeq])).to.deep.equal([
      ['applied', 1],
      ['duplicate-ignored', 1],
      ['applied', 2],
    ]);
    expect(snd.state.ackedSeq).to.equal(2);
  });

  it('brings a restarted secondary (lastApplied 0) up to date from its lastApplied', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    pump(snd, rcv, snd.input({ type: 'change', change: 'x' }));
    snd.input({ type: 'closed', conn: 1, reason: 'closed' });
    snd.advanceTo(100);
    const fresh = receiver();
    connect(snd, fresh);
    expect(fresh.state.lastApplied).to.equal(1);
  });

  it('continues the numbering after the secondary when the primary restarted and lost its own', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    pump(snd, rcv, snd.input({ type: 'change', change: 'a' }));
    pump(snd, rcv, snd.input({ type: 'change', change: 'b' }));
    const restarted = sender();
    connect(restarted, rcv);
    pump(restarted, rcv, restarted.input({ type: 'change', change: 'c' }));
    expect(rcv.state.lastApplied).to.equal(3);
    expect(rcv.events('admin').map((e) => e.action)).to.deep.equal(['applied', 'applied', 'applied']);
  });

  it('raises ADMIN_SYNC_LAG when the oldest unacked change is 2·keepaliveInterval old on an up link, not 1 ms before', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    snd.input({ type: 'change', change: 'slow' });
    // The link stays up (keep-alives arrive) but the ack never comes.
    for (let ms = 50; ms < 200; ms += 50) {
      snd.advanceTo(ms);
      snd.input({ type: 'message', conn: 1, msg: { t: 'ka', role: 'STANDBY' } });
    }
    snd.advanceTo(199);
    expect(snd.state.lagAlarm).to.equal(false);
    snd.advanceTo(200);
    expect(snd.state.lagAlarm).to.equal(true);
    snd.input({ type: 'message', conn: 1, msg: { t: 'as-ack', seq: 1 } });
    expect(snd.state.lagAlarm).to.equal(false);
  });

  it('applies only seq == lastApplied + 1 and drops a change that skips ahead', () => {
    const rcv = receiver();
    rcv.input({ type: 'accepted', conn: -1, port: 6001 });
    const fx = rcv.input({ type: 'message', conn: -1, msg: { t: 'as-change', seq: 2, change: 'z' } });
    expect(rcv.state.lastApplied).to.equal(0);
    expect(only(fx, 'send')[0]?.msg).to.deep.equal({ t: 'as-ack', seq: 0 });
  });

  it('declares a silent admin-sync link down at keepaliveMisses x keepaliveInterval and reports peer roles from keep-alives', () => {
    const snd = sender();
    const rcv = receiver();
    connect(snd, rcv);
    expect(snd.effects('peer-role')[0]).to.include({ role: 'STANDBY' });
    expect(rcv.effects('peer-role')[0]).to.include({ role: 'ACTIVE' });
    snd.advanceTo(299);
    expect(snd.state.up).to.equal(true);
    expect(only(snd.advanceTo(300), 'close')).to.have.length(1);
    expect(snd.state.up).to.equal(false);
    const ka = rcv.input({ type: 'role', role: 'ACTIVE' });
    expect(only(ka, 'send')[0]?.msg).to.deep.equal({ t: 'ka', role: 'ACTIVE' });
  });
});
