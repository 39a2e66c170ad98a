// Unit tests of the doctor against a fake engine: a dead engine is reported as MISSING, not thrown, and nothing is
// asked of it afterwards; a live one is reported with what it holds.

import { expect } from 'chai';
import { FakeDocker } from '../testing/fake-docker.js';
import { LABEL_RUN } from '../docker/labels.js';
import { TOXIPROXY_OFFICIAL } from '../toxiproxy/image.js';
import { doctor } from './index.js';

describe('doctor', () => {
  it('reports a dead engine as MISSING without throwing', async () => {
    const fake = new FakeDocker();
    fake.version = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const { lines, ok } = await doctor(fake.client);
    expect(ok).to.equal(false);
    const engine = lines.find((line) => line.includes('docker engine'));
    expect(engine).to.match(/^MISSING docker engine at /);
    expect(engine).to.contain('`npm run setup` starts it');
  });

  it('asks a dead engine nothing more than its version', async () => {
    const fake = new FakeDocker();
    fake.version = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    await doctor(fake.client);
    expect(fake.calls).to.deep.equal([]);
  });

  it('reports a live engine with its version, the Toxiproxy image and the containers left', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = (tag) => tag === TOXIPROXY_OFFICIAL;
    fake.addContainer('left-over', { [LABEL_RUN]: 'old' });
    const { lines } = await doctor(fake.client);
    expect(lines.find((line) => line.includes('docker engine'))).to.match(/^ok +docker engine 27\.0\.0-fake at /);
    expect(lines).to.include(`ok      toxiproxy image ${TOXIPROXY_OFFICIAL}`);
    expect(lines).to.include(`note    1 container(s) labelled ${LABEL_RUN} on the engine`);
  });
});
