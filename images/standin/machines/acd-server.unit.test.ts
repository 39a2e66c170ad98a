// Fake-clock tests of the CM/ESS side of the ACD links: acceptance, pump-up boundary, one shared stream, serving only
// while its switch is in control.

import { expect } from 'chai';
import { acdServerMachine, initialAcdServer, linkedCms, type AcdServerInput, type AcdServerSnapshot } from './acd-server.js';
import { Sim, only } from '../test-support/sim.js';

const TIMERS = { pumpupMs: 500, keepaliveIntervalMs: 1_000, keepaliveMisses: 3, acdEventRateHz: 10 };

function sim(serving = true, undecided = false): Sim<AcdServerSnapshot, AcdServerInput> {
  const s = new Sim<AcdServerSnapshot, AcdServerInput>(
    acdServerMachine({ name: 'cm', timers: TIMERS }),
    initialAcdServer(serving, undecided),
  );
  s.input({ type: 'start' });
  return s;
}

describe('ACD server (CM / ESS) state machine', () => {
  it('accepts a hello, starts data exactly pumpupMs later, then streams every event', () => {
    const s = sim();
    s.input({ type: 'accepted', conn: -1, port: 5001 });
    const fx = s.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-primary' } });
    expect(only(fx, 'send').map((x) => x.msg)).to.deep.equal([{ t: 'accept' }]);
    s.advanceTo(499);
    expect(s.effects('send').map((x) => x.msg.t)).to.not.include('data-start');
    s.advanceTo(500);
    expect(s.effects('send').map((x) => x.msg.t)).to.include('data-start');
    expect(linkedCms(s.state)).to.deep.equal(['cms-primary']);
    s.advanceTo(800);
    const seqs = s
      .effects('send', 501)
      .filter((x) => x.msg.t === 'acd')
      .map((x) => (x.msg as { seq: number }).seq);
    expect(seqs).to.deep.equal([6, 7, 8]);
  });

  it('sends the identical stream, from one global counter, to every CMS in data transfer', () => {
    const s = sim();
    for (const [conn, node] of [
      [-1, 'cms-primary'],
      [-2, 'cms-secondary'],
    ] as const) {
      s.input({ type: 'accepted', conn, port: 5001 });
      s.input({ type: 'message', conn, msg: { t: 'hello', node } });
    }
    s.advanceTo(1_000);
    const per = (conn: number): number[] =>
      s
        .effects('send')
        .filter((x) => x.conn === conn && x.msg.t === 'acd')
        .map((x) => (x.msg as { seq: number }).seq);
    expect(per(-1)).to.deep.equal(per(-2));
    expect(per(-1)).to.deep.equal([5, 6, 7, 8, 9, 10]);
  });

  it('rejects and closes a CMS session while not serving (ESS not ACTIVE)', () => {
    const s = sim(false);
    s.input({ type: 'accepted', conn: -1, port: 5002 });
    const fx = s.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-secondary' } });
    expect(only(fx, 'send')[0]?.msg.t).to.equal('reject');
    expect(only(fx, 'close')[0]?.conn).to.equal(-1);
    expect(s.state.sessions).to.deep.equal([]);
  });

  it('drops every session when it stops serving (ESS entering RESETTING)', () => {
    const s = sim();
    s.input({ type: 'accepted', conn: -1, port: 5001 });
    s.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-primary' } });
    const fx = s.input({ type: 'set-serving', serving: false, reason: 'resetting' });
    expect(only(fx, 'close').map((c) => c.conn)).to.deep.equal([-1]);
    expect(linkedCms(s.state)).to.deep.equal([]);
  });

  it('closes a session silent for keepaliveMisses x keepaliveInterval and replaces a second session of the same CMS', () => {
    const s = sim();
    s.input({ type: 'accepted', conn: -1, port: 5001 });
    s.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-primary' } });
    s.advanceTo(2_999);
    expect(s.state.sessions).to.have.length(1);
    expect(only(s.advanceTo(3_000), 'close').map((c) => c.conn)).to.deep.equal([-1]);
    s.input({ type: 'accepted', conn: -2, port: 5001 });
    s.input({ type: 'message', conn: -2, msg: { t: 'hello', node: 'cms-primary' } });
    s.input({ type: 'accepted', conn: -3, port: 5001 });
    const fx = s.input({ type: 'message', conn: -3, msg: { t: 'hello', node: 'cms-primary' } });
    expect(only(fx, 'close').map((c) => c.conn)).to.deep.equal([-2]);
  });

  it('leaves a hello unanswered while it does not know whether its switch is in control, then accepts or rejects it', () => {
    // Old behaviour: the CM always served, so a CM restarted while the ESS was in control accepted CMS links at once.
    const s = sim(false, true);
    s.input({ type: 'accepted', conn: -1, port: 5001 });
    s.input({ type: 'accepted', conn: -2, port: 5002 });
    expect(only(s.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-primary' } }), 'send')).to.deep.equal([]);
    s.input({ type: 'message', conn: -2, msg: { t: 'hello', node: 'cms-secondary' } });
    s.advanceTo(100);
    const fx = s.input({ type: 'set-serving', serving: true, reason: 'the ESS is STANDBY' });
    expect(only(fx, 'send').map((x) => [x.conn, x.msg.t])).to.deep.equal([
      [-1, 'accept'],
      [-2, 'accept'],
    ]);
    s.advanceTo(600);
    expect(linkedCms(s.state)).to.deep.equal(['cms-primary', 'cms-secondary']);

    const out = sim(false, true);
    out.input({ type: 'accepted', conn: -1, port: 5001 });
    out.input({ type: 'message', conn: -1, msg: { t: 'hello', node: 'cms-primary' } });
    const no = out.input({ type: 'set-serving', serving: false, reason: 'the ESS is ACTIVE' });
    expect(only(no, 'send').map((x) => x.msg.t)).to.deep.equal(['reject']);
    expect(only(no, 'close').map((x) => x.conn)).to.deep.equal([-1]);
  });
});
