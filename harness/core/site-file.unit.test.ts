// Bad site files are rejected before anything starts, each problem naming the file, the path inside it, the
// value given and what is allowed; good ones, YAML or JSON, fill in the defaults.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../../images/protocol/index.js';
import { HarnessError } from './errors.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { loadSiteFile, parseSiteText } from './site-file.js';

function rejection(text: string): HarnessError {
  try {
    parseSiteText(text, 'site.yaml');
  } catch (error) {
    expect(error).to.be.instanceOf(HarnessError).with.property('code', 'BAD_CONFIG');
    return error as HarnessError;
  }
  throw new Error('the site was accepted');
}

describe('site file', () => {
  it('fills every default from an empty file and reads the time scale', () => {
    const { site, timeScale } = parseSiteText('timeScale: 0.05\n', 'site.yaml');
    expect(site.timers).to.deep.equal(DEFAULT_TIMERS);
    expect(site.policy.returningPrimary).to.equal('hold-standby');
    expect(timeScale).to.equal(0.05);
  });

  it('names the file, the path, the value and the allowed range of a timer out of range', () => {
    const error = rejection('timers:\n  essNoServiceTimeoutMs: 60000\n');
    expect(error.message).to.contain('site.yaml: timers.essNoServiceTimeoutMs: 60000 is below the allowed 180000–900000');
  });

  it('reports invalid YAML with its line and column', () => {
    expect(rejection('timers:\n  heartbeatMisses: [3\n').message).to.match(/^site\.yaml:\d+:\d+: invalid YAML/);
  });

  it('rejects an unknown setting, naming the ones known there', () => {
    const error = rejection('timers:\n  heartbeatMises: 4\n');
    expect(error.message).to.contain('site.yaml: timers.heartbeatMises: is not a setting').and.contain('heartbeatMisses');
  });

  it('rejects a value of the wrong type and lists every problem at once', () => {
    const error = rejection('policy:\n  autoFailback: maybe\n  returningPrimary: run-away\n');
    expect(error.message).to.contain('policy.autoFailback: "maybe" must be true or false');
    expect(error.message).to.contain("policy.returningPrimary: \"run-away\" must be 'hold-standby' or 'stay-active'");
  });

  it('rejects a heartbeat timeout not shorter than its interval, and a WAN the heartbeat cannot cross in time', () => {
    expect(rejection('timers:\n  heartbeatTimeoutMs: 20000\n').message).to.contain(
      'timers.heartbeatTimeoutMs: 20000 must be shorter than timers.heartbeatIntervalMs (20000)',
    );
    expect(rejection('wan:\n  heartbeat: { latencyMs: 2000, jitterMs: 600 }\n').message).to.contain('every heartbeat would miss');
  });

  it('reads a margin per timing for comparisons, and rejects a timing the harness does not measure', () => {
    const text = "compare:\n  marginsMs:\n    'failover from the fault': 2000\n    'Dual-IP attempt 6': 1500\n";
    expect(parseSiteText(text, 'site.yaml').site.compare?.marginsMs).to.deep.equal({
      'failover from the fault': 2000,
      'Dual-IP attempt 6': 1500,
    });
    const error = rejection('compare:\n  marginsMs:\n    failover: 2000\n');
    expect(error.message)
      .to.contain('compare.marginsMs')
      .and.contain('"failover" is not a timing the harness measures; name one of: failover from the fault');
    expect(rejection("compare:\n  marginsMs:\n    'convergence': 0\n").message).to.contain('must be above 0');
  });

  it('reads JSON too, and says clearly when the file is missing', () => {
    const dir = scratchDir('site');
    writeFileSync(join(dir, 'site.json'), JSON.stringify({ timers: { heartbeatMisses: 4 }, budgets: { supervisorOutageMs: 75_000 } }));
    const { site, name } = loadSiteFile(join(dir, 'site.json'));
    expect(site.timers.heartbeatMisses).to.equal(4);
    expect(site.budgets.supervisorOutageMs).to.equal(75_000);
    expect(name).to.equal('site.json');
    expect(() => loadSiteFile(join(dir, 'nope.yaml'))).to.throw(HarnessError, /nope\.yaml: cannot read the site file \(no such file\)/);
  });
});
