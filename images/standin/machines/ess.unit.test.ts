// Fake-clock tests of the ESS: no-service timing boundary (from the CM's last reachable instant, also across a reset),
// no pre-emptive return, forced takeover, reset, auto-return, its state told to the main CM.

import { expect } from 'chai';
import { essMachine, initialEss, type EssConfig, type EssInput, type EssNotice, type EssSnapshot } from './ess.js';
import { Sim, only } from '../test-support/sim.js';

const TIMERS = { keepaliveIntervalMs: 100, keepaliveMisses: 3, essNoServiceTimeoutMs: 2_000, essResetMs: 500 };
const CFG: EssConfig = { timers: TIMERS, policy: { essAutoReturnMs: null } };

function sim(cfg: EssConfig = CFG): Sim<EssSnapshot, EssInput, EssNotice> {
  const s = new Sim<EssSnapshot, EssInput, EssNotice>(essMachine(cfg), initialEss());
  s.input({ type: 'start' });
  return s;
}

/** Connects the current dial and lets the CM answer. */
function answer(s: Sim<EssSnapshot, EssInput, EssNotice>): number {
  const conn = s.state.conn as number;
  s.input({ type: 'connected', conn });
  s.input({ type: 'message', conn, msg: { t: 'ess-hello-ack' } });
  return conn;
}

/** Refuses every dial until `ms`. */
function cmDownUntil(s: Sim<EssSnapshot, EssInput, EssNotice>, ms: number): void {
  if (s.state.conn !== null) s.input({ type: 'closed', conn: s.state.conn, reason: 'refused' });
  while (true) {
    const wake = essMachine(CFG).nextWakeMs(s.state);
    if (wake === null || wake > ms) break;
    s.nowMs = wake;
    for (const d of only(s.input({ type: 'tick' }), 'dial')) s.input({ type: 'closed', conn: d.conn, reason: 'refused' });
  }
  s.nowMs = ms;
}

describe('ESS state machine', () => {
  it('registers with the CM, keeps alive, and stays STANDBY while the CM answers', () => {
    const s = sim();
    expect(s.effects('dial')[0]).to.include({ link: 'ess-cm' });
    const conn = answer(s);
    for (let ms = 100; ms <= 1_000; ms += 100) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn, msg: { t: 'ka' } });
    }
    expect(s.state.ess).to.equal('STANDBY');
    expect(s.effects('send').filter((x) => x.msg.t === 'ka')).to.have.length(10);
  });

  it('enters NO_SERVICE_TIMING when the CM connection closes, and goes ACTIVE exactly essNoServiceTimeoutMs later', () => {
    const s = sim();
    answer(s);
    s.nowMs = 1_000;
    cmDownUntil(s, 2_999);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    expect(s.events('ess').at(-1)).to.include({ state: 'NO_SERVICE_TIMING', previous: 'STANDBY', atMs: 1_000 });
    s.advanceTo(2_999);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    cmDownUntil(s, 3_000);
    expect(s.state.ess).to.equal('ACTIVE');
    expect(s.effects('serving')).to.deep.equal([{ type: 'serving', serving: true, reason: 'ESS ACTIVE', atMs: 3_000 }]);
  });

  it('counts silence from its first dial, on a clock that does not start at zero', () => {
    const s = new Sim<EssSnapshot, EssInput, EssNotice>(essMachine(CFG), initialEss());
    s.nowMs = 10_000_000;
    s.input({ type: 'start' });
    s.advanceTo(10_000_299);
    expect(s.state.ess).to.equal('STANDBY');
    answer(s);
    expect(s.events('ess').map((e) => e.state)).to.deep.equal(['STANDBY']);
  });

  it('declares a silent CM unreachable at keepaliveMisses x keepaliveInterval, not 1 ms before', () => {
    const s = sim();
    answer(s);
    s.advanceTo(299);
    expect(s.state.ess).to.equal('STANDBY');
    const fx = s.advanceTo(300);
    expect(only(fx, 'close')).to.have.length(1);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    expect(s.state.timingSinceMs).to.equal(300);
  });

  it('returns to STANDBY when the CM answers during the timing, and times afresh after that', () => {
    const s = sim();
    answer(s);
    s.nowMs = 100;
    cmDownUntil(s, 1_500);
    answer(s);
    expect(s.state.ess).to.equal('STANDBY');
    expect(s.events('ess').at(-1)?.reason).to.match(/answered/);
    cmDownUntil(s, 3_000);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
  });

  it('stays ACTIVE when the main CM comes back (no pre-emptive return)', () => {
    const s = sim();
    cmDownUntil(s, 2_000);
    expect(s.state.ess).to.equal('ACTIVE');
    s.advanceTo(2_100);
    const conn = answer(s);
    s.advanceTo(5_000);
    s.input({ type: 'message', conn, msg: { t: 'ka' } });
    expect(s.state.ess).to.equal('ACTIVE');
  });

  it('goes RESETTING on a forced takeover, stops serving, and is STANDBY exactly essResetMs later', () => {
    const s = sim();
    cmDownUntil(s, 2_000);
    s.advanceTo(2_100);
    const conn = answer(s);
    s.nowMs = 2_200;
    s.input({ type: 'message', conn, msg: { t: 'takeover' } });
    expect(s.state.ess).to.equal('RESETTING');
    expect(s.effects('serving').at(-1)).to.include({ serving: false });
    for (let ms = 2_250; ms < 2_700; ms += 50) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn, msg: { t: 'ka' } });
    }
    s.advanceTo(2_699);
    expect(s.state.ess).to.equal('RESETTING');
    s.advanceTo(2_700);
    expect(s.state.ess).to.equal('STANDBY');
    expect(s.events('ess').map((e) => e.state)).to.deep.equal(['STANDBY', 'NO_SERVICE_TIMING', 'ACTIVE', 'RESETTING', 'STANDBY']);
  });

  it('ignores a takeover order when not ACTIVE', () => {
    const s = sim();
    const conn = answer(s);
    s.input({ type: 'message', conn, msg: { t: 'takeover' } });
    expect(s.state.ess).to.equal('STANDBY');
  });

  it('returns by schedule policy.essAutoReturnMs after going ACTIVE when the CM answers, and times again if the CM is lost during the reset', () => {
    const cfg: EssConfig = { timers: TIMERS, policy: { essAutoReturnMs: 1_000 } };
    const s = new Sim<EssSnapshot, EssInput, EssNotice>(essMachine(cfg), initialEss());
    s.input({ type: 'start' });
    cmDownUntil(s, 2_500);
    expect(s.state.ess).to.equal('ACTIVE');
    s.advanceTo(2_600);
    const conn = answer(s);
    for (let ms = 2_700; ms < 3_000; ms += 100) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn, msg: { t: 'ka' } });
    }
    s.advanceTo(2_999);
    expect(s.state.ess).to.equal('ACTIVE');
    s.advanceTo(3_000);
    expect(s.state.ess).to.equal('RESETTING');
    s.nowMs = 3_100;
    cmDownUntil(s, 3_500);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    expect(s.state.timingSinceMs).to.equal(3_500);
  });

  it('holds a scheduled return while the main CM is unreachable, and returns as soon as the CM answers again', () => {
    const cfg: EssConfig = { timers: TIMERS, policy: { essAutoReturnMs: 1_000 } };
    const s = new Sim<EssSnapshot, EssInput, EssNotice>(essMachine(cfg), initialEss());
    s.input({ type: 'start' });
    cmDownUntil(s, 3_500);
    expect(s.state.ess, 'the schedule passed at 3000 with the CM unreachable').to.equal('ACTIVE');
    s.advanceTo(3_600);
    answer(s);
    expect(s.state.ess).to.equal('RESETTING');
    expect(s.events('ess').at(-1)).to.include({ state: 'RESETTING', atMs: 3_600 });
    expect(s.events('ess').at(-1)?.reason).to.match(/^scheduled return/);
  });

  it('counts the no-service timeout from the last instant the main CM answered, not from when its silence was declared', () => {
    // Old behaviour: the timeout counted from the detection of the silence (300 here), so ACTIVE at 2300.
    const s = sim();
    answer(s);
    s.advanceTo(300);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    s.advanceTo(1_999);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    cmDownUntil(s, 2_000);
    expect(s.events('ess').at(-1)).to.include({ state: 'ACTIVE', atMs: 2_000 });
  });

  it('keeps counting the no-service timeout through RESETTING: a CM lost during the reset makes it ACTIVE the timeout after its last answer', () => {
    // Old behaviour: the timing started afresh at the end of the reset (ACTIVE at 3000 + 500 + 2000).
    const s = sim();
    cmDownUntil(s, 2_000);
    s.advanceTo(2_100);
    const conn = answer(s);
    s.nowMs = 2_200;
    s.input({ type: 'message', conn, msg: { t: 'takeover' } });
    s.nowMs = 2_300;
    s.input({ type: 'message', conn, msg: { t: 'ka' } });
    s.nowMs = 2_400;
    cmDownUntil(s, 4_399);
    expect(s.events('ess').map((e) => [e.state, e.atMs])).to.deep.equal([
      ['STANDBY', 0],
      ['NO_SERVICE_TIMING', 0],
      ['ACTIVE', 2_000],
      ['RESETTING', 2_200],
      ['STANDBY', 2_700],
      ['NO_SERVICE_TIMING', 2_700],
    ]);
    cmDownUntil(s, 4_400);
    expect(s.events('ess').at(-1)).to.include({ state: 'ACTIVE', atMs: 4_400 });
  });

  it('goes ACTIVE at the end of its reset when the timeout since the CM’s last answer passed during the reset', () => {
    const cfg: EssConfig = { timers: { ...TIMERS, essResetMs: 3_000 }, policy: { essAutoReturnMs: null } };
    const s = new Sim<EssSnapshot, EssInput, EssNotice>(essMachine(cfg), initialEss());
    s.input({ type: 'start' });
    cmDownUntil(s, 2_000);
    s.advanceTo(2_100);
    const conn = answer(s);
    s.nowMs = 2_200;
    s.input({ type: 'message', conn, msg: { t: 'takeover' } });
    s.nowMs = 2_300;
    cmDownUntil(s, 5_200);
    expect(
      s
        .events('ess')
        .slice(-3)
        .map((e) => [e.state, e.atMs]),
    ).to.deep.equal([
      ['STANDBY', 5_200],
      ['NO_SERVICE_TIMING', 5_200],
      ['ACTIVE', 5_200],
    ]);
  });

  it('tells the main CM its state: in its hello, in every keep-alive, and at once when it changes', () => {
    // Old behaviour: hello and keep-alives said nothing, so the CM could not know the ESS was in control.
    const s = sim();
    const conn = s.state.conn as number;
    expect(only(s.input({ type: 'connected', conn }), 'send')[0]?.msg).to.deep.equal({ t: 'ess-hello', state: 'STANDBY' });
    s.input({ type: 'message', conn, msg: { t: 'ess-hello-ack' } });
    expect(only(s.advanceTo(100), 'send')[0]?.msg).to.deep.equal({ t: 'ka', ess: 'STANDBY' });
    s.input({ type: 'message', conn, msg: { t: 'ka' } });
    s.advanceTo(400);
    expect(s.state.ess).to.equal('NO_SERVICE_TIMING');
    // Reconnected while timing: the change to STANDBY goes out at once.
    s.advanceTo(500);
    const again = s.state.conn as number;
    s.input({ type: 'connected', conn: again });
    const fx = s.input({ type: 'message', conn: again, msg: { t: 'ess-hello-ack' } });
    expect(only(fx, 'send').map((x) => x.msg)).to.deep.equal([{ t: 'ka', ess: 'STANDBY' }]);
  });
});
