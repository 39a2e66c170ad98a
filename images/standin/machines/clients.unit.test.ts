// Tests of client logins on a CMS and of the supervisor that follows the ACTIVE CMS.

import { expect } from 'chai';
import { clientsMachine, initialClients, type ClientsInput, type ClientsSnapshot } from './clients.js';
import { initialSupervisor, supervisorMachine, type SupervisorInput, type SupervisorSnapshot } from './supervisor.js';
import { Sim, only } from '../test-support/sim.js';

const TIMERS = { keepaliveIntervalMs: 100, keepaliveMisses: 3 };

describe('CMS client logins', () => {
  it('accepts a login only while ACTIVE and rejects-and-closes it while STANDBY', () => {
    const s = new Sim<ClientsSnapshot, ClientsInput>(clientsMachine({ timers: TIMERS }), initialClients('STANDBY'));
    s.input({ type: 'accepted', conn: -1, port: 6002 });
    const rej = s.input({ type: 'message', conn: -1, msg: { t: 'login', user: 'sup' } });
    expect(only(rej, 'send')[0]?.msg.t).to.equal('login-reject');
    expect(only(rej, 'close')).to.have.length(1);
    s.input({ type: 'role', role: 'ACTIVE' });
    s.input({ type: 'accepted', conn: -2, port: 6002 });
    const ok = s.input({ type: 'message', conn: -2, msg: { t: 'login', user: 'sup' } });
    expect(only(ok, 'send')[0]?.msg.t).to.equal('login-ok');
  });

  it('planted supervisor-on-standby: accepts a login while STANDBY', () => {
    const plants = new Set(['supervisor-on-standby'] as const);
    const s = new Sim<ClientsSnapshot, ClientsInput>(clientsMachine({ timers: TIMERS, plants }), initialClients('STANDBY'));
    s.input({ type: 'accepted', conn: -1, port: 6002 });
    expect(only(s.input({ type: 'message', conn: -1, msg: { t: 'login', user: 'sup' } }), 'send')[0]?.msg.t).to.equal('login-ok');
  });

  it('sends keep-alives to logged-in sessions and drops them all on going STANDBY', () => {
    const s = new Sim<ClientsSnapshot, ClientsInput>(clientsMachine({ timers: TIMERS }), initialClients('ACTIVE'));
    s.input({ type: 'accepted', conn: -1, port: 6002 });
    s.input({ type: 'message', conn: -1, msg: { t: 'login', user: 'sup' } });
    s.advanceTo(100);
    expect(s.effects('send').filter((x) => x.msg.t === 'ka')).to.have.length(1);
    const fx = s.input({ type: 'role', role: 'STANDBY' });
    expect(only(fx, 'close').map((c) => c.conn)).to.deep.equal([-1]);
  });
});

describe('Supervisor', () => {
  function sup(): Sim<SupervisorSnapshot, SupervisorInput> {
    const s = new Sim<SupervisorSnapshot, SupervisorInput>(
      supervisorMachine({ timers: TIMERS, targets: ['cms-primary', 'cms-secondary'] }),
      initialSupervisor(),
    );
    s.input({ type: 'start' });
    return s;
  }

  it('tries the primary first and alternates every keepaliveInterval/2 until a login is accepted', () => {
    const s = sup();
    expect(s.effects('dial')[0]).to.include({ link: 'client-primary' });
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'login-reject', reason: 'STANDBY' } });
    expect(only(s.advanceTo(49), 'dial')).to.have.length(0);
    expect(only(s.advanceTo(50), 'dial')[0]).to.include({ link: 'client-secondary' });
    expect(only(s.advanceTo(100), 'dial')[0]).to.include({ link: 'client-primary' });
    s.input({ type: 'connected', conn: 3 });
    s.input({ type: 'message', conn: 3, msg: { t: 'login-ok' } });
    expect(s.events('client')).to.deep.equal([{ type: 'client', action: 'logged-in', target: 'cms-primary', atMs: 100 }]);
    expect(s.state.loggedInTo).to.equal('cms-primary');
  });

  it('on loss emits client lost and tries the other CMS at once', () => {
    const s = sup();
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'login-ok' } });
    s.advanceTo(30);
    const fx = s.input({ type: 'closed', conn: 1, reason: 'closed' });
    expect(only(fx, 'dial')[0]).to.include({ link: 'client-secondary' });
    expect(s.events('client').at(-1)).to.include({ action: 'lost', target: 'cms-primary' });
  });

  it('declares a silent session lost at keepaliveMisses x keepaliveInterval', () => {
    const s = sup();
    s.input({ type: 'connected', conn: 1 });
    s.input({ type: 'message', conn: 1, msg: { t: 'login-ok' } });
    s.advanceTo(299);
    expect(s.state.loggedInTo).to.equal('cms-primary');
    s.advanceTo(300);
    expect(s.state.loggedInTo).to.equal(null);
    expect(s.events('client').at(-1)).to.include({ action: 'lost', atMs: 300 });
  });
});
