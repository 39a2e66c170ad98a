// Unit tests of the start-up sweep against a fake engine: what counts as an orphan (a dead process of this host),
// what is never touched (another host's, a kept site's), and a failed removal that must not stop the set-up.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { FakeDocker } from '../testing/fake-docker.js';
import { LABEL_HOST, LABEL_KEEP, LABEL_PART, LABEL_PID, LABEL_RUN, LABEL_TOPOLOGY } from './labels.js';
import { isOrphan, sweepOrphans } from './sweep.js';

/** The pid of a process that has exited and been reaped: what a killed harness leaves in its labels. */
const DEAD_PID = String(spawnSync(process.execPath, ['-e', '']).pid);

function labels(topology: string, pid: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_RUN]: 'old-run', [LABEL_TOPOLOGY]: topology, [LABEL_PID]: pid, [LABEL_HOST]: hostname(), ...extra };
}

/** One container and one network of a topology. */
function leave(fake: FakeDocker, topology: string, pid: string, extra: Record<string, string> = {}): string {
  fake.addNetwork(`${topology}-data`, labels(topology, pid, extra));
  return fake.addContainer(`${topology}-holder`, labels(topology, pid, { [LABEL_PART]: 'holder', ...extra }), [`${topology}-data`]);
}

function topologiesLeft(fake: FakeDocker): string[] {
  const ids = [...fake.containers.values(), ...fake.networks.values()].map((r) => r.labels[LABEL_TOPOLOGY] ?? '?');
  return [...new Set(ids)].sort();
}

describe('isOrphan', () => {
  const alive = (pid: number) => pid === 1234;

  it('is true for a resource whose process of this host is dead', () => {
    expect(isOrphan({ [LABEL_HOST]: 'here', [LABEL_PID]: '999' }, 'here', alive)).to.equal(true);
  });

  it('is false while the process lives', () => {
    expect(isOrphan({ [LABEL_HOST]: 'here', [LABEL_PID]: '1234' }, 'here', alive)).to.equal(false);
  });

  it('is false for another host’s resource, whatever its pid', () => {
    expect(isOrphan({ [LABEL_HOST]: 'elsewhere', [LABEL_PID]: '999' }, 'here', alive)).to.equal(false);
  });

  it('is false for a kept site even when its process is dead', () => {
    expect(isOrphan({ [LABEL_HOST]: 'here', [LABEL_PID]: '999', [LABEL_KEEP]: '1' }, 'here', alive)).to.equal(false);
  });

  it('is false for a resource without labels', () => {
    expect(isOrphan(undefined, 'here', alive)).to.equal(false);
  });

  it('takes a missing or malformed pid of this host as dead', () => {
    expect(isOrphan({ [LABEL_HOST]: 'here' }, 'here')).to.equal(true);
    expect(isOrphan({ [LABEL_HOST]: 'here', [LABEL_PID]: 'abc' }, 'here')).to.equal(true);
  });
});

describe('sweepOrphans', () => {
  it('removes the containers and networks of a topology whose process is dead', async () => {
    const fake = new FakeDocker();
    leave(fake, 'dead1', DEAD_PID);
    const swept = await sweepOrphans(fake.client);
    expect(swept).to.deep.equal(['dead1']);
    expect(fake.containers.size).to.equal(0);
    expect(fake.networks.size).to.equal(0);
  });

  it('leaves the topologies of live processes, of other hosts and kept sites untouched', async () => {
    const fake = new FakeDocker();
    leave(fake, 'alive1', String(process.pid));
    leave(fake, 'other1', DEAD_PID, { [LABEL_HOST]: 'another-machine' });
    leave(fake, 'kept1', DEAD_PID, { [LABEL_KEEP]: '1' });
    leave(fake, 'dead1', DEAD_PID);
    const swept = await sweepOrphans(fake.client);
    expect(swept).to.deep.equal(['dead1']);
    expect(topologiesLeft(fake)).to.deep.equal(['alive1', 'kept1', 'other1']);
    expect(fake.removals).to.have.length(1);
  });

  it('removes a network left without any container', async () => {
    const fake = new FakeDocker();
    fake.addNetwork('dead2-data', labels('dead2', DEAD_PID));
    expect(await sweepOrphans(fake.client)).to.deep.equal(['dead2']);
    expect(fake.networks.size).to.equal(0);
  });

  it('logs a removal that fails, without throwing, and still sweeps the other topologies', async () => {
    const fake = new FakeDocker();
    const stuck = leave(fake, 'stuck1', DEAD_PID);
    leave(fake, 'dead1', DEAD_PID);
    fake.failingRemovals.add(stuck);
    const lines: string[] = [];
    const swept = await sweepOrphans(fake.client, (line) => lines.push(line));
    expect(swept.sort()).to.deep.equal(['dead1', 'stuck1']);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^could not sweep topology stuck1: .*driver failed/);
    expect(topologiesLeft(fake)).to.deep.equal(['stuck1']);
  });

  it('looks only at resources carrying the run label', async () => {
    const fake = new FakeDocker();
    fake.addContainer('someone-elses', { [LABEL_TOPOLOGY]: 'x', [LABEL_PID]: DEAD_PID, [LABEL_HOST]: hostname() });
    expect(await sweepOrphans(fake.client)).to.deep.equal([]);
    expect(fake.containers.size).to.equal(1);
  });
});
