// --engine and the pool's set-up against fake engines: each engine read and checked up front, each set up in turn with
// its own images, and each given its capacity: #N as given, a local one from --parallel (auto measured once and shared
// by the local engines), a remote one from the CPUs and memory its engine reports.

import { expect } from 'chai';
import { CommanderError, InvalidArgumentError } from 'commander';
import type { DockerClient } from '../docker/client.js';
import type { SetupReport } from '../setup/index.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { collectEngine, isLocalEngine, parseEngine, remoteCapacity, setUpEngines } from './engines.js';
import { EXIT, buildProgram, exitCodeOf } from './main.js';

const GiB = 1024 ** 3;

/** A set-up that found everything on the engine, its images tagged after it. */
function fakeSetup(calls: string[]) {
  return async (_client: DockerClient, url: string): Promise<SetupReport> => {
    calls.push(url);
    const tag = url.replace(/[^a-z0-9]+/g, '-');
    return {
      engine: { address: url, version: `27.0.0-${tag}`, installed: false, started: false },
      images: {
        images: { toxiproxy: `toxiproxy:${tag}`, standin: `standin:${tag}`, echo: `echo:${tag}`, holder: `holder:${tag}` },
        sources: { toxiproxy: 'present', standin: 'present', echo: 'present', holder: 'present' },
      },
      swept: [],
      chromium: null,
      durationMs: 1,
      environment: { node: 'v20', platform: 'linux x64', dockerVersion: `27.0.0-${tag}`, toxiproxyVersion: '2.12.0', images: [] },
    };
  };
}

describe('--engine', () => {
  it('reads unix://, tcp:// and ssh:// engines as DOCKER_HOST takes them, with #N sites at once', () => {
    expect(parseEngine('unix:///run/engine-2.sock')).to.deep.equal({ url: 'unix:///run/engine-2.sock', capacity: null });
    expect(parseEngine('tcp://10.0.0.5:2376#4')).to.deep.equal({ url: 'tcp://10.0.0.5:2376', capacity: 4 });
    expect(parseEngine('ssh://ops@lab-2')).to.deep.equal({ url: 'ssh://ops@lab-2', capacity: null });
  });

  it('rejects another scheme, an empty address, a bad #N and an engine given twice, naming what it got', () => {
    expect(() => parseEngine('http://10.0.0.5:2375')).to.throw(
      InvalidArgumentError,
      /--engine "http:\/\/10\.0\.0\.5:2375" is invalid: give an engine as DOCKER_HOST takes it/,
    );
    expect(() => parseEngine('tcp://')).to.throw(InvalidArgumentError, /is invalid/);
    expect(() => parseEngine('tcp://h:2376#0')).to.throw(InvalidArgumentError, /whole number ≥ 1, got "0"/);
    expect(() => parseEngine('tcp://h:2376#2#3')).to.throw(InvalidArgumentError, /is invalid/);
    expect(() => collectEngine('tcp://h:2376#2', collectEngine('tcp://h:2376'))).to.throw(InvalidArgumentError, /given twice/);
  });

  it('is bad usage (exit 2) on the command line, before anything starts', async () => {
    const program = buildProgram(
      () => {
        throw new Error('no engine may be reached in this test');
      },
      { exitCode: 0 },
    );
    program.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => undefined }));
    const error = await program.parseAsync(['run', '--engine', 'http://x'], { from: 'user' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CommanderError);
    expect(exitCodeOf(error)).to.equal(EXIT.usage);
  });

  it('knows an engine on this host from a remote one', () => {
    expect(isLocalEngine('unix:///var/run/docker.sock')).to.equal(true);
    expect(isLocalEngine('tcp://127.0.0.1:2375')).to.equal(true);
    expect(isLocalEngine('tcp://localhost:2375')).to.equal(true);
    expect(isLocalEngine('tcp://10.0.0.5:2376')).to.equal(false);
    expect(isLocalEngine('ssh://ops@lab-2')).to.equal(false);
  });

  it('gives a remote engine sites from its CPUs and memory, by the rule of --parallel auto', () => {
    expect(remoteCapacity({ NCPU: 8, MemTotal: 32 * GiB }, 0.05)).to.deep.include({ capacity: 7 });
    expect(remoteCapacity({ NCPU: 8, MemTotal: 32 * GiB }, 1).capacity, 'real time: 4 a core, within the 15 networks allow').to.equal(15);
    expect(remoteCapacity({ NCPU: 2, MemTotal: 1 * GiB }, 1).capacity, 'within its memory').to.equal(1);
    expect(remoteCapacity({ NCPU: 4, MemTotal: 16 * GiB }, 0.05).why).to.equal(
      "3 site(s) at once from its 4 CPU(s) and 16.0 GiB (its engine's info; its load is not measured)",
    );
  });
});

describe('setting up the engines of a run', () => {
  it('without --engine: the one engine at DOCKER_HOST or the local socket, --parallel sites at once, as before', async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const { engines, first } = await setUpEngines({
      given: [],
      parallel: 3,
      timeScale: 0.05,
      defaultClient: new FakeDocker().client,
      setup: fakeSetup(calls),
      say: (line) => lines.push(line),
    });
    expect(engines).to.have.length(1);
    expect(engines[0]).to.deep.include({ url: 'unix:///var/run/docker.sock', capacity: 3, capacityWhy: '--parallel 3' });
    expect(first.engine.address).to.equal('unix:///var/run/docker.sock');
    expect(lines).to.deep.equal(['cmsha: engine unix:///var/run/docker.sock: 3 site(s) at once (--parallel 3)']);
  });

  it('sets up each engine in turn, each with its images, and gives each its capacity: #N, --parallel auto shared, its CPUs', async () => {
    const remote = new FakeDocker();
    remote.info = async () => ({ NCPU: 4, MemTotal: 16 * GiB });
    const fakes = new Map([
      ['unix:///run/engine-2.sock', new FakeDocker()],
      ['unix:///run/engine-3.sock', new FakeDocker()],
      ['tcp://10.0.0.5:2376', remote],
      ['ssh://ops@lab-4', new FakeDocker()],
    ]);
    const calls: string[] = [];
    let measured = 0;
    const { engines, first } = await setUpEngines({
      given: ['unix:///run/engine-2.sock', 'unix:///run/engine-3.sock', 'tcp://10.0.0.5:2376', 'ssh://ops@lab-4#2'].reduce(
        (list, raw) => collectEngine(raw, list),
        [] as ReturnType<typeof collectEngine>,
      ),
      parallel: 'auto',
      timeScale: 0.05,
      defaultClient: new FakeDocker().client,
      connect: (url) => fakes.get(url)!.client,
      setup: fakeSetup(calls),
      measure: async () => {
        measured += 1;
        return { parallel: 3, why: '--parallel auto: 3 site(s) at once (4.0 of 4 cores idle, time scale 0.05)' };
      },
      say: () => undefined,
    });
    expect(calls, 'one after the other, in the order given').to.deep.equal([...fakes.keys()]);
    expect(measured, 'this machine measured once').to.equal(1);
    expect(engines.map((e) => [e.url, e.capacity])).to.deep.equal([
      ['unix:///run/engine-2.sock', 1],
      ['unix:///run/engine-3.sock', 1],
      ['tcp://10.0.0.5:2376', 3],
      ['ssh://ops@lab-4', 2],
    ]);
    expect(engines[0]!.capacityWhy).to.match(/, shared by 2 local engines$/);
    expect(engines[3]!.capacityWhy).to.equal('given as #2');
    expect(engines[2]!.images!.standin).to.equal('standin:tcp-10-0-0-5-2376');
    expect(engines[2]!.dockerVersion).to.equal('27.0.0-tcp-10-0-0-5-2376');
    expect(first.engine.address).to.equal('unix:///run/engine-2.sock');
  });

  it('gives the same engines their capacities at another time scale without setting them up again', async () => {
    const remote = new FakeDocker();
    remote.info = async () => ({ NCPU: 4, MemTotal: 16 * GiB });
    const calls: string[] = [];
    const pool = await setUpEngines({
      given: ['unix:///run/engine-2.sock', 'tcp://10.0.0.5:2376', 'ssh://ops@lab-4#2'].reduce(
        (list, raw) => collectEngine(raw, list),
        [] as ReturnType<typeof collectEngine>,
      ),
      parallel: 8,
      timeScale: 1,
      defaultClient: new FakeDocker().client,
      connect: (url) => (url.startsWith('tcp:') ? remote.client : new FakeDocker().client),
      setup: fakeSetup(calls),
      measure: async (timeScale) => ({ parallel: timeScale < 0.5 ? 1 : 8, why: `measured at ${timeScale}` }),
      say: () => undefined,
    });
    expect(pool.engines.map((e) => e.capacity)).to.deep.equal([8, 8, 2]);
    const explore = await pool.atTimeScale(0.05);
    expect(explore.map((e) => [e.capacity, e.capacityWhy])).to.deep.equal([
      [1, 'measured at 0.05'],
      [3, "3 site(s) at once from its 4 CPU(s) and 16.0 GiB (its engine's info; its load is not measured)"],
      [2, 'given as #2'],
    ]);
    expect(explore[1]!.images, 'each engine keeps its images').to.deep.equal(pool.engines[1]!.images);
    expect(calls, 'set up once').to.have.length(3);
  });

  it('takes --parallel N as the capacity of each local engine given without #N', async () => {
    const { engines } = await setUpEngines({
      given: [collectEngine('unix:///run/engine-2.sock')[0]!],
      parallel: 2,
      timeScale: 1,
      defaultClient: new FakeDocker().client,
      connect: () => new FakeDocker().client,
      setup: fakeSetup([]),
      say: () => undefined,
    });
    expect(engines.map((e) => [e.capacity, e.capacityWhy])).to.deep.equal([[2, '--parallel 2']]);
  });
});
