// Expected windows against hand-computed numbers at time scale 1 (real defaults) and 0.05 (CI).

import { expect } from 'chai';
import { DEFAULT_POLICY, DEFAULT_TIMERS, type Timers } from '../../images/protocol/index.js';
import { isHarnessError } from '../core/errors.js';
import {
  adminSyncLag,
  cmsReachesEss,
  essTakeover,
  heartbeatPeriod,
  primaryDownDetection,
  silentLinkDetection,
  toExpectedWindow,
  toleranceMs,
  type WindowConfig,
} from './windows.js';

function scaled(scale: number): WindowConfig {
  const t: Timers = { ...DEFAULT_TIMERS };
  for (const key of Object.keys(t) as Array<keyof Timers>) if (key.endsWith('Ms')) t[key] = t[key] * scale;
  return { timers: t, policy: { ...DEFAULT_POLICY } };
}
const REAL = scaled(1);
const CI = scaled(0.05);

describe('expected windows', () => {
  it('uses a tolerance of max(250 ms, 10% of the width)', () => {
    expect(toleranceMs(REAL.timers)).to.equal(250);
    expect(toleranceMs(REAL.timers, 1_000)).to.equal(250);
    expect(toleranceMs(REAL.timers, 25_000)).to.equal(2_500);
  });

  it('puts primary-down detection at [(3-1)·20000, 3·20000 + 5000] ± 2500 at scale 1', () => {
    const w = primaryDownDetection(REAL);
    expect([w.fromMs, w.toMs]).to.deep.equal([37_500, 67_500]);
    expect(w.derivation).to.equal('(3-1)·20000 … 3·20000 + 5000 = 40000 … 65000 ms, ±2500 ms tolerance (max(250, 10% of width 25000))');
  });

  it('puts primary-down detection at [(3-1)·1000, 3·1000 + 250] ± 250 at scale 0.05', () => {
    const w = primaryDownDetection(CI);
    expect([w.fromMs, w.toMs]).to.deep.equal([1_750, 3_500]);
    expect(w.derivation).to.contain('(3-1)·1000 … 3·1000 + 250 = 2000 … 3250 ms, ±250 ms tolerance');
  });

  it('puts silent-link detection at [(3-1)·k, 3·k] ± tolerance', () => {
    const real = silentLinkDetection(REAL);
    expect([real.fromMs, real.toMs]).to.deep.equal([19_000, 31_000]);
    const ci = silentLinkDetection(CI);
    expect([ci.fromMs, ci.toMs]).to.deep.equal([750, 1_750]);
  });

  it('puts the ESS takeover at the no-service timeout after a closed link, plus silent detection after a blackhole', () => {
    expect([essTakeover(REAL).fromMs, essTakeover(REAL).toMs]).to.deep.equal([299_750, 300_250]);
    expect([essTakeover(CI).fromMs, essTakeover(CI).toMs]).to.deep.equal([14_750, 15_250]);
    const silent = essTakeover(REAL, 'silent');
    expect([silent.fromMs, silent.toMs]).to.deep.equal([319_000, 331_000]);
    const given = essTakeover(CI, 400);
    expect([given.fromMs, given.toMs]).to.deep.equal([15_150, 15_650]);
    expect(given.derivation).to.contain('detection 400 + no-service timeout 15000');
  });

  it('finds the Dual-IP step at which a CMS reaches the ESS at scale 1: cycle 2, attempt 6, 360 s, data at 365 s', () => {
    const r = cmsReachesEss(REAL, { cycleStartOffsetMs: 0 });
    expect(r).to.include({ cycle: 2, attempt: 6, slotMs: 360_000, fromMs: 364_750, toMs: 365_250 });
    expect(r.candidates).to.deep.equal([{ cycle: 2, attempt: 6, target: 'ess', atMs: 360_000 }]);
    expect(r.slots).to.have.length(13);
    expect(r.slots.slice(4, 8)).to.deep.equal([
      { cycle: 1, attempt: 5, target: 'cm', atMs: 120_000 },
      { cycle: 1, attempt: 6, target: 'ess', atMs: 150_000 },
      { cycle: 1, attempt: 7, target: 'ess', atMs: 180_000 },
      { cycle: 2, attempt: 1, target: 'cm', atMs: 210_000 },
    ]);
  });

  it('finds the Dual-IP step at scale 0.05: ESS ACTIVE at 15 s, first ESS slot 18 s (cycle 2, attempt 6), data at 18.25 s', () => {
    const r = cmsReachesEss(CI, { cycleStartOffsetMs: 0 });
    expect(r).to.include({ cycle: 2, attempt: 6, slotMs: 18_000, fromMs: 18_000, toMs: 18_500 });
    const late = cmsReachesEss(CI, { cycleStartOffsetMs: 4_000 });
    expect(late).to.include({ cycle: 2, attempt: 6, slotMs: 22_000 });
  });

  it('keeps two candidate steps when an ESS slot falls within the tolerance of the ESS going ACTIVE', () => {
    const r = cmsReachesEss(CI, { cycleStartOffsetMs: 7_600 });
    expect(r.candidates.map((c) => [c.cycle, c.attempt, c.atMs])).to.deep.equal([
      [1, 6, 15_100],
      [1, 7, 16_600],
    ]);
    expect([r.fromMs, r.toMs]).to.deep.equal([15_100, 17_100]);
    expect(r.derivation).to.contain('cycle 1 attempt 6 at 15100 or cycle 1 attempt 7 at 16600');
  });

  it('follows the latency and jitter of the toxic for the Admin-Sync lag', () => {
    const w = adminSyncLag(CI, { latencyMs: 1_000, jitterMs: 100 });
    expect([w.fromMs, w.toMs]).to.deep.equal([650, 1_350]);
    const none = adminSyncLag(REAL, { latencyMs: 0, jitterMs: 0 });
    expect([none.fromMs, none.toMs]).to.deep.equal([0, 250]);
  });

  it('gives the heartbeat period ± 10%', () => {
    expect([heartbeatPeriod(REAL).fromMs, heartbeatPeriod(REAL).toMs]).to.deep.equal([18_000, 22_000]);
    expect([heartbeatPeriod(CI).fromMs, heartbeatPeriod(CI).toMs]).to.deep.equal([900, 1_100]);
  });

  it('rejects bad inputs with a BAD_INPUT HarnessError naming the value', () => {
    expect(() => adminSyncLag(CI, { latencyMs: -1, jitterMs: 0 }))
      .to.throw(/latencyMs/)
      .that.satisfies((e: unknown) => isHarnessError(e, 'BAD_INPUT'));
    expect(() => cmsReachesEss(CI, { cycleStartOffsetMs: Number.NaN })).to.throw(/cycleStartOffsetMs/);
    expect(() => primaryDownDetection({ ...CI, timers: { ...CI.timers, heartbeatIntervalMs: Number.NaN } })).to.throw(
      /heartbeatIntervalMs/,
    );
  });

  it('converts a window into the report model', () => {
    const w = toExpectedWindow(primaryDownDetection(CI), {
      name: 'detect',
      description: 'secondary ACTIVE',
      anchorLabel: 'kill',
      anchorNs: '1',
    });
    expect(w).to.include({ name: 'detect', fromMs: 1_750, toMs: 3_500, anchorNs: '1' });
  });
});
