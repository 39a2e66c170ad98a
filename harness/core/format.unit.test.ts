// Unit tests of how durations and windows read: one decimal in seconds, whole ms below a second,
// and window bounds never rounded into a different window.

import { expect } from 'chai';
import { formatDurationMs, formatRangeMs } from './format.js';

describe('format', () => {
  it('writes durations in seconds with one decimal from 1 s up and in whole ms below', () => {
    expect(formatDurationMs(47_249)).to.equal('47.2 s');
    expect(formatDurationMs(71_300)).to.equal('71.3 s');
    expect(formatDurationMs(850.4)).to.equal('850 ms');
    expect(formatDurationMs(999.6)).to.equal('1.0 s');
    expect(formatDurationMs(0)).to.equal('0 ms');
    expect(formatDurationMs(-1_500)).to.equal('-1.5 s');
  });

  it('writes windows in one unit chosen by the upper bound, exact to the ms', () => {
    expect(formatRangeMs(40_000, 65_000)).to.equal('40.0–65.0 s');
    expect(formatRangeMs(2_000, 3_500)).to.equal('2.0–3.5 s');
    expect(formatRangeMs(200, 800)).to.equal('200–800 ms');
    expect(formatRangeMs(450, 1_150)).to.equal('0.45–1.15 s');
    expect(formatRangeMs(1_234, 5_000)).to.equal('1.234–5.000 s');
  });
});
