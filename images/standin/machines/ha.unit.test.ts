// Fake-clock tests of the CMS HA role: heartbeat misses at the threshold boundary, the returning primary's
// policies, manual actions, DUAL_ACTIVE.

import { expect } from 'chai';
import { haMachine, initialHa, manualRefusal, type HaConfig, type HaInput, type HaNotice, type HaSnapshot } from './ha.js';
import { Sim, only } from '../test-support/sim.js';
import type { Policy } from '../../protocol/index.js';

const TIMERS = { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 250, heartbeatMisses: 3 };
const POLICY: Pick<Policy, 'autoFailover' | 'autoFailback' | 'returningPrimary'> = {
  autoFailover: true,
  autoFailback: false,
  returningPrimary: 'hold-standby',
};

type HaSim = Sim<HaSnapshot, HaInput, HaNotice>;

function secondary(policy = POLICY): HaSim {
  const cfg: HaConfig = { node: 'cms-secondary', timers: TIMERS, policy, epoch: 'epoch-1' };
  const s = new Sim<HaSnapshot, HaInput, HaNotice>(haMachine(cfg), initialHa());
  s.input({ type: 'start' });
  return s;
}

function primary(policy = POLICY): HaSim {
  const cfg: HaConfig = { node: 'cms-primary', timers: TIMERS, policy, epoch: 'unused' };
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

  it('sends {beat, fromRole} on a new connection once it is open', () => {
    const s = secondary();
    const fx = s.advanceTo(0);
    const dial = only(
      s.log.map((l) => l.effect),
      'dial',
    )[0];
    expect(dial).to.include({ link: 'heartbeat' });
    expect(fx).to.be.an('array');
    const sent = s.input({ type: 'connected', conn: dial?.conn as number });
    expect(only(sent, 'send')[0]?.msg).to.deep.equal({ t: 'hb', beat: 1, fromRole: 'STANDBY', takenOver: false, epoch: 'epoch-1' });
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

  it('marks its beats takenOver from an automatic failover until it goes STANDBY; a manual set-active gives false', () => {
    const s = secondary();
    const beatAt = (ms: number) => {
      s.advanceTo(ms);
      const conn = s.state.outstanding.at(-1)?.conn as number;
      return only(s.input({ type: 'connected', conn }), 'send')[0]?.msg;
    };
    beats(s, 2_000, 'refuse');
    expect(beatAt(3_000)).to.deep.equal({ t: 'hb', beat: 4, fromRole: 'ACTIVE', takenOver: true, epoch: 'epoch-1' });
    s.input({ type: 'set-standby' });
    expect(beatAt(4_000)).to.deep.include({ fromRole: 'STANDBY', takenOver: false });
    s.input({ type: 'set-active' });
    expect(beatAt(5_000)).to.deep.include({ fromRole: 'ACTIVE', takenOver: false });
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

describe('CMS HA role: primary', () => {
  const hb = (beat: number, fromRole: 'ACTIVE' | 'STANDBY', takenOver = fromRole === 'ACTIVE', epoch = 'epoch-1') => ({
    type: 'message' as const,
    conn: -beat,
    msg: { t: 'hb' as const, beat, fromRole, takenOver, epoch },
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

  it('emits a received event for every heartbeat request, with the sender’s role and takenOver', () => {
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
    s.advanceTo(5_000);
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
    expect(answer(s.input(hb(11, 'STANDBY')))).to.deep.equal({ t: 'hb-ans', beat: 11, role: 'ACTIVE' });
    // Made ACTIVE again by an operator (takenOver false): not undone, both ACTIVE is the operator's doing.
    expect(answer(s.input(hb(12, 'ACTIVE', false)))).to.deep.equal({ t: 'hb-ans', beat: 12, role: 'ACTIVE' });
    expect(s.state.dualActive).to.equal(true);
    const sec = secondary({ ...POLICY, autoFailback: true });
    beats(sec, 3_000, 'refuse');
    expect(sec.state.role).to.equal('ACTIVE');
    sec.advanceTo(4_000);
    const conn = sec.state.outstanding[0]?.conn as number;
    sec.input({ type: 'message', conn, msg: { t: 'hb-ans', beat: sec.state.beat, role: 'ACTIVE', demandStandby: true } });
    expect(sec.state.role).to.equal('STANDBY');
    expect(sec.events('role').at(-1)?.reason).to.match(/^failback/);
    expect(sec.events('alarm').filter((a) => a.alarm === 'DUAL_ACTIVE')).to.deep.equal([]);
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

  it('applies the policy once per takeover: an operator’s change sticks, and a heartbeat with takenOver false re-arms it', () => {
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

  it('counts a manual change on the primary during a takeover as the operator handling it: no return policy', () => {
    const p = running({ ...POLICY, autoFailback: true });
    // Heartbeat path cut; the operator makes the primary STANDBY; the path heals.
    p.input({ type: 'set-standby' });
    const msg = answer(p.input(hb(6, 'ACTIVE', true)));
    expect(msg).to.deep.equal({ t: 'hb-ans', beat: 6, role: 'STANDBY' });
    expect(p.state.role).to.equal('STANDBY');
  });

  it('holds STANDBY when pending and the secondary was made ACTIVE by an operator (no takeover to apply a policy to)', () => {
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
    const hb = (beat: number, fromRole: 'ACTIVE' | 'STANDBY') => ({
      type: 'message' as const,
      conn: -beat,
      msg: { t: 'hb' as const, beat, fromRole, takenOver: false, epoch: 'epoch-1' },
    });
    const p = primary();
    p.input(hb(1, 'STANDBY'));
    p.input({ type: 'set-standby' });
    const s = secondary();
    s.input({ type: 'set-active' });
    p.input(hb(2, 'ACTIVE'));
    s.input({ type: 'peer-role', role: 'STANDBY', via: 'heartbeat answer' });
    expect([p.state.role, s.state.role]).to.deep.equal(['STANDBY', 'ACTIVE']);
    expect([p.state.dualActive, s.state.dualActive]).to.deep.equal([false, false]);
  });
});
