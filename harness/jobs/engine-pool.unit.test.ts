// The pool of engines played out by hand: fake workers the test ends, fake engines it makes stop answering. One
// queue over every engine, each worker pointed at its engine with its engine's images; a dead engine drained, its
// workers killed and their executions run again elsewhere, marked; an inconclusive execution retried once; an
// overloaded engine drained; every execution with exactly one final verdict and every attempt recorded.

import { expect } from 'chai';
import type { EngineRecord, TestRecord } from '../core/model.js';
import { defaultRunContext, type ImageSet } from '../core/run-context.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { FakeWorkers, fakeTask } from '../testing/fake-workers.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { runEnginePool, type EnginePoolOptions, type PoolEngine } from './engine-pool.js';

const A = 'unix:///run/engine-a.sock';
const B = 'tcp://10.0.0.5:2376';
const images = (tag: string): ImageSet => ({
  toxiproxy: `toxiproxy:${tag}`,
  standin: `standin:${tag}`,
  echo: `echo:${tag}`,
  holder: `holder:${tag}`,
});

/** A pool over fake engines A and B, with fake workers; `dead(url)` makes an engine stop answering. */
function pool(
  tasks: Array<[string, number]>,
  engines: PoolEngine[] = [
    { url: A, capacity: 1 },
    { url: B, capacity: 1 },
  ],
  more: Partial<EnginePoolOptions> = {},
) {
  const fakes = new Map(engines.map((e) => [e.url, new FakeDocker()]));
  const workers = new FakeWorkers();
  const drains: string[] = [];
  const requeued: string[] = [];
  const run = runEnginePool(
    tasks.map(([id, ms]) => fakeTask(id, ms)),
    {
      engines,
      dir: scratchDir('pool'),
      context: { ...defaultRunContext(), images: images('run') },
      startWorker: workers.start,
      connect: (url) => fakes.get(url)!.client,
      pingEveryMs: 5,
      onDrain: (engine, reason) => drains.push(`${engine}: ${reason}`),
      onRequeue: (task, why) => requeued.push(`${task.entry.title}: ${why}`),
      ...more,
    },
  );
  const dead = (url: string, reason = 'connect ECONNREFUSED') => {
    fakes.get(url)!.version = async () => {
      throw new Error(reason);
    };
  };
  return { run, workers, drains, requeued, dead };
}

/** Waits (a few ms at a time, 5 s at most: a busy machine) until `holds` does. */
async function until(holds: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i += 1) {
    if (holds()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const attemptsOf = (records: Map<string, TestRecord[]>, id: string) =>
  records.get(id)![0]!.attempts!.map((a) => [a.engine, a.outcome, a.rerun === null ? null : a.rerun.split(':')[0]]);

describe('engine pool', () => {
  it('runs one queue over every engine, longest first, each worker on its engine with that engine’s images', async () => {
    const { run, workers } = pool(
      [
        ['short', 10],
        ['long', 30],
        ['mid', 20],
      ],
      [
        { url: A, capacity: 1, images: images('a') },
        { url: B, capacity: 1, images: images('b') },
      ],
    );
    expect(workers.started.map((s) => [s.task.id, s.engine.url])).to.deep.equal([
      ['long', A],
      ['mid', B],
    ]);
    expect(workers.contextOf('long').images!.standin).to.equal('standin:a');
    expect(workers.contextOf('mid').images!.standin).to.equal('standin:b');
    workers.end('mid', 'passed');
    await until(() => workers.running().includes('short'), 'the next execution');
    expect(workers.engineOf('short'), 'the freed slot').to.equal(B);
    workers.end('long', 'failed', 'cms-secondary stayed STANDBY');
    workers.end('short', 'passed');
    const { records, engines } = await run.done;
    expect([...records.keys()].sort()).to.deep.equal(['long', 'mid', 'short']);
    expect(records.get('long')![0]).to.deep.include({ outcome: 'failed', engine: A });
    expect(attemptsOf(records, 'long')).to.deep.equal([[A, 'failed', null]]);
    expect(engines.map((e) => [e.url, e.attempts, e.drained])).to.deep.equal([
      [A, 1, null],
      [B, 2, null],
    ]);
  });

  it('drains an engine that stops answering its pings, kills its workers, and runs their executions on another, marked', async () => {
    const { run, workers, drains, requeued, dead } = pool([
      ['x', 30],
      ['y', 20],
      ['z', 10],
    ]);
    dead(B, 'connect ECONNREFUSED 10.0.0.5:2376');
    await until(() => drains.length === 1, 'the drain');
    expect(drains[0]).to.match(
      /^tcp:\/\/10\.0\.0\.5:2376: stopped answering: 2 pings in a row failed \(connect ECONNREFUSED 10\.0\.0\.5:2376\)$/,
    );
    expect(workers.killed).to.deep.equal([{ task: 'y', engine: B, signal: 'SIGTERM' }]);
    expect(requeued).to.deep.equal([`y: moved from engine ${B}: ${drains[0]!.slice(B.length + 2)}`]);
    workers.end('x', 'passed');
    await until(() => workers.running().includes('y') && workers.engineOf('y') === A, 'y on the live engine');
    workers.end('y', 'passed');
    await until(() => workers.running().includes('z'), 'z');
    expect(workers.engineOf('z'), 'nothing more on the drained engine').to.equal(A);
    workers.end('z', 'passed');
    const { records, engines } = await run.done;
    expect(attemptsOf(records, 'y')).to.deep.equal([
      [B, 'moved', null],
      [A, 'passed', 'moved from engine tcp'],
    ]);
    expect(records.get('y')![0]!.attempts![1]!.rerun).to.contain('stopped answering');
    expect(records.get('y')![0]!.outcome, 'the killed attempt’s "interrupted" does not count').to.equal('passed');
    expect(engines[1]!.drained!.reason).to.match(/^stopped answering/);
    for (const id of ['x', 'y', 'z']) expect(records.get(id), id).to.have.length(1);
  });

  it('retries an inconclusive execution once on another engine; twice inconclusive ends inconclusive, never failed', async () => {
    const { run, workers, requeued } = pool([
      ['once', 30],
      ['twice', 20],
    ]);
    const toxiproxy = { part: 'toxiproxy' as const, cause: "the site's Toxiproxy stopped answering: reset" };
    workers.end('once', 'inconclusive', toxiproxy);
    workers.end('twice', 'inconclusive', toxiproxy);
    await until(() => workers.started.length === 4, 'both retries');
    expect(workers.started.slice(2).map((s) => [s.task.id, s.engine.url])).to.deep.equal([
      ['once', B],
      ['twice', A],
    ]);
    expect(requeued[0]).to.equal(`once: retried after inconclusive on engine ${A}: the site's Toxiproxy stopped answering: reset`);
    workers.end('once', 'passed');
    workers.end('twice', 'inconclusive', toxiproxy);
    const { records } = await run.done;
    expect(records.get('once')![0]!.outcome).to.equal('passed');
    expect(attemptsOf(records, 'once')).to.deep.equal([
      [A, 'inconclusive', null],
      [B, 'passed', 'retried after inconclusive on engine unix'],
    ]);
    const twice = records.get('twice')![0]!;
    expect(twice.outcome).to.equal('inconclusive');
    expect(twice.harnessFault).to.deep.equal(toxiproxy);
    expect(twice.attempts!.map((a) => a.outcome)).to.deep.equal(['inconclusive', 'inconclusive']);
  });

  it('takes an inconclusive execution on an engine that no longer answers as the engine’s: drained, moved, retry unspent', async () => {
    const { run, workers, drains, dead } = pool(
      [['x', 30]],
      [
        { url: A, capacity: 1 },
        { url: B, capacity: 1 },
      ],
      { pingEveryMs: 60_000 },
    );
    dead(A, 'connect ENOENT /run/engine-a.sock');
    workers.end('x', 'inconclusive', { part: 'engine', cause: 'the engine failed: connect ENOENT' });
    await until(() => drains.length === 1 && workers.running().includes('x'), 'the move');
    expect(drains[0]).to.equal(`${A}: stopped answering: connect ENOENT /run/engine-a.sock`);
    workers.end('x', 'inconclusive', { part: 'host', cause: 'a late timer spoiled the window' });
    await until(() => workers.started.length === 3, 'the retry the move did not spend');
    expect(workers.engineOf('x'), 'the only engine left').to.equal(B);
    workers.end('x', 'passed');
    const { records } = await run.done;
    expect(attemptsOf(records, 'x')).to.deep.equal([
      [A, 'moved', null],
      [B, 'inconclusive', 'moved from engine unix'],
      [B, 'passed', 'retried after inconclusive on engine tcp'],
    ]);
    expect(records.get('x')![0]!.attempts![2]!.rerun).to.contain(`on ${B} again, the only engine left`);
  });

  it('drains an engine on which two executions in a row were spoiled by late timers, but never the last engine', async () => {
    const late = { part: 'host' as const, cause: 'a late timer spoiled the window (the host was overloaded): …' };
    const { run, workers, drains } = pool(
      [
        ['a1', 50],
        ['b1', 40],
        ['a2', 30],
        ['b2', 20],
      ],
      undefined,
      { pingEveryMs: 60_000 },
    );
    workers.end('a1', 'inconclusive', late);
    await until(() => workers.started.length === 3, 'the next on A');
    expect(workers.started[2]!.task.id).to.equal('a2');
    workers.end('a2', 'inconclusive', late);
    await until(() => drains.length === 1, 'the drain');
    expect(drains[0]).to.equal(`${A}: host overloaded: 2 executions in a row on it were spoiled by late timers of its stand-ins`);
    // B alone now: however late its timers, it is not drained, and everything ends there.
    for (let i = 0; i < 6 && workers.running().length > 0; i += 1) {
      const id = workers.running()[0]!;
      workers.end(id, 'inconclusive', late);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    while (workers.running().length > 0) {
      workers.end(workers.running()[0]!, 'passed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { records, engines } = await run.done;
    expect(drains, 'the last engine is kept').to.have.length(1);
    expect(engines[1]!.drained).to.equal(null);
    expect([...records.values()].every((r) => r.length === 1)).to.equal(true);
  });

  it('calls a worker that died without its record inconclusive (harness), naming its log, and retries it', async () => {
    const { run, workers } = pool([['x', 10]], [{ url: A, capacity: 1 }]);
    workers.crash('x');
    await until(() => workers.started.length === 2, 'the retry');
    expect(workers.started[1]!.attempt).to.equal(2);
    workers.crash('x');
    const { records } = await run.done;
    const x = records.get('x')![0]!;
    expect(x.outcome).to.equal('inconclusive');
    expect(x.harnessFault!.part).to.equal('worker');
    expect(x.error!.message).to.match(
      /^inconclusive \(harness\): the worker running this test exited with code 2 before it wrote the test's record; see .*x\.attempt-2\.log$/,
    );
  });

  it('ends what is left inconclusive, naming why, when every engine is drained', async () => {
    const { run, workers, dead } = pool([
      ['x', 30],
      ['y', 20],
      ['z', 10],
    ]);
    dead(A);
    dead(B);
    const { records, engines } = await run.done;
    expect(workers.killed.map((k) => k.task).sort()).to.deep.equal(['x', 'y']);
    for (const id of ['x', 'y', 'z']) {
      const [record] = records.get(id)!;
      expect(record!.outcome, id).to.equal('inconclusive');
      expect(record!.error!.message, id).to.match(/^inconclusive \(harness\): no engine left to run it: every engine was drained/);
    }
    expect(records.get('z')![0]!.attempts, 'z never started').to.deep.equal([]);
    expect(engines.every((e: EngineRecord) => e.drained !== null)).to.equal(true);
  });

  it('stops on a signal: every running worker is told, nothing new starts, and what ended is kept', async () => {
    const { run, workers } = pool([
      ['x', 30],
      ['y', 20],
      ['z', 10],
    ]);
    workers.end('x', 'passed');
    await until(() => workers.running().includes('z'), 'z');
    await run.stop('SIGINT');
    expect(workers.killed.map((k) => [k.task, k.signal]).sort()).to.deep.equal([
      ['y', 'SIGINT'],
      ['z', 'SIGINT'],
    ]);
    const { records } = await run.done;
    expect(records.get('x')![0]!.outcome).to.equal('passed');
    expect(records.get('y')![0]!.error!.message).to.equal('interrupted: received SIGINT');
    expect(workers.started).to.have.length(3);
  });
});
