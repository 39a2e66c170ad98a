// Fake-clock tests of the CMS HA role: heartbeat misses at the threshold boundary, the returning primary's
// policies, manual actions, DUAL_ACTIVE, the primary's watch of the secondary, NO_ACTIVE_CMS.

import { expect } from 'chai';
import { haMachine, initialHa, manualRefusal, type HaConfig, type HaInput, type HaNotice, type HaSnapshot } from './ha.js';
import { earliest } from './core.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import { Sim, only } from '../test-support/sim.js';
import type { HaRole, Policy } from '../../protocol/index.js';
import type { WireMsg } from '../wire.js';

const TIMERS = { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 250, heartbeatMisses: 3 };
const POLICY: Pick<Policy, 'autoFailover' | 'autoFailback' | 'returningPrimary'> = {
  autoFailover: true,
  autoFailback: false,
  returningPrimary: 'hold-standby',
};

type HaSim = Sim<HaSnapshot, HaInput, HaNotice>;

function secondary(policy = POLICY, plants: Plants = NO_PLANTS): HaSim {
  const cfg: HaConfig = { node: 'cms-secondary', timers: TIMERS, policy, epoch: 'epoch-1', plants };
  const s = new Sim<HaSnapshot, HaInput, HaNotice>(haMachine(cfg), initialHa());
  s.input({ type: 'start' });
  return s;
}

function primary(policy = POLICY, plants: Plants = NO_PLANTS): HaSim {
  const cfg: HaConfig = { node: 'cms-primary', timers: TIMERS, policy, epoch: 'unused', plants };
  const s = new Sim<HaSnapshot, HaInput, HaNotice>(haMachine(cfg), initialHa());
  s.input({ type: 'start' });
  return s;
}

/** Moves to `ms`; every beat started on the way is answered (role) at once, refused, or left silent. */
function beats(s: HaSim, ms: number, how: 'answer' | 'refuse' | 'silent', role: 'ACTIVE' | 'STANDBY' = 'ACTIVE'): void {
  const machine = haMachine({ node: 'cms-secondary', timers: TIMERS, policy: POLICY, epoch: 'epoch-1' });
  const handle = (fx: ReturnType<HaSim['input']>): void => {
    for (const d of only(fx, 'dial')) {
      const beat = s.state.beat;
      if (how === 'refuse') s.input({ type: 'closed', conn: d.conn, reason: 'refused' });
      if (how === 'answer') {
        s.input({ type: 'connected', conn: d.conn });
        s.input({ type: 'message', conn: d.conn, msg: { t: 'hb-ans', beat, role } });
      }
    }
  };
  while (true) {
    const wake = machine.nextWakeMs(s.state);
    if (wake === null || wake > ms) break;
    s.nowMs = wake;
    handle(s.input({ type: 'tick' }));
  }
  s.nowMs = ms;
}

describe('CMS HA role: secondary heartbeat and failover', () => {
  it('starts STANDBY and beats at start, then every heartbeatIntervalMs on a fixed grid', () => {
    const s = secondary();
    beats(s, 3_500, 'answer');
    expect(
      s
        .events('heartbeat')
        .filter((e) => e.outcome === 'sent')
        .map((e) => e.atMs),
    ).to.deep.equal([0, 1_000, 2_000, 3_000]);
    expect(s.events('heartbeat').filter((e) => e.outcome === 'answered')).to.have.length(4);
    expect(s.state.role).to.equal('STANDBY');
    expect(s.events('role')[0]).to.include({ role: 'STANDBY', previous: null });
  });

  it('sends {beat, fromRole, primaryLost, roleSeq, epoch} on a new connection once it is open', () => {
    const s = secondary();
    const fx = s.advanceTo(0);
    const dial = only(
      s.log.map((l) => l.effect),
      'dial',
    )[0];
    expect(dial).to.include({ link: 'heartbeat' });
    expect(fx).to.be.an('array');
    const sent = s.input({ type: 'connected', conn: dial?.conn as number });
    expect(only(sent, 'send')[0]?.msg).to.deep.equal({
      t: 'hb',
      beat: 1,
      fromRole: 'STANDBY',
      primaryLost: false,
      roleSeq: 0,
      epoch: 'epoch-1',
    });
  });

  it('does not fail over after heartbeatMisses - 1 misses, and fails over at exactly heartbeatMisses', () => {
    const s = secondary();
    beats(s, 500, 'answer');
    beats(s, 2_500, 'refuse');
    expect(s.state.consecutiveMisses).to.equal(2);
    expect(s.state.role).to.equal('STANDBY');
    beats(s, 3_000, 'refuse');
    expect(s.state.role).to.equal('ACTIVE');
    const role = s.events('role').at(-1);
    expect(role).to.include({ role: 'ACTIVE', previous: 'STANDBY', reason: 'heartbeat lost: 3 misses', atMs: 3_000 });
    expect(s.events('alarm')).to.deep.include({
      type: 'alarm',
      alarm: 'HEARTBEAT_LOST',
      raised: true,
      detail: '3 consecutive heartbeats unanswered',
      atMs: 3_000,
    });
    expect(s.effects('role-changed').at(-1)).to.include({ role: 'ACTIVE' });
  });

  it('declares a silent beat missed exactly heartbeatTimeoutMs after it started, not 1 ms before', () => {
    const s = secondary();
    s.advanceTo(0);
    s.input({ type: 'connected', conn: 1 });
    s.advanceTo(249);
    expect(s.state.consecutiveMisses).to.equal(0);
    const fx = s.advanceTo(250);
    expect(s.state.consecutiveMisses).to.equal(1);
    expect(only(fx, 'close')[0]).to.include({ conn: 1 });
    expect(s.events('heartbeat').at(-1)).to.include({ outcome: 'missed', beat: 1, consecutiveMisses: 1, atMs: 250 });
  });

  it('with silent beats fails over at (misses-1)·interval + timeout after the first silent beat', () => {
    const s = secondary();
    beats(s, 2_249, 'silent');
    expect(s.state.role).to.equal('STANDBY');
    s.advanceTo(2_250);
    expect(s.state.role).to.equal('ACTIVE');
  });

  it('resets the counter on an answer (two misses, an answer, two misses: no failover) and clears HEARTBEAT_LOST', () => {
    const s = secondary();
    beats(s, 1_000, 'refuse');
    beats(s, 2_000, 'answer', 'ACTIVE');
    beats(s, 4_000, 'refuse');
    expect(s.state.consecutiveMisses).to.equal(2);
    expect(s.state.role).to.equal('STANDBY');
    beats(s, 5_000, 'refuse');
    expect(s.state.role).to.equal('ACTIVE');
    beats(s, 6_000, 'answer', 'STANDBY');
    expect(s.state.heartbeatLost).to.equal(false);
    expect(
      s
        .events('alarm')
        .filter((a) => a.alarm === 'HEARTBEAT_LOST')
        .map((a) => a.raised),
    ).to.deep.equal([true, false]);
    expect(s.state.role).to.equal('ACTIVE');
    expect(s.state.sent).to.equal(7);
  });

  it('keeps beating while ACTIVE', () => {
    const s = secondary();
    beats(s, 2_000, 'refuse');
    beats(s, 5_000, 'refuse');
    expect(s.state.role).to.equal('ACTIVE');
    expect(
      s
        .events('heartbeat')
        .filter((e) => e.outcome === 'sent')
        .map((e) => e.atMs),
    ).to.deep.equal([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it('raises HEARTBEAT_LOST but stays STANDBY when autoFailover is false', () => {
    const s = secondary({ ...POLICY, autoFailover: false });
    beats(s, 5_000, 'refuse');
    expect(s.state.role).to.equal('STANDBY');
    expect(s.state.heartbeatLost).to.equal(true);
  });

  it('detects a primary down at any phase within [(misses-1)·interval, misses·interval + timeout]', () => {
    for (const faultMs of [1, 250, 500, 999]) {
      for (const how of ['refuse', 'silent'] as const) {
        const s = secondary();
        beats(s, 5_000 + faultMs - 1, 'answer', 'ACTIVE');
        beats(s, 20_000, how);
        const at = s.events('role').find((e) => e.role === 'ACTIVE')?.atMs as number;
        const detect = at - (5_000 + faultMs);
        expect(detect, `fault at +${faultMs} (${how})`).to.be.within(2 * 1_000 - 1, 3 * 1_000 + 250);
      }
    }
  });

  // Replaces "marks its beats takenOver from an automatic failover until it goes STANDBY; a manual set-active gives
  // false": a secondary made ACTIVE by an operator while the primary was lost said takenOver false, so the returning
  // primary applied no policy to it (rule: one policy for every return).
  it('declares the primary lost in every beat from heartbeatMisses misses until an answer, whatever its role or who set it', () => {
    const s = secondary({ ...POLICY, autoFailover: false });
    const beatAt = (ms: number) => {
      s.advanceTo(ms);
      const conn = s.state.outstanding.at(-1)?.conn as number;
      return only(s.input({ type: 'connected', conn }), 'send')[0]?.msg;
    };
    beats(s, 2_000, 'refuse');
    expect(s.state.role, 'autoFailover is off').to.equal('STANDBY');
    expect(beatAt(3_000)).to.deep.equal({ t: 'hb', beat: 4, fromRole: 'STANDBY', primaryLost: true, roleSeq: 0, epoch: 'epoch-1' });
    s.input({ type: 'set-active' });
    expect(beatAt(4_000)).to.deep.include({ fromRole: 'ACTIVE', primaryLost: true, roleSeq: 1 });
    const conn = s.state.outstanding.at(-1)?.conn as number;
    s.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: 5, role: 'STANDBY' } });
    expect(beatAt(5_000)).to.deep.include({ fromRole: 'ACTIVE', primaryLost: false });
  });

  it('keeps a manual set-standby made during a heartbeat outage: further misses do not make it ACTIVE again', () => {
    const s = secondary();
    beats(s, 2_000, 'refuse');
    expect(s.state.role).to.equal('ACTIVE');
    s.input({ type: 'set-standby' });
    beats(s, 6_000, 'refuse');
    expect(s.state.role).to.equal('STANDBY');
    expect(s.events('role').at(-1)).to.include({ role: 'STANDBY', reason: 'manual', atMs: 2_000 });
    expect(s.state.consecutiveMisses, 'misses are still counted').to.equal(7);
  });

  it('ends the manual hold at the next answered heartbeat: a new loss after that is a new failover', () => {
    const s = secondary();
    beats(s, 2_000, 'refuse');
    s.input({ type: 'set-standby' });
    beats(s, 4_000, 'refuse');
    expect(s.state.role).to.equal('STANDBY');
    beats(s, 5_000, 'answer', 'ACTIVE');
    beats(s, 7_000, 'refuse');
    expect(s.state.role, 'two misses after the answer').to.equal('STANDBY');
    beats(s, 8_000, 'refuse');
    expect(s.events('role').at(-1)).to.include({ role: 'ACTIVE', reason: 'heartbeat lost: 3 misses', atMs: 8_000 });
  });

  it('ignores a demand to go STANDBY while under a manual hold (a stale answer must not undo the operator)', () => {
    const s = secondary();
    s.input({ type: 'set-active' });
    s.advanceTo(1_000);
    const conn = s.state.outstanding.at(-1)?.conn as number;
    s.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: s.state.beat, role: 'ACTIVE', demandStandby: true } });
    expect(s.state.role).to.equal('ACTIVE');
  });
});

/**
 * A beat as the primary receives it. roleSeq defaults to what a secondary that started STANDBY and took over once
 * would send (0 STANDBY, 1 ACTIVE).
 */
const hb = (
  beat: number,
  fromRole: HaRole,
  primaryLost = fromRole === 'ACTIVE',
  epoch = 'epoch-1',
  roleSeq = fromRole === 'ACTIVE' ? 1 : 0,
) => ({
  type: 'message' as const,
  conn: -beat,
  msg: { t: 'hb' as const, beat, fromRole, primaryLost, roleSeq, epoch },
});
const answer = (fx: ReturnType<HaSim['input']>) => only(fx, 'send')[0]?.msg;

/** A primary that has been ACTIVE with a STANDBY secondary, as on a sunny day. */
function running(policy = POLICY): HaSim {
  const p = primary(policy);
  p.input(hb(1, 'STANDBY'));
  p.advanceTo(1_000);
  p.input(hb(2, 'STANDBY'));
  p.advanceTo(1_250);
  expect(p.state.role).to.equal('ACTIVE');
  return p;
}

describe('CMS HA role: primary', () => {
  it('starts STANDBY pending and goes ACTIVE on the first heartbeat from a STANDBY secondary, in the answer to it', () => {
    const s = primary();
    expect(s.state).to.include({ role: 'STANDBY', pending: true });
    s.nowMs = 10;
    s.input({ type: 'accepted', conn: -1, port: 6000 });
    const fx = s.input(hb(1, 'STANDBY'));
    expect(s.state).to.include({ role: 'ACTIVE', pending: false });
    expect(answer(fx)).to.deep.equal({ t: 'hb-ans', beat: 1, role: 'ACTIVE' });
    expect(s.events('role').at(-1)).to.include({ role: 'ACTIVE', previous: 'STANDBY', reason: 'secondary is STANDBY', atMs: 10 });
  });

  it('emits a received event for every heartbeat request, with the sender’s role and whether it is a return (takenOver)', () => {
    const s = primary();
    s.nowMs = 10;
    s.input(hb(1, 'STANDBY'));
    s.nowMs = 20;
    s.input(hb(2, 'ACTIVE', true));
    s.input(hb(2, 'ACTIVE', true));
    expect(s.events('heartbeat')).to.deep.equal([
      { type: 'heartbeat', outcome: 'received', beat: 1, consecutiveMisses: 0, peerRole: 'STANDBY', takenOver: false, atMs: 10 },
      { type: 'heartbeat', outcome: 'received', beat: 2, consecutiveMisses: 0, peerRole: 'ACTIVE', takenOver: true, atMs: 20 },
      { type: 'heartbeat', outcome: 'received', beat: 2, consecutiveMisses: 0, peerRole: 'ACTIVE', takenOver: true, atMs: 20 },
    ]);
  });

  it('goes ACTIVE with reason "no secondary" exactly misses·heartbeatInterval + heartbeatTimeout after start with no heartbeat', () => {
    const s = primary();
    s.advanceTo(3_249);
    expect(s.state.role).to.equal('STANDBY');
    s.advanceTo(3_250);
    expect(s.state.role).to.equal('ACTIVE');
    expect(s.events('role').at(-1)?.reason).to.match(/^no secondary/);
  });

  it('holds STANDBY at once when it returns to a secondary that took over (returningPrimary hold-standby)', () => {
    const s = primary();
    expect(answer(s.input(hb(9, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 9, role: 'STANDBY' });
    expect(s.state).to.include({ role: 'STANDBY', pending: false, dualActive: false });
    expect(s.events('role').at(-1)?.reason).to.equal('returning primary holds STANDBY: secondary is ACTIVE');
    expect(answer(s.input(hb(10, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 10, role: 'STANDBY' });
    // Up to its watch's deadline (the secondary keeps beating in real life; see "always an ACTIVE CMS").
    s.advanceTo(3_249);
    expect(s.state.role).to.equal('STANDBY');
  });

  it('stays ACTIVE and raises DUAL_ACTIVE at once when it returns to a secondary that took over (returningPrimary stay-active)', () => {
    const s = primary({ ...POLICY, returningPrimary: 'stay-active' });
    expect(answer(s.input(hb(9, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 9, role: 'ACTIVE' });
    expect(s.state).to.include({ role: 'ACTIVE', dualActive: true });
    expect(s.events('alarm')[0]).to.include({ alarm: 'DUAL_ACTIVE', raised: true });
  });

  it('takes the role back with autoFailback and demands STANDBY in the answer to that very heartbeat, until the secondary says it is STANDBY', () => {
    const s = primary({ ...POLICY, autoFailback: true });
    expect(answer(s.input(hb(9, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 9, role: 'ACTIVE', demandStandby: true });
    expect(s.state).to.include({ role: 'ACTIVE', dualActive: false });
    expect(answer(s.input(hb(10, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 10, role: 'ACTIVE', demandStandby: true });
    expect(answer(s.input(hb(11, 'STANDBY', false, 'epoch-1', 2)))).to.deep.equal({ t: 'hb-ans', beat: 11, role: 'ACTIVE' });
    // Made ACTIVE again by an operator (a new role, the primary heard): not undone, both ACTIVE is the operator's doing.
    expect(answer(s.input(hb(12, 'ACTIVE', false, 'epoch-1', 3)))).to.deep.equal({ t: 'hb-ans', beat: 12, role: 'ACTIVE' });
    expect(s.state.dualActive).to.equal(true);
    const sec = secondary({ ...POLICY, autoFailback: true });
    beats(sec, 3_000, 'refuse');
    expect(sec.state.role).to.equal('ACTIVE');
    sec.advanceTo(4_000);
    const conn = sec.state.outstanding[0]?.conn as number;
    sec.input({ type: 'connected', conn });
    sec.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: sec.state.beat, role: 'ACTIVE', demandStandby: true } });
    expect(sec.state.role).to.equal('STANDBY');
    expect(sec.events('role').at(-1)?.reason).to.match(/^failback/);
    expect(sec.events('alarm').filter((a) => a.alarm === 'DUAL_ACTIVE')).to.deep.equal([]);
  });

  it('planted handover-one-exchange-longer: leaves the demand out of the first answer, and sends it in the next', () => {
    const s = primary({ ...POLICY, autoFailback: true }, new Set(['handover-one-exchange-longer'] as const));
    expect(answer(s.input(hb(9, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 9, role: 'ACTIVE' });
    expect(answer(s.input(hb(10, 'ACTIVE')))).to.deep.equal({ t: 'hb-ans', beat: 10, role: 'ACTIVE', demandStandby: true });
  });

  it('planted failover-one-beat-late: fails over at heartbeatMisses + 1', () => {
    const s = secondary(POLICY, new Set(['failover-one-beat-late'] as const));
    beats(s, 500, 'answer');
    beats(s, 3_000, 'refuse');
    expect(s.state.role).to.equal('STANDBY');
    beats(s, 4_000, 'refuse');
    expect(s.events('role').at(-1)).to.include({ role: 'ACTIVE', reason: 'heartbeat lost: 4 misses', atMs: 4_000 });
  });

  it('applies the same policy when a primary that stayed ACTIVE hears again from a secondary that took over (resume, end of isolation, healed path)', () => {
    const cases = [
      { policy: POLICY, role: 'STANDBY', demand: false, dual: false },
      { policy: { ...POLICY, returningPrimary: 'stay-active' as const }, role: 'ACTIVE', demand: false, dual: true },
      { policy: { ...POLICY, autoFailback: true }, role: 'ACTIVE', demand: true, dual: false },
    ];
    for (const c of cases) {
      const p = running(c.policy);
      // The heartbeat path was cut for a while: the secondary declared the primary lost and took over.
      p.nowMs = 5_000;
      const msg = answer(p.input(hb(6, 'ACTIVE', true)));
      const label = JSON.stringify(c.policy);
      expect(p.state.role, label).to.equal(c.role);
      expect(msg, label).to.deep.equal({ t: 'hb-ans', beat: 6, role: c.role, ...(c.demand ? { demandStandby: true } : {}) });
      expect(p.state.dualActive, label).to.equal(c.dual);
    }
  });

  it('applies the policy once per return: an operator’s change sticks, and a heartbeat with primaryLost false re-arms it', () => {
    const p = running();
    p.input(hb(5, 'ACTIVE', true));
    expect(p.state.role).to.equal('STANDBY');
    p.input({ type: 'set-active' });
    p.input(hb(6, 'ACTIVE', true));
    expect(p.state.role, 'the policy does not undo the operator').to.equal('ACTIVE');
    p.input(hb(7, 'STANDBY', false));
    expect(p.state.role).to.equal('ACTIVE');
    // A new loss after that is a new failover: the policy applies again.
    p.input(hb(12, 'ACTIVE', true));
    expect(p.state.role).to.equal('STANDBY');
  });

  it('applies the policy to a second loss that came before any beat got through in between: the secondary took over anew', () => {
    // Found by cmsha explore --seed 3: isolate the primary, heal, isolate it again within a cycle of the failback.
    const p = running({ ...POLICY, autoFailback: true });
    const failback = (beat: number) => ({ t: 'hb-ans', beat, role: 'ACTIVE', demandStandby: true });
    p.nowMs = 5_000;
    expect(answer(p.input(hb(6, 'ACTIVE', true, 'epoch-1', 1)))).to.deep.equal(failback(6));
    // The secondary obeyed (role 2), then declared the primary lost again and took over (role 3) before a beat got through.
    p.nowMs = 9_000;
    expect(answer(p.input(hb(10, 'ACTIVE', true, 'epoch-1', 3)))).to.deep.equal(failback(10));
    expect(p.state.dualActive, 'a failback, not a split brain').to.equal(false);
  });

  it('counts a manual change on the primary during a loss as the operator handling the return: no return policy', () => {
    const p = running({ ...POLICY, autoFailback: true });
    // Heartbeat path cut; the operator makes the primary STANDBY; the path heals.
    p.input({ type: 'set-standby' });
    const msg = answer(p.input(hb(6, 'ACTIVE', true)));
    expect(msg).to.deep.equal({ t: 'hb-ans', beat: 6, role: 'STANDBY' });
    expect(p.state.role).to.equal('STANDBY');
  });

  it('holds STANDBY when pending and the secondary was made ACTIVE by an operator while it heard the primary (not a return)', () => {
    const p = primary({ ...POLICY, returningPrimary: 'stay-active' });
    expect(answer(p.input(hb(3, 'ACTIVE', false)))).to.deep.equal({ t: 'hb-ans', beat: 3, role: 'STANDBY' });
    expect(p.state).to.include({ role: 'STANDBY', pending: false, dualActive: false });
  });

  it('ignores for decisions a beat not newer than the newest of the same epoch, and still answers it', () => {
    const p = running({ ...POLICY, returningPrimary: 'stay-active' });
    p.input(hb(7, 'ACTIVE', true));
    expect(p.state.dualActive).to.equal(true);
    // Sent before the failover and held by the network: it must not clear the alarm nor re-arm the policy.
    const msg = answer(p.input(hb(5, 'STANDBY', false)));
    expect(msg).to.deep.equal({ t: 'hb-ans', beat: 5, role: 'ACTIVE' });
    expect(p.state.dualActive).to.equal(true);
    expect(p.events('heartbeat').at(-1)).to.include({ outcome: 'received', beat: 5 });
  });

  it('does not ignore a restarted secondary (new epoch) whose beats start again at 1', () => {
    const p = running({ ...POLICY, returningPrimary: 'stay-active' });
    p.input(hb(40, 'ACTIVE', true));
    expect(p.state.dualActive).to.equal(true);
    p.input(hb(1, 'STANDBY', false, 'epoch-2'));
    expect(p.state.dualActive).to.equal(false);
  });

  it('reports heartbeat contact to Admin-Sync: up at a beat after none, down an interval + timeout after the last beat', () => {
    const p = running();
    expect(p.effects('contact').map((c) => [c.up, c.atMs])).to.deep.equal([[true, 0]]);
    p.advanceTo(2_249);
    expect(p.effects('contact')).to.have.length(1);
    p.advanceTo(2_250);
    p.nowMs = 3_000;
    p.input(hb(4, 'ACTIVE', true));
    expect(p.effects('contact').map((c) => [c.up, c.atMs])).to.deep.equal([
      [true, 0],
      [false, 2_250],
      [true, 3_000],
    ]);
    // After the return's decision in the same step: Admin-Sync sees the roles the return left.
    const fx = p.log.filter((l) => l.atMs === 3_000).map((l) => l.effect.type);
    expect(fx.indexOf('role-changed')).to.be.lessThan(fx.indexOf('contact'));
  });

  it('raises DUAL_ACTIVE when an ACTIVE primary hears from an ACTIVE secondary, and clears it when the secondary says STANDBY', () => {
    const s = running();
    s.input(hb(3, 'ACTIVE', false));
    expect(s.state.dualActive).to.equal(true);
    s.input(hb(4, 'STANDBY', false));
    expect(s.state.dualActive).to.equal(false);
    expect(s.events('alarm').map((a) => a.raised)).to.deep.equal([true, false]);
  });
});

describe('CMS HA role: DUAL_ACTIVE and manual actions', () => {
  it('raises DUAL_ACTIVE on the secondary when, ACTIVE after a failover, it learns over admin-sync that the primary is ACTIVE', () => {
    const s = secondary();
    beats(s, 2_000, 'refuse');
    expect(s.state.role).to.equal('ACTIVE');
    s.input({ type: 'peer-role', role: 'ACTIVE', via: 'admin-sync keep-alive' });
    expect(s.state.dualActive).to.equal(true);
    expect(
      s
        .events('alarm')
        .filter((a) => a.alarm === 'DUAL_ACTIVE')
        .at(-1)?.detail,
    ).to.match(/admin-sync/);
  });

  it('raises DUAL_ACTIVE from a heartbeat answer and clears it on a manual set-standby', () => {
    const s = secondary();
    beats(s, 2_000, 'refuse');
    beats(s, 3_000, 'answer', 'ACTIVE');
    expect(s.state.dualActive).to.equal(true);
    const fx = s.input({ type: 'set-standby' });
    expect(s.state).to.include({ role: 'STANDBY', dualActive: false });
    expect(only(fx, 'emit').map((e) => e.event.type)).to.deep.equal(['role', 'alarm']);
    expect(s.events('role').at(-1)).to.include({ reason: 'manual', previous: 'ACTIVE' });
  });

  it('clears DUAL_ACTIVE when it learns the peer went STANDBY', () => {
    const s = secondary();
    s.input({ type: 'set-active' });
    s.input({ type: 'peer-role', role: 'ACTIVE', via: 'x' });
    expect(s.state.dualActive).to.equal(true);
    s.input({ type: 'peer-role', role: 'STANDBY', via: 'x' });
    expect(s.state.dualActive).to.equal(false);
  });

  it('refuses set-active when ACTIVE and set-standby when STANDBY; a pending primary accepts either', () => {
    const p = primary();
    expect(manualRefusal(p.state, 'set-standby')).to.equal(null);
    expect(manualRefusal(p.state, 'set-active')).to.equal(null);
    p.input({ type: 'set-standby' });
    expect(p.state).to.include({ role: 'STANDBY', pending: false });
    expect(manualRefusal(p.state, 'set-standby')).to.equal('already STANDBY');
    p.advanceTo(10_000);
    expect(p.state.role).to.equal('STANDBY');
    p.input({ type: 'set-active' });
    expect(manualRefusal(p.state, 'set-active')).to.equal('already ACTIVE');
  });

  it('performs the manual procedure of the cm-link scenario: primary STANDBY, secondary ACTIVE, no DUAL_ACTIVE', () => {
    const p = primary();
    p.input(hb(1, 'STANDBY'));
    p.input({ type: 'set-standby' });
    const s = secondary();
    s.input({ type: 'set-active' });
    p.input(hb(2, 'ACTIVE', false));
    s.input({ type: 'peer-role', role: 'STANDBY', via: 'heartbeat answer' });
    expect([p.state.role, s.state.role]).to.deep.equal(['STANDBY', 'ACTIVE']);
    expect([p.state.dualActive, s.state.dualActive]).to.deep.equal([false, false]);
  });
});

/**
 * A primary and a secondary on one fake clock, wired by the heartbeat path: a beat reaches the primary as soon as it
 * is dialled and its answer comes straight back, unless the path is cut (refused), the answers are held (in flight
 * until `deliver`), or a node is down or paused (it is not ticked; a restarted primary is a fresh machine).
 */
class Pair {
  readonly pm: ReturnType<typeof haMachine>;
  readonly sm: ReturnType<typeof haMachine>;
  p: HaSim;
  readonly s: HaSim;
  cut = false;
  holdAnswers = false;
  primaryDown = false;
  secondaryPaused = false;
  readonly held: Array<{ conn: number; msg: WireMsg }> = [];

  constructor(readonly policy = POLICY) {
    this.pm = haMachine({ node: 'cms-primary', timers: TIMERS, policy, epoch: 'unused' });
    this.sm = haMachine({ node: 'cms-secondary', timers: TIMERS, policy, epoch: 'epoch-1' });
    this.p = new Sim<HaSnapshot, HaInput, HaNotice>(this.pm, initialHa());
    this.s = new Sim<HaSnapshot, HaInput, HaNotice>(this.sm, initialHa());
    this.p.input({ type: 'start' });
    this.s.input({ type: 'start' });
  }

  get roles(): [HaRole, HaRole] {
    return [this.p.state.role, this.s.state.role];
  }

  restartPrimary(): void {
    this.primaryDown = false;
    this.p = new Sim<HaSnapshot, HaInput, HaNotice>(this.pm, initialHa(), this.s.nowMs);
    this.p.input({ type: 'start' });
  }

  deliver(): void {
    for (const a of this.held.splice(0)) this.s.input({ type: 'message', conn: a.conn, msg: a.msg });
  }

  private route(fx: ReturnType<HaSim['input']>): void {
    for (const d of only(fx, 'dial')) {
      if (this.cut || this.primaryDown) {
        this.s.input({ type: 'closed', conn: d.conn, reason: 'refused' });
        continue;
      }
      const beat = only(this.s.input({ type: 'connected', conn: d.conn }), 'send')[0]?.msg as WireMsg;
      const reply = only(this.p.input({ type: 'message', conn: -d.conn, msg: beat }), 'send')[0]?.msg as WireMsg;
      if (this.holdAnswers) this.held.push({ conn: d.conn, msg: reply });
      else this.s.input({ type: 'message', conn: d.conn, msg: reply });
    }
  }

  advanceTo(ms: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const wp = this.primaryDown ? null : this.pm.nextWakeMs(this.p.state);
      const ws = this.secondaryPaused ? null : this.sm.nextWakeMs(this.s.state);
      const next = earliest(wp, ws);
      if (next === null || next > ms) break;
      this.p.nowMs = this.s.nowMs = Math.max(next, this.s.nowMs);
      if (wp !== null && wp <= next) this.p.input({ type: 'tick' });
      if (ws !== null && ws <= next) this.route(this.s.input({ type: 'tick' }));
    }
    this.p.nowMs = this.s.nowMs = ms;
  }

  /** Operator commands, at the pair's current instant. */
  operator(node: 'p' | 's', action: 'set-active' | 'set-standby'): void {
    this[node].input({ type: action });
  }
}

const alarms = (s: HaSim, name: string): Array<[boolean, number]> =>
  s
    .events('alarm')
    .filter((a) => a.alarm === name)
    .map((a) => [a.raised, a.atMs]);

describe('CMS HA role: always an ACTIVE CMS', () => {
  it('makes a STANDBY primary take the ACTIVE role back exactly misses·interval + timeout after the secondary’s last heartbeat', () => {
    // Old behaviour: a STANDBY primary watched nothing and stayed STANDBY for good.
    const p = running();
    p.nowMs = 2_000;
    p.input(hb(3, 'ACTIVE', true));
    expect(p.state.role, 'hold-standby return').to.equal('STANDBY');
    p.advanceTo(5_249);
    expect(p.state.role).to.equal('STANDBY');
    p.advanceTo(5_250);
    expect(p.state.role).to.equal('ACTIVE');
    expect(p.events('role').at(-1)).to.include({ reason: 'secondary lost: no heartbeat for 3250 ms', atMs: 5_250 });
    expect(alarms(p, 'NO_ACTIVE_CMS'), 'ACTIVE at the very instant: no alarm').to.deep.equal([]);
  });

  it('raises NO_ACTIVE_CMS on a STANDBY primary with autoFailover off when the secondary’s heartbeats stop, and clears it when the secondary is heard ACTIVE', () => {
    const p = running({ ...POLICY, autoFailover: false });
    p.nowMs = 2_000;
    p.input(hb(3, 'ACTIVE', true));
    p.advanceTo(5_249);
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([]);
    p.advanceTo(5_250);
    expect(p.state.role).to.equal('STANDBY');
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([[true, 5_250]]);
    expect(p.events('alarm').at(-1)?.detail).to.equal(
      'cms-primary is STANDBY and has known no ACTIVE CMS for 3250 ms: the secondary is lost and autoFailover is off',
    );
    p.nowMs = 6_000;
    p.input(hb(7, 'ACTIVE', false));
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([
      [true, 5_250],
      [false, 6_000],
    ]);
  });

  it('raises NO_ACTIVE_CMS on a secondary with autoFailover off whose primary is lost, and clears it when the primary answers ACTIVE', () => {
    // Old behaviour: HEARTBEAT_LOST only; a site with no ACTIVE CMS went unreported.
    const s = secondary({ ...POLICY, autoFailover: false });
    beats(s, 500, 'answer', 'ACTIVE');
    beats(s, 3_249, 'refuse');
    expect(alarms(s, 'NO_ACTIVE_CMS')).to.deep.equal([]);
    beats(s, 5_500, 'refuse');
    expect(alarms(s, 'NO_ACTIVE_CMS')).to.deep.equal([[true, 3_250]]);
    expect(s.events('alarm').find((a) => a.alarm === 'NO_ACTIVE_CMS')?.detail).to.match(/the primary is lost and autoFailover is off$/);
    beats(s, 6_000, 'answer', 'ACTIVE');
    expect(alarms(s, 'NO_ACTIVE_CMS').at(-1)).to.deep.equal([false, 6_000]);
  });

  it('makes a STANDBY primary take the role back when the ACTIVE secondary restarted within the detection window and came back STANDBY', () => {
    // Found by `cmsha explore --seed 1` (I4): the beats never stopped for the window, so the watch never fired, and
    // both CMS stayed STANDBY with NO_ACTIVE_CMS raised for good.
    const restarted = (policy: typeof POLICY): HaSim => {
      const p = running(policy);
      p.nowMs = 2_000;
      p.input(hb(3, 'ACTIVE', true));
      expect(p.state.role, 'hold-standby return').to.equal('STANDBY');
      for (let beat = 1, ms = 2_500; ms <= 5_249; beat += 1, ms += 1_000) {
        p.advanceTo(ms);
        p.input(hb(beat, 'STANDBY', false, 'epoch-2'));
      }
      p.advanceTo(5_249);
      expect(p.state.role).to.equal('STANDBY');
      p.advanceTo(5_250);
      return p;
    };
    const p = restarted(POLICY);
    expect(p.state.role).to.equal('ACTIVE');
    expect(p.events('role').at(-1)).to.include({ reason: 'no ACTIVE CMS for 3250 ms: the secondary is STANDBY too', atMs: 5_250 });
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([]);
    const off = restarted({ ...POLICY, autoFailover: false });
    expect(off.state.role).to.equal('STANDBY');
    expect(alarms(off, 'NO_ACTIVE_CMS')).to.deep.equal([[true, 5_250]]);
  });

  it('keeps the pending primary’s no-secondary deadline and raises no NO_ACTIVE_CMS while it waits', () => {
    const p = primary({ ...POLICY, autoFailover: false });
    p.advanceTo(3_250);
    expect(p.state.role).to.equal('ACTIVE');
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([]);
  });

  it('makes the primary take the role back when the secondary dies after a planned switchover', () => {
    // Old behaviour: the switched-over primary stayed STANDBY and the site had no ACTIVE CMS.
    const site = new Pair();
    site.advanceTo(1_500);
    site.operator('p', 'set-standby');
    site.operator('s', 'set-active');
    site.advanceTo(3_500);
    expect(site.roles).to.deep.equal(['STANDBY', 'ACTIVE']);
    site.secondaryPaused = true; // dead: no more beats from 3_000 on
    site.advanceTo(6_249);
    expect(site.p.state.role).to.equal('STANDBY');
    site.advanceTo(6_250);
    expect(site.p.state.role).to.equal('ACTIVE');
    expect(site.p.events('role').at(-1)?.reason).to.equal('secondary lost: no heartbeat for 3250 ms');
  });

  it('keeps an operator’s set-standby on the primary while no heartbeat comes: NO_ACTIVE_CMS, no take-back', () => {
    const p = running();
    p.nowMs = 2_000;
    p.input({ type: 'set-standby' });
    p.advanceTo(20_000);
    expect(p.state.role).to.equal('STANDBY');
    expect(alarms(p, 'NO_ACTIVE_CMS')).to.deep.equal([[true, 5_250]]);
  });

  it('tells a secondary that comes back ACTIVE (it was paused) to go STANDBY once the primary took the role back', () => {
    // Old behaviour: the primary never took the role back, so the resumed secondary was the only ACTIVE one; with the
    // take-back and no demand, both would stay ACTIVE.
    const site = new Pair();
    site.advanceTo(1_500);
    site.operator('p', 'set-standby');
    site.operator('s', 'set-active');
    site.advanceTo(3_500);
    site.secondaryPaused = true;
    site.advanceTo(8_000);
    expect(site.roles).to.deep.equal(['ACTIVE', 'ACTIVE']);
    site.secondaryPaused = false;
    site.advanceTo(8_000);
    expect(site.roles).to.deep.equal(['ACTIVE', 'STANDBY']);
    expect(site.s.events('role').at(-1)?.reason).to.match(/^failback/);
    site.advanceTo(12_000);
    expect(site.roles).to.deep.equal(['ACTIVE', 'STANDBY']);
    expect([site.p.state.dualActive, site.s.state.dualActive]).to.deep.equal([false, false]);
  });
});

describe('CMS HA role: one policy for every return', () => {
  it('fails back a secondary made ACTIVE by an operator while the primary was down, when the restarted primary returns (autoFailback)', () => {
    // Old behaviour: the beat said takenOver false, so the restarted primary held STANDBY whatever the policy.
    const site = new Pair({ ...POLICY, autoFailover: false, autoFailback: true });
    site.advanceTo(1_500);
    site.primaryDown = true;
    site.advanceTo(5_000);
    expect(site.s.state.role, 'autoFailover off').to.equal('STANDBY');
    site.operator('s', 'set-active');
    site.advanceTo(6_500);
    site.restartPrimary();
    site.advanceTo(7_000);
    expect(site.roles).to.deep.equal(['ACTIVE', 'STANDBY']);
    expect(site.p.events('role').at(-1)?.reason).to.match(/^auto failback/);
    site.advanceTo(10_000);
    expect(site.roles).to.deep.equal(['ACTIVE', 'STANDBY']);
    expect([site.p.state.dualActive, site.s.state.dualActive]).to.deep.equal([false, false]);
  });

  it('holds a primary that stayed ACTIVE STANDBY when the heartbeat path heals after an operator made the secondary ACTIVE (hold-standby)', () => {
    // Old behaviour: nothing happened at the heal and both stayed ACTIVE (DUAL_ACTIVE) although the policy is hold-standby.
    const site = new Pair({ ...POLICY, autoFailover: false });
    site.advanceTo(1_500);
    site.cut = true;
    site.advanceTo(5_000);
    site.operator('s', 'set-active');
    site.advanceTo(6_500);
    site.cut = false;
    site.advanceTo(7_000);
    expect(site.roles).to.deep.equal(['STANDBY', 'ACTIVE']);
    expect(site.p.events('role').at(-1)?.reason).to.equal('returning primary holds STANDBY: secondary is ACTIVE');
  });

  it('applies the same policy to a secondary that took over by itself, at a restart and at a heal', () => {
    for (const how of ['restart', 'heal'] as const) {
      const site = new Pair({ ...POLICY, autoFailback: true });
      site.advanceTo(1_500);
      if (how === 'restart') site.primaryDown = true;
      else site.cut = true;
      site.advanceTo(5_000);
      expect(site.s.state.role, how).to.equal('ACTIVE');
      if (how === 'restart') site.restartPrimary();
      else site.cut = false;
      site.advanceTo(7_000);
      expect(site.roles, how).to.deep.equal(['ACTIVE', 'STANDBY']);
    }
  });

  it('does not treat an operator’s switchover while both hear each other as a return: no policy undoes it', () => {
    const site = new Pair({ ...POLICY, autoFailback: true });
    site.advanceTo(1_500);
    site.operator('p', 'set-standby');
    site.operator('s', 'set-active');
    site.advanceTo(10_000);
    expect(site.roles).to.deep.equal(['STANDBY', 'ACTIVE']);
  });
});

describe('CMS HA role: an operator’s command wins over an automatic action in flight', () => {
  it('cancels an automatic failback on set-standby of the primary: no later answer demands STANDBY, and a secondary that obeyed an answer already in flight goes ACTIVE again', () => {
    // Old behaviour: the answer in flight made the secondary STANDBY and nobody undid it: no ACTIVE CMS.
    const site = new Pair({ ...POLICY, autoFailback: true });
    site.advanceTo(1_500);
    site.cut = true;
    site.advanceTo(4_500);
    expect(site.roles).to.deep.equal(['ACTIVE', 'ACTIVE']);
    site.cut = false;
    site.holdAnswers = true;
    site.advanceTo(5_000);
    expect(site.held.map((a) => a.msg)).to.deep.equal([{ t: 'hb-ans', beat: 6, role: 'ACTIVE', demandStandby: true }]);
    site.p.nowMs = site.s.nowMs = 5_010;
    site.operator('p', 'set-standby');
    site.p.nowMs = site.s.nowMs = 5_020;
    site.deliver();
    expect(site.roles, 'the answer in flight was obeyed').to.deep.equal(['STANDBY', 'STANDBY']);
    site.holdAnswers = false;
    site.advanceTo(6_500);
    expect(site.roles).to.deep.equal(['STANDBY', 'ACTIVE']);
    expect(site.s.events('role').at(-1)).to.include({
      reason: 'failback cancelled by an operator on the primary: ACTIVE again',
      atMs: 6_000,
    });
    expect(site.p.effects('send', 5_010).filter((x) => x.msg.t === 'hb-ans' && x.msg.demandStandby === true)).to.deep.equal([]);
    site.advanceTo(10_000);
    expect(site.roles).to.deep.equal(['STANDBY', 'ACTIVE']);
  });

  it('ignores a failback demand in the answer to a beat sent before an operator changed its role', () => {
    const s = secondary({ ...POLICY, autoFailback: true });
    beats(s, 2_000, 'refuse');
    s.advanceTo(3_000);
    const conn = s.state.outstanding.at(-1)?.conn as number;
    s.input({ type: 'connected', conn });
    s.input({ type: 'set-standby' });
    s.input({ type: 'set-active' });
    s.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: 4, role: 'ACTIVE', demandStandby: true } });
    expect(s.state.role).to.equal('ACTIVE');
    expect(s.state.manualHold, 'an answer about an older role does not end the hold either').to.equal(true);
  });

  it('ignores a resume order unless it went STANDBY on a demand and nobody acted since', () => {
    const s = secondary();
    beats(s, 1_000, 'answer', 'ACTIVE');
    s.advanceTo(2_000);
    const conn = s.state.outstanding.at(-1)?.conn as number;
    s.input({ type: 'connected', conn });
    s.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: 3, role: 'STANDBY', resumeActive: true } });
    expect(s.state.role).to.equal('STANDBY');
  });
});
