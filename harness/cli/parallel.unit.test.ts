import type { CpuInfo } from 'node:os';
import { expect } from 'chai';
import { idleCoresBetween, sitesFor } from './parallel.js';

const GiB = 1024 ** 3;
const core = (idle: number, busy: number): CpuInfo => ({
  model: 'test',
  speed: 0,
  times: { user: busy, nice: 0, sys: 0, idle, irq: 0 },
});

describe('--parallel auto', () => {
  it('runs one site per idle core less one at a shortened time scale, two per idle core at real time', () => {
    expect(sitesFor(2, 0.05, 24 * GiB)).to.equal(1);
    expect(sitesFor(4, 0.05, 24 * GiB)).to.equal(3);
    expect(sitesFor(2, 1, 24 * GiB)).to.equal(4);
  });

  it('does not count a core another program keeps busy (stress-ng on one of two cores: one site)', () => {
    expect(sitesFor(1.04, 0.05, 24 * GiB)).to.equal(1);
    expect(sitesFor(1.04, 1, 24 * GiB)).to.equal(2);
  });

  it('runs at least one site, and no more than free memory holds', () => {
    expect(sitesFor(0.1, 0.05, 24 * GiB)).to.equal(1);
    expect(sitesFor(8, 1, 1.5 * GiB)).to.equal(2);
  });

  it('runs no more sites than the engine has networks for', () => {
    expect(sitesFor(16, 1, 64 * GiB)).to.equal(15);
  });

  it('measures idle cores from two readings of the per-core CPU times', () => {
    const before = [core(1000, 1000), core(1000, 1000)];
    const after = [core(1000, 2000), core(2000, 1000)]; // core 0 busy throughout, core 1 idle throughout
    expect(idleCoresBetween(before, after)).to.equal(1);
  });
});
