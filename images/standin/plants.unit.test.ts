// The planted defects are read from the image's CMSHA_PLANT, and an unknown one stops the stand-in with the list.

import { expect } from 'chai';
import { readPlants } from './plants.js';

describe('planted defects', () => {
  it('reads none from an image without CMSHA_PLANT, and a comma-separated list from one with it', () => {
    expect([...readPlants({})]).to.deep.equal([]);
    expect([...readPlants({ CMSHA_PLANT: 'failover-one-beat-late, supervisor-on-standby' })]).to.deep.equal([
      'failover-one-beat-late',
      'supervisor-on-standby',
    ]);
  });

  it('rejects an unknown plant, naming the known ones', () => {
    expect(() => readPlants({ CMSHA_PLANT: 'slow' })).to.throw('CMSHA_PLANT: "slow" is not a plant; known: failover-one-beat-late,');
  });
});
