// Unit tests of how durations and windows read: one decimal in seconds, whole ms below a second or in a window
// narrower than a second, and a measured value never rounded across the bound of its window.

import { expect } from 'chai';
import { formatDurationMs, formatInRangeMs, formatLongDurationMs, formatRangeMs } from './format.js';

describe('format', () => {
  it('writes durations in seconds with one decimal from 1 s up and in whole ms below', () => {
    expect(formatDurationMs(47_249)).to.equal('47.2 s');
    expect(formatDurationMs(71_300)).to.equal('71.3 s');
    expect(formatDurationMs(850.4)).to.equal('850 ms');
    expect(formatDurationMs(999.6)).to.equal('1.0 s');
    expect(formatDurationMs(0)).to.equal('0 ms');
    expect(formatDurationMs(-1_500)).to.equal('-1.5 s');
    expect(formatDurationMs(Number.NaN)).to.equal('?');
  });

  it('writes windows in one unit, exact to the ms, and narrow windows in ms', () => {
    expect(formatRangeMs(40_000, 65_000)).to.equal('40.0–65.0 s');
    expect(formatRangeMs(2_000, 3_500)).to.equal('2.0–3.5 s');
    expect(formatRangeMs(200, 800)).to.equal('200–800 ms');
    expect(formatRangeMs(450, 1_150)).to.equal('450–1150 ms');
    expect(formatRangeMs(450, 1_650)).to.equal('0.45–1.65 s');
    expect(formatRangeMs(1_234, 5_000)).to.equal('1.234–5.000 s');
    expect(formatRangeMs(2_220, 2_280)).to.equal('2220–2280 ms');
    expect(formatRangeMs(299_970, 300_030)).to.equal('299.97–300.03 s');
  });

  it('writes a measured value in its window unit, with a decimal more when rounding would carry it across a bound', () => {
    expect(formatInRangeMs(2_251.2, 2_220, 2_280)).to.equal('2251 ms');
    expect(formatInRangeMs(2_280.4, 2_220, 2_280)).to.equal('2280.4 ms');
    expect(formatInRangeMs(47_249, 40_000, 65_000)).to.equal('47.2 s');
    expect(formatInRangeMs(65_040, 40_000, 65_000)).to.equal('65.04 s');
  });

  it('writes a run length in minutes and hours', () => {
    expect(formatLongDurationMs(187_000)).to.equal('3 min 07 s');
    expect(formatLongDurationMs(3_720_000)).to.equal('1 h 02 min');
    expect(formatLongDurationMs(12_400)).to.equal('12.4 s');
  });
});
