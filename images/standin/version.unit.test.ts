// Tests of version handling: numeric comparison by dot-separated parts, and where a process's version comes from.

import { expect } from 'chai';
import { compareVersions, effectiveVersion, isVersion } from './version.js';

describe('stand-in versions', () => {
  it('compares versions numerically part by part, a missing part counting as 0', () => {
    expect(compareVersions('16.10.0', '16.9.9')).to.be.greaterThan(0);
    expect(compareVersions('16.4', '16.4.0')).to.equal(0);
    expect(compareVersions('16.3.9', '16.4')).to.be.lessThan(0);
  });

  it('accepts only dot-separated whole numbers', () => {
    expect(['16', '16.4.0', '0.1'].every(isVersion)).to.equal(true);
    expect(['', '16.', 'v16', '16.4-rc1', 16].some(isVersion)).to.equal(false);
  });

  it('takes the configured version first, then the image’s CMSHA_VERSION, then 16.4.0', () => {
    expect(effectiveVersion('17.0', { CMSHA_VERSION: '16.5' })).to.equal('17.0');
    expect(effectiveVersion(undefined, { CMSHA_VERSION: '16.5' })).to.equal('16.5');
    expect(effectiveVersion(undefined, {})).to.equal('16.4.0');
    expect(() => effectiveVersion(undefined, { CMSHA_VERSION: 'latest' })).to.throw(/CMSHA_VERSION: "latest" is not a version/);
  });
});
