// The timing names a site file may give a margin to are the names of the windows the harness checks: a window added
// or renamed without the list would make its margin impossible to set.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isTimingName, TIMING_NAMES } from './timing-names.js';

const WINDOWS_SOURCE = fileURLToPath(new URL('../../../harness/check/windows.ts', import.meta.url));

describe('timing names', () => {
  it('lists exactly the names of the windows in check/windows.ts, and the dual-active span', () => {
    const source = readFileSync(WINDOWS_SOURCE, 'utf8');
    const named = [...source.matchAll(/window\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect([...named, 'dual-active span'].sort()).to.deep.equal([...TIMING_NAMES].sort());
    expect(source).to.contain('window(`Dual-IP attempt ${attempt}`');
    expect(source).to.contain('window(`Admin-Sync drain, place ${place}`');
  });

  it('accepts a Dual-IP attempt by its number, a drain by its place, and nothing else', () => {
    expect(isTimingName('Dual-IP attempt 6')).to.equal(true);
    expect(isTimingName('Admin-Sync drain, place 12')).to.equal(true);
    expect(isTimingName('Admin-Sync drain')).to.equal(false);
    expect(isTimingName('failover from the fault')).to.equal(true);
    expect(isTimingName('Dual-IP attempt 0')).to.equal(false);
    expect(isTimingName('failover')).to.equal(false);
  });
});
