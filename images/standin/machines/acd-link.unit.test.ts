// Fake-clock tests of the CMS ACD link with Dual-IP: the slot grid, every state change, the silence boundary, no
// reconnect storm, ACD_LINK_DOWN.

import { expect } from 'chai';
import {
  acdLinkMachine,
  initialAcdLink,
  type AcdLinkConfig,
  type AcdLinkInput,
  type AcdLinkNotice,
  type AcdLinkSnapshot,
} from './acd-link.js';
import { Sim, only } from '../test-support/sim.js';

const TIMERS = { linkRetryMs: 1_000, mainAttempts: 5, essAttempts: 2, keepaliveIntervalMs: 100, keepaliveMisses: 3 };
const CFG: AcdLinkConfig = { node: 'cms-primary', timers: TIMERS, mainLink: 'acd-primary', essLink: 'acd-primary-ess' };

function sim(cfg: AcdLinkConfig = CFG): Sim<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice> {
  const s = new Sim<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice>(acdLinkMachine(cfg), initialAcdLink());
  s.input({ type: 'start' });
  return s;
}

/** Drives the current attempt through to DATA_TRANSFER. */
function link(s: Sim<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice>): void {
  const conn = s.state.conn as number;
  s.input({ type: 'connected', conn });
  s.input({ type: 'message', conn, msg: { t: 'accept' } });
  s.input({ type: 'message', conn, msg: { t: 'data-start' } });
}

/** Refuses every attempt, recording (time, link, attempt, cycle) of each dial until `untilMs`. */
function refuseAll(s: Sim<AcdLinkSnapshot, AcdLinkInput, AcdLinkNotice>, untilMs: number): Array<[number, string, number, number]> {
  const dials: Array<[number, string, number, number]> = [];
  const record = (fx: ReturnType<typeof s.input>): void => {
    for (const d of only(fx, 'dial')) {
      dials.push([s.nowMs, d.link, s.state.attempt, s.state.cycle]);
      // Refuse it at once.
      record(s.input({ type: 'closed', conn: d.conn, reason: 'refused' }));
    }
  };
  for (const d of s.effects('dial')) {
    if (d.conn === s.state.conn) {
      dials.push([d.atMs, d.link, s.state.attempt, s.state.cycle]);
      s.input({ type: 'closed', conn: d.conn, reason: 'refused' });
    }
  }
  while (s.nowMs < untilMs) {
    const wake = acdLinkMachine(CFG).nextWakeMs(s.state);
    if (wake === null || wake > untilMs) break;
    s.nowMs = wake;
    record(s.input({ type: 'tick' }));
  }
  return dials;
}

describe('ACD link state machine (Dual-IP)', () => {
  it('starts IDLE and dials the main CM at once as attempt 1 of cycle 1', () => {
    const m = acdLinkMachine(CFG);
    const r = m.step(initialAcdLink(), { type: 'start' }, 0);
    expect(r.state.state).to.equal('CONNECTING');
    expect(r.state).to.include({ target: 'cm', attempt: 1, cycle: 1 });
    expect(only(r.effects, 'dial')).to.deep.equal([{ type: 'dial', conn: 1, link: 'acd-primary' }]);
    expect(only(r.effects, 'emit')[0]?.event).to.include({ type: 'acd-link', state: 'CONNECTING', target: 'cm', attempt: 1, cycle: 1 });
  });

  it('goes CONNECTING -> WAITING_ACCEPTANCE -> TRANSLATION_PUMPUP -> DATA_TRANSFER, emitting each state', () => {
    const s = sim();
    const conn = s.state.conn as number;
    const fx = s.input({ type: 'connected', conn });
    expect(only(fx, 'send')[0]?.msg).to.deep.equal({ t: 'hello', node: 'cms-primary' });
    expect(s.state.state).to.equal('WAITING_ACCEPTANCE');
    s.input({ type: 'message', conn, msg: { t: 'accept' } });
    expect(s.state.state).to.equal('TRANSLATION_PUMPUP');
    s.input({ type: 'message', conn, msg: { t: 'data-start' } });
    expect(s.state.state).to.equal('DATA_TRANSFER');
    expect(s.events('acd-link').map((e) => e.state)).to.deep.equal([
      'CONNECTING',
      'WAITING_ACCEPTANCE',
      'TRANSLATION_PUMPUP',
      'DATA_TRANSFER',
    ]);
    const data = s.input({ type: 'message', conn, msg: { t: 'acd', seq: 7 } });
    expect(only(data, 'acd-data')).to.deep.equal([{ type: 'acd-data', source: 'cm', seq: 7 }]);
  });

  it('treats a first acd event during pump-up as the start of data transfer', () => {
    const s = sim();
    const conn = s.state.conn as number;
    s.input({ type: 'connected', conn });
    s.input({ type: 'message', conn, msg: { t: 'accept' } });
    const fx = s.input({ type: 'message', conn, msg: { t: 'acd', seq: 1 } });
    expect(s.state.state).to.equal('DATA_TRANSFER');
    expect(only(fx, 'acd-data')).to.have.length(1);
  });

  it('walks the 5/2 Dual-IP cycle on the slot grid: cm at 0..4 s, ess at 5 and 6 s, cm again at 7 s in cycle 2', () => {
    const s = sim();
    const dials = refuseAll(s, 14_000);
    expect(dials.slice(0, 8)).to.deep.equal([
      [0, 'acd-primary', 1, 1],
      [1_000, 'acd-primary', 2, 1],
      [2_000, 'acd-primary', 3, 1],
      [3_000, 'acd-primary', 4, 1],
      [4_000, 'acd-primary', 5, 1],
      [5_000, 'acd-primary-ess', 6, 1],
      [6_000, 'acd-primary-ess', 7, 1],
      [7_000, 'acd-primary', 1, 2],
    ]);
    expect(dials[14]).to.deep.equal([14_000, 'acd-primary', 1, 3]);
    expect(s.events('acd-link').filter((e) => e.reason?.startsWith('attempt 1 failed'))).to.have.length.greaterThan(0);
  });

  it('keeps a failed attempt CONNECTING until its slot ends: no new dial 1 ms before the slot, one at the slot', () => {
    const s = sim();
    s.input({ type: 'closed', conn: 1, reason: 'refused' });
    expect(s.state).to.include({ state: 'CONNECTING', attempt: 1, conn: null });
    expect(only(s.advanceTo(999), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(1_000), 'dial')).to.deep.equal([{ type: 'dial', conn: 2, link: 'acd-primary' }]);
    expect(s.state.attempt).to.equal(2);
  });

  it('abandons an attempt that is connected but not accepted when the next slot comes', () => {
    const s = sim();
    s.input({ type: 'connected', conn: 1 });
    s.advanceTo(999);
    expect(s.state.state).to.equal('WAITING_ACCEPTANCE');
    const fx = s.advanceTo(1_000);
    expect(only(fx, 'close')[0]).to.include({ conn: 1 });
    expect(only(fx, 'dial')[0]).to.include({ conn: 2, link: 'acd-primary' });
    expect(s.state).to.include({ state: 'CONNECTING', attempt: 2 });
  });

  it('treats a reject as a failed attempt and waits for the next slot', () => {
    const s = sim();
    s.input({ type: 'connected', conn: 1 });
    const fx = s.input({ type: 'message', conn: 1, msg: { t: 'reject', reason: 'not serving' } });
    expect(only(fx, 'close')).to.have.length(1);
    expect(s.state).to.include({ state: 'CONNECTING', conn: null, attempt: 1 });
    expect(s.events('acd-link').at(-1)?.reason).to.match(/^attempt 1 failed: rejected/);
  });

  it('does not hold a slot open after acceptance: pump-up goes on past the next slot', () => {
    const s = sim();
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'accept' } });
    s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    s.advanceTo(250);
    s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    s.advanceTo(500);
    s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    s.advanceTo(750);
    s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    s.advanceTo(1_001);
    expect(s.state.state).to.equal('TRANSLATION_PUMPUP');
  });

  it('declares a silent link lost exactly at keepaliveMisses x keepaliveInterval, not 1 ms before', () => {
    const s = sim();
    link(s);
    s.advanceTo(50);
    s.input({ type: 'message', conn: 1, msg: { t: 'acd', seq: 1 } });
    s.advanceTo(349);
    expect(s.state.state).to.equal('DATA_TRANSFER');
    const fx = s.advanceTo(350);
    expect(only(fx, 'close')[0]).to.include({ conn: 1 });
    expect(s.state).to.include({ state: 'CONNECTING', target: 'cm', attempt: 1, cycle: 2, cycleStartMs: 350 });
    expect(only(fx, 'dial')[0]).to.include({ link: 'acd-primary' });
    expect(s.events('alarm')).to.deep.include({
      type: 'alarm',
      alarm: 'ACD_LINK_DOWN',
      raised: true,
      detail: s.events('alarm')[0]?.detail,
      atMs: 350,
    });
  });

  it('sends a keep-alive every keepaliveIntervalMs while linked', () => {
    const s = sim();
    link(s);
    for (let ms = 50; ms <= 300; ms += 50) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    }
    expect(
      s
        .effects('send')
        .filter((x) => x.msg.t === 'ka')
        .map((x) => x.atMs),
    ).to.deep.equal([100, 200, 300]);
  });

  // Was "...; relinking clears ACD_LINK_DOWN" expecting the alarm raised at the loss: ACD_LINK_DOWN now needs the link
  // out of data transfer for keepaliveMisses·keepaliveInterval, and a link back at once never raises it.
  it('restarts at the main CM, attempt 1, at once when the connection closes in DATA_TRANSFER; relinking at once raises no ACD_LINK_DOWN', () => {
    const s = sim();
    link(s);
    s.advanceTo(40);
    const fx = s.input({ type: 'closed', conn: 1, reason: 'reset' });
    expect(only(fx, 'dial')[0]).to.include({ conn: 2, link: 'acd-primary' });
    expect(s.state).to.include({ attempt: 1, cycle: 2 });
    link(s);
    expect(s.events('alarm')).to.deep.equal([]);
  });

  it('stays on the ESS once linked there and restarts at the main CM when that link drops', () => {
    const s = sim();
    refuseAll(s, 5_000);
    expect(s.state).to.include({ target: 'ess', attempt: 6 });
    s.advanceTo(5_000);
    // The attempt at 5 s was refused by refuseAll; the ESS accepts the one at 6 s.
    s.advanceTo(6_000);
    expect(s.state).to.include({ target: 'ess', attempt: 7 });
    const conn = s.state.conn as number;
    link(s);
    for (let ms = 6_100; ms <= 20_000; ms += 100) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn, msg: { t: 'acd', seq: ms } });
    }
    expect(s.state).to.include({ state: 'DATA_TRANSFER', target: 'ess' });
    expect(s.effects('dial', 6_001)).to.have.length(0);
    s.input({ type: 'closed', conn, reason: 'closed' });
    expect(s.state).to.include({ target: 'cm', attempt: 1, state: 'CONNECTING' });
    expect(s.effects('dial').at(-1)?.link).to.equal('acd-primary');
  });

  it('makes only main attempts when no ESS dial is configured', () => {
    const s = sim({ ...CFG, essLink: null });
    const dials = refuseAll(s, 6_000);
    expect(dials.map((d) => [d[0], d[1], d[2], d[3]])).to.deep.equal([
      [0, 'acd-primary', 1, 1],
      [1_000, 'acd-primary', 2, 1],
      [2_000, 'acd-primary', 3, 1],
      [3_000, 'acd-primary', 4, 1],
      [4_000, 'acd-primary', 5, 1],
      [5_000, 'acd-primary', 1, 2],
      [6_000, 'acd-primary', 2, 2],
    ]);
  });

  it('ignores events of connections it no longer owns', () => {
    const s = sim();
    s.input({ type: 'closed', conn: 1, reason: 'refused' });
    const before = s.state;
    s.input({ type: 'message', conn: 1, msg: { t: 'accept' } });
    s.input({ type: 'connected', conn: 1 });
    expect(s.state).to.deep.equal(before);
  });

  it('counts a link dropped during pump-up as an attempt: the next one waits for its slot', () => {
    // Old behaviour: the loss started a new cycle and dialled the main CM at once (a CM that accepts and drops made a storm).
    const s = sim();
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'accept' } });
    s.nowMs = 200;
    const fx = s.input({ type: 'closed', conn: 1, reason: 'reset' });
    expect(only(fx, 'dial')).to.deep.equal([]);
    expect(s.state).to.include({ state: 'CONNECTING', attempt: 1, cycle: 1, conn: null });
    expect(s.events('acd-link').at(-1)?.reason).to.equal('attempt 1 failed: lost in pump-up: reset');
    expect(only(s.advanceTo(999), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(1_000), 'dial')).to.deep.equal([{ type: 'dial', conn: 2, link: 'acd-primary' }]);
    expect(s.state).to.include({ attempt: 2, cycle: 1 });
  });

  it('after a pump-up that outlasted slots, waits for the first slot after the loss', () => {
    const s = sim();
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'accept' } });
    for (let ms = 100; ms <= 2_500; ms += 100) {
      s.advanceTo(ms);
      s.input({ type: 'message', conn: 1, msg: { t: 'ka' } });
    }
    expect(s.state.state).to.equal('TRANSLATION_PUMPUP');
    s.input({ type: 'closed', conn: 1, reason: 'closed by peer' });
    expect(only(s.advanceTo(2_999), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(3_000), 'dial')).to.have.length(1);
    expect(s.state).to.include({ attempt: 4, cycle: 1 });
  });

  it('makes one attempt, at the latest slot that passed, when several slots passed at once (a paused process)', () => {
    // Old behaviour: the slot walk dialled attempts 2, 3 and 4 in the same tick.
    const s = sim();
    s.input({ type: 'closed', conn: 1, reason: 'refused' });
    s.nowMs = 3_500;
    const fx = s.input({ type: 'tick' });
    expect(only(fx, 'dial')).to.deep.equal([{ type: 'dial', conn: 2, link: 'acd-primary' }]);
    expect(s.state).to.include({ attempt: 4, cycle: 1 });
    expect(s.events('acd-link').filter((e) => e.reason?.startsWith('attempt 4 of'))).to.have.length(1);
    // The grid restarts at the late attempt: the next one a whole slot after it (old behaviour: at 4 s, 500 ms after).
    s.input({ type: 'closed', conn: 2, reason: 'refused' });
    expect(only(s.advanceTo(4_499), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(4_500), 'dial')).to.have.length(1);
    expect(s.state).to.include({ attempt: 5, cycle: 1, cycleStartMs: 500 });
    // A pause across a cycle's end lands in the next cycle, and the grid restarts there too.
    s.input({ type: 'closed', conn: 3, reason: 'refused' });
    s.nowMs = 15_200;
    expect(only(s.input({ type: 'tick' }), 'dial')).to.have.length(1);
    expect(s.state).to.include({ cycle: 3, attempt: 1, cycleStartMs: 15_200 });
    expect(only(s.advanceTo(16_199), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(16_200), 'dial')).to.have.length(1);
  });

  it('raises ACD_LINK_DOWN keepaliveMisses·keepaliveInterval after its start when it never reached data transfer', () => {
    // Old behaviour: raised only on the loss of a link that had been in data transfer, so a CMS started while its CM
    // link was cut never raised it.
    const s = sim();
    refuseAll(s, 299);
    expect(s.events('alarm')).to.deep.equal([]);
    s.advanceTo(300);
    expect(s.events('alarm')).to.deep.equal([
      {
        type: 'alarm',
        alarm: 'ACD_LINK_DOWN',
        raised: true,
        detail:
          'cms-primary has not been in data transfer for 300 ms since its start (never connected): CONNECTING to cm, attempt 1 of cycle 1',
        atMs: 300,
      },
    ]);
  });

  it('raises ACD_LINK_DOWN only when a lost link is not back in data transfer within keepaliveMisses·keepaliveInterval, and clears it there', () => {
    const s = sim();
    link(s);
    s.advanceTo(40);
    s.input({ type: 'closed', conn: 1, reason: 'reset' });
    s.advanceTo(339);
    expect(s.events('alarm')).to.deep.equal([]);
    s.advanceTo(340);
    expect(s.events('alarm').map((a) => [a.raised, a.atMs])).to.deep.equal([[true, 340]]);
    s.advanceTo(500);
    link(s);
    expect(s.events('alarm').map((a) => [a.raised, a.atMs])).to.deep.equal([
      [true, 340],
      [false, 500],
    ]);
  });
});
