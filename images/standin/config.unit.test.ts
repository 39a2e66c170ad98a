// Tests of the configuration checks: every problem named with its field, kind-specific dials and ports.

import { expect } from 'chai';
import { DEFAULT_POLICY, DEFAULT_TIMERS } from '../protocol/index.js';
import { actualPort, ConfigError, parseConfig } from './config.js';

const GOOD = {
  node: 'cms-primary',
  kind: 'cms',
  timers: DEFAULT_TIMERS,
  policy: DEFAULT_POLICY,
  dials: { 'acd-primary': { host: 'toxiproxy', port: 21001 } },
  listens: [6000, 6002],
};

function problems(cfg: unknown): string[] {
  try {
    parseConfig(JSON.stringify(cfg));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('stand-in configuration', () => {
  it('accepts a version of dot-separated numbers and names a malformed one', () => {
    expect(parseConfig(JSON.stringify({ ...GOOD, version: '16.5.1' })).version).to.equal('16.5.1');
    expect(problems({ ...GOOD, version: '16.5-rc1' })).to.deep.equal(['version: "16.5-rc1" must be dot-separated numbers, e.g. "16.4.0"']);
    expect(problems({ ...GOOD, version: 16 })).to.have.length(1);
  });

  it('accepts a well-formed configuration and maps ports through portOverrides', () => {
    const cfg = parseConfig(JSON.stringify({ ...GOOD, portOverrides: { '7000': 17000 } }));
    expect(actualPort(cfg, 7000)).to.equal(17000);
    expect(actualPort(cfg, 6000)).to.equal(6000);
  });

  it('names the field and the value of every problem', () => {
    const p = problems({
      ...GOOD,
      timers: { ...DEFAULT_TIMERS, heartbeatMisses: 1.5, pumpupMs: -1 },
      policy: { ...DEFAULT_POLICY, returningPrimary: 'x' },
    });
    expect(p).to.include('timers.heartbeatMisses: 1.5 must be an integer');
    expect(p).to.include('timers.pumpupMs: -1 must be a number >= 0');
    expect(p.some((x) => x.startsWith('policy.returningPrimary: "x"'))).to.equal(true);
  });

  it('rejects dials to unknown links, malformed dials, and listening ports that mean nothing for the kind', () => {
    const p = problems({
      ...GOOD,
      dials: { ...GOOD.dials, 'acd-tertiary': { host: 'h', port: 1 }, heartbeat: { host: '', port: 0 } },
      listens: [5001],
    });
    expect(p.some((x) => x.startsWith('dials.acd-tertiary: not a link name'))).to.equal(true);
    expect(p.some((x) => x.startsWith('dials.heartbeat:'))).to.equal(true);
    expect(p.some((x) => x.startsWith('listens: port 5001 has no meaning for kind cms'))).to.equal(true);
  });

  it('requires the dials a kind cannot work without', () => {
    expect(problems({ ...GOOD, dials: {} })).to.deep.equal(['dials.acd-primary: cms-primary needs its ACD link to the main CM']);
    expect(problems({ ...GOOD, node: 'ess', kind: 'ess', dials: {}, listens: [] })).to.deep.equal([
      'dials.ess-cm: the ESS needs its link to the main CM',
    ]);
    expect(problems({ ...GOOD, node: 'cm', kind: 'cms' })[0]).to.match(/kind cms needs node cms-primary or cms-secondary/);
  });

  it('accepts a dataDir for a cms only, as a non-empty path', () => {
    expect(problems({ ...GOOD, dataDir: '/var/lib/cmsha' })).to.deep.equal([]);
    expect(problems({ ...GOOD, dataDir: '' })).to.deep.equal(['dataDir: "" must be a non-empty path']);
    expect(problems({ ...GOOD, dataDir: 7 })).to.deep.equal(['dataDir: 7 must be a non-empty path']);
    expect(problems({ ...GOOD, node: 'cm', kind: 'cm', dials: {}, listens: [], dataDir: '/d' })).to.deep.equal([
      'dataDir: only a cms keeps state on disk, not kind cm',
    ]);
  });

  it('lets an echo listen on any port', () => {
    expect(problems({ ...GOOD, node: 'cm', kind: 'echo', dials: {}, listens: [5001, 6000, 1234] })).to.deep.equal([]);
  });
});
