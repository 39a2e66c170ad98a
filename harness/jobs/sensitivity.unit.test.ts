import { expect } from 'chai';
import { DEFAULT_SITE } from '../core/site-config.js';
import { wrongSites } from './sensitivity.js';

describe('sensitivity: the wrong sites', () => {
  it('puts every timing setting one step off both ways and flips each policy against what its scenario expects', () => {
    expect(wrongSites(DEFAULT_SITE).map((w) => w.change)).to.deep.equal([
      'heartbeatMisses 3 → 4',
      'heartbeatMisses 3 → 2',
      'heartbeatTimeoutMs 5000 → 6000',
      'heartbeatTimeoutMs 5000 → 4000',
      'keepaliveMisses 3 → 4',
      'keepaliveMisses 3 → 2',
      'linkRetryMs 30000 → 36000',
      'linkRetryMs 30000 → 24000',
      'essNoServiceTimeoutMs 300000 → 330000',
      'essNoServiceTimeoutMs 300000 → 270000',
      'mainAttempts 5 → 6',
      'mainAttempts 5 → 4',
      'heartbeatMisses 3 → 4',
      'heartbeatMisses 3 → 2',
      'heartbeatMisses 3 → 4',
      'heartbeatMisses 3 → 2',
      'autoFailover true → false',
      'autoFailback true → false',
      'autoFailback false → true',
    ]);
    expect(wrongSites(DEFAULT_SITE).filter((w) => /take the ACTIVE role back|NO_ACTIVE_CMS/.test(w.scenario))).to.have.lengthOf(4);
  });
});
