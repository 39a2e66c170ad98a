// Tests of the main CM's side of ess-cm: registration, keep-alive answers, the forced-takeover order, and switch
// control: the CM is in control exactly when the ESS says it is not ACTIVE, or no ESS is heard.

import { expect } from 'chai';
import {
  essPeerMachine,
  forcedTakeoverRefusal,
  initialEssPeer,
  type EssPeerInput,
  type EssPeerNotice,
  type EssPeerSnapshot,
} from './ess-peer.js';
import { essMachine, initialEss, type EssInput, type EssNotice, type EssSnapshot } from './ess.js';
import { Sim, only } from '../test-support/sim.js';
import type { WireMsg } from '../wire.js';

type Cm = Sim<EssPeerSnapshot, EssPeerInput, EssPeerNotice>;
const TIMERS = { keepaliveIntervalMs: 100, keepaliveMisses: 3 };

function sim(startMs = 0): Cm {
  return new Sim<EssPeerSnapshot, EssPeerInput, EssPeerNotice>(essPeerMachine({ timers: TIMERS }), initialEssPeer(), startMs);
}

/** A started CM with one ESS connection on -1 that said hello in `state`. */
function registered(state: 'STANDBY' | 'ACTIVE', startMs = 0): Cm {
  const s = sim(startMs);
  s.input({ type: 'start' });
  s.input({ type: 'accepted', conn: -1, port: 5010 });
  s.input({ type: 'message', conn: -1, msg: { t: 'ess-hello', state } });
  return s;
}

const control = (s: Cm) => s.events('switch-control').map((e) => [e.inControl, e.atMs]);

describe('CM side of ess-cm', () => {
  it('answers the hello and every keep-alive', () => {
    const s = sim();
    s.input({ type: 'accepted', conn: -1, port: 5010 });
    expect(only(s.input({ type: 'message', conn: -1, msg: { t: 'ess-hello' } }), 'send')[0]?.msg).to.deep.equal({ t: 'ess-hello-ack' });
    expect(only(s.input({ type: 'message', conn: -1, msg: { t: 'ka' } }), 'send')[0]?.msg).to.deep.equal({ t: 'ka' });
  });

  it('refuses a forced takeover with no registered ESS, and sends it to the registered one otherwise', () => {
    const s = sim();
    expect(forcedTakeoverRefusal(s.state)).to.match(/no ESS/);
    s.input({ type: 'accepted', conn: -1, port: 5010 });
    s.input({ type: 'message', conn: -1, msg: { t: 'ess-hello' } });
    expect(forcedTakeoverRefusal(s.state)).to.equal(null);
    expect(only(s.input({ type: 'forced-takeover' }), 'send')).to.deep.equal([{ type: 'send', conn: -1, msg: { t: 'takeover' } }]);
  });

  it('closes an ESS connection silent for keepaliveMisses x keepaliveInterval', () => {
    const s = sim();
    s.input({ type: 'accepted', conn: -1, port: 5010 });
    s.advanceTo(299);
    expect(s.state.sessions).to.have.length(1);
    expect(only(s.advanceTo(300), 'close')).to.have.length(1);
  });

  it('is out of control after its start while the ESS says it is ACTIVE, and takes control when the ESS resets after a forced takeover', () => {
    // Old behaviour: a restarted CM served CMS links at once, while the ESS served them too (two switches).
    const cm = registered('ACTIVE', 1_000);
    expect(cm.state.inControl).to.equal(false);
    for (let ms = 1_100; ms <= 5_000; ms += 100) {
      cm.advanceTo(ms);
      cm.input({ type: 'message', conn: -1, msg: { t: 'ka', ess: 'ACTIVE' } });
    }
    expect(cm.state.inControl, 'a live ESS keeps it out').to.equal(false);
    cm.input({ type: 'forced-takeover' });
    cm.input({ type: 'message', conn: -1, msg: { t: 'ka', ess: 'RESETTING' } });
    expect(control(cm)).to.deep.equal([
      [false, 1_000],
      [true, 5_000],
    ]);
    expect(cm.effects('control').map((n) => n.inControl)).to.deep.equal([false, true]);
  });

  it('takes control at its start as soon as an ESS says it is not ACTIVE, and without any ESS after (keepaliveMisses+1)·keepaliveInterval', () => {
    expect(registered('STANDBY').state.inControl).to.equal(true);
    const alone = sim(1_000);
    alone.input({ type: 'start' });
    alone.advanceTo(1_399);
    expect(alone.state.inControl, 'undecided').to.equal(null);
    alone.advanceTo(1_400);
    expect(alone.events('switch-control')).to.deep.equal([
      { type: 'switch-control', inControl: true, reason: 'no ESS heard for 400 ms', atMs: 1_400 },
    ]);
  });

  it('takes control when the ESS that was in control goes silent: a dead ESS never leaves the site without a switch', () => {
    const cm = registered('ACTIVE');
    cm.nowMs = 250;
    cm.input({ type: 'message', conn: -1, msg: { t: 'ka', ess: 'ACTIVE' } });
    cm.advanceTo(649);
    expect(cm.state.inControl).to.equal(false);
    cm.advanceTo(650);
    expect(cm.state.inControl).to.equal(true);
  });

  it('yields control when it hears the ESS ACTIVE (an ess-cm cut healed after the ESS took over)', () => {
    const cm = registered('STANDBY');
    cm.nowMs = 100;
    cm.input({ type: 'message', conn: -1, msg: { t: 'ka', ess: 'ACTIVE' } });
    expect(control(cm)).to.deep.equal([
      [true, 0],
      [false, 100],
    ]);
  });
});

describe('switch control: the main CM and the ESS together', () => {
  const ESS_TIMERS = { ...TIMERS, essNoServiceTimeoutMs: 2_000, essResetMs: 500 };

  /** The ESS and the CM on one fake clock over a perfect ess-cm link (the ESS's conn c is the CM's -c). */
  class Switches {
    readonly essM = essMachine({ timers: ESS_TIMERS, policy: { essAutoReturnMs: null } });
    readonly cmM = essPeerMachine({ timers: TIMERS });
    readonly ess = new Sim<EssSnapshot, EssInput, EssNotice>(this.essM, initialEss());
    cm: Cm | null = null;

    constructor() {
      this.ess.input({ type: 'start' });
    }

    startCm(): void {
      this.cm = sim(this.ess.nowMs);
      this.cm.input({ type: 'start' });
    }

    private carry(fromEss: Array<{ type: string }>): void {
      let queue = fromEss;
      for (let guard = 0; queue.length > 0 && guard < 100; guard++) {
        const next: Array<{ type: string }> = [];
        for (const e of queue) {
          if (e.type === 'dial') {
            const conn = (e as unknown as { conn: number }).conn;
            if (this.cm === null) next.push(...this.ess.input({ type: 'closed', conn, reason: 'refused' }));
            else {
              this.cm.input({ type: 'accepted', conn: -conn, port: 5010 });
              next.push(...this.ess.input({ type: 'connected', conn }));
            }
          } else if (e.type === 'send' && this.cm !== null) {
            const x = e as unknown as { conn: number; msg: WireMsg };
            const back = only(this.cm.input({ type: 'message', conn: -x.conn, msg: x.msg }), 'send');
            for (const b of back) next.push(...this.ess.input({ type: 'message', conn: -b.conn, msg: b.msg }));
          }
        }
        queue = next;
      }
    }

    killCm(): void {
      const conn = this.ess.state.conn;
      this.cm = null;
      if (conn !== null) this.carry(this.ess.input({ type: 'closed', conn, reason: 'reset' }));
    }

    forcedTakeover(): void {
      const fx = only(this.cm?.input({ type: 'forced-takeover' }) ?? [], 'send');
      for (const b of fx) this.carry(this.ess.input({ type: 'message', conn: -b.conn, msg: b.msg }));
    }

    advanceTo(ms: number): void {
      for (let guard = 0; guard < 10_000; guard++) {
        const we = this.essM.nextWakeMs(this.ess.state);
        const wc = this.cm === null ? null : this.cmM.nextWakeMs(this.cm.state);
        const next = Math.min(we ?? Infinity, wc ?? Infinity);
        if (next > ms) break;
        this.ess.nowMs = next;
        if (this.cm !== null) this.cm.nowMs = next;
        if (wc !== null && wc <= next) this.cm?.input({ type: 'tick' });
        if (we !== null && we <= next) this.carry(this.ess.input({ type: 'tick' }));
      }
      this.ess.nowMs = ms;
      if (this.cm !== null) this.cm.nowMs = ms;
    }

    /** Who is in control: the CM (as its ess-cm side says) and the ESS (ACTIVE). */
    get inControl(): [boolean, boolean] {
      return [this.cm?.state.inControl === true, this.ess.state.ess === 'ACTIVE'];
    }
  }

  it('keeps exactly one switch in control across a CM loss, the CM’s restart, and the forced takeover', () => {
    const site = new Switches();
    site.startCm();
    site.advanceTo(1_000);
    expect(site.inControl).to.deep.equal([true, false]);
    site.killCm();
    site.advanceTo(3_000);
    expect(site.inControl, 'the ESS took control after the no-service timeout').to.deep.equal([false, true]);
    site.startCm();
    site.advanceTo(6_000);
    expect(site.inControl, 'the restarted CM stays out').to.deep.equal([false, true]);
    site.forcedTakeover();
    expect(site.inControl).to.deep.equal([true, false]);
    site.advanceTo(9_000);
    expect(site.inControl).to.deep.equal([true, false]);
  });
});
