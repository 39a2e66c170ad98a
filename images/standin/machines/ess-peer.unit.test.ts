// Tests of the main CM's side of ess-cm: registration, keep-alive answers, the forced-takeover order.

import { expect } from 'chai';
import { essPeerMachine, forcedTakeoverRefusal, initialEssPeer, type EssPeerInput, type EssPeerSnapshot } from './ess-peer.js';
import { Sim, only } from '../test-support/sim.js';

function sim(): Sim<EssPeerSnapshot, EssPeerInput> {
  return new Sim<EssPeerSnapshot, EssPeerInput>(
    essPeerMachine({ timers: { keepaliveIntervalMs: 100, keepaliveMisses: 3 } }),
    initialEssPeer(),
  );
}

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
});
