import { expect } from 'chai';
import type { NodeName, StandinStatus } from '../../images/protocol/index.js';
import { endStateWords, primaryUndecided, supervisorAway, type Statuses } from './end-state.js';

function node(name: NodeName, fields: Partial<StandinStatus>): StandinStatus {
  return { node: name, kind: 'cms', nowNs: '0', heldConnections: 0, alarms: [], lastEventSeq: 0, ...fields } as StandinStatus;
}

function site(primary: Partial<StandinStatus>, secondary: Partial<StandinStatus>, loggedInTo: StandinStatus['loggedInTo']): Statuses {
  return {
    'cms-primary': node('cms-primary', primary),
    'cms-secondary': node('cms-secondary', secondary),
    ess: node('ess', { ess: { state: 'STANDBY' } }),
    supervisor: node('supervisor', { loggedInTo }),
  };
}

describe('end state', () => {
  it('waits while a returning primary holds STANDBY for its first heartbeat, and not once it decided', () => {
    expect(primaryUndecided(site({ role: 'STANDBY', pending: true }, { role: 'STANDBY' }, null))).to.match(/first heartbeat/);
    expect(primaryUndecided(site({ role: 'ACTIVE', pending: false }, { role: 'STANDBY' }, null))).to.equal(null);
    expect(primaryUndecided({}), 'a primary that does not answer has nothing to decide').to.equal(null);
  });

  it('waits while the supervisor is not on an ACTIVE CMS, and says where it is', () => {
    expect(supervisorAway(site({ role: 'STANDBY' }, { role: 'ACTIVE' }, null))).to.equal(
      'the supervisor is logged out while cms-secondary is ACTIVE',
    );
    expect(supervisorAway(site({ role: 'STANDBY' }, { role: 'ACTIVE' }, 'cms-primary'))).to.match(
      /logged in to cms-primary, which is not ACTIVE/,
    );
    expect(supervisorAway(site({ role: 'STANDBY' }, { role: 'ACTIVE' }, 'cms-secondary'))).to.equal(null);
    expect(supervisorAway(site({ role: 'ACTIVE' }, { role: 'ACTIVE' }, 'cms-primary')), 'either of two ACTIVE').to.equal(null);
    expect(supervisorAway(site({ role: 'STANDBY' }, { role: 'STANDBY' }, null)), 'no ACTIVE CMS to log in to').to.equal(null);
    const noSupervisor = site({ role: 'ACTIVE' }, { role: 'STANDBY' }, null);
    delete noSupervisor.supervisor;
    expect(supervisorAway(noSupervisor), 'a supervisor that does not answer').to.equal(null);
  });

  it('words each node, and does not name which of two ACTIVE CMS the supervisor reached first', () => {
    expect(endStateWords(site({ role: 'STANDBY' }, { role: 'ACTIVE' }, 'cms-secondary'))).to.deep.equal({
      'cms-primary': 'STANDBY',
      'cms-secondary': 'ACTIVE',
      ess: 'STANDBY',
      supervisor: 'logged in to cms-secondary',
    });
    const dual = endStateWords(
      site({ role: 'ACTIVE', alarms: ['DUAL_ACTIVE'] }, { role: 'ACTIVE', alarms: ['DUAL_ACTIVE'] }, 'cms-secondary'),
    );
    expect(dual).to.deep.include({ 'cms-primary': 'ACTIVE (DUAL_ACTIVE)', supervisor: 'logged in to one of the two ACTIVE CMS' });
    expect(endStateWords({})).to.deep.equal({
      'cms-primary': 'unobservable',
      'cms-secondary': 'unobservable',
      ess: 'unobservable',
      supervisor: 'unobservable',
    });
  });
});
