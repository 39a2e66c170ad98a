// A pool of engines pulling from one queue: longest first onto the least loaded engine, a drained engine's work moved
// elsewhere, a harness fault retried once elsewhere, one verdict per execution; and the pool sized on paper.

import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { formatLongDurationMs } from '../core/format.js';
import { readDurations } from './durations.js';
import { EngineQueue, simulate, type Dispatch, type EngineSpec, type ExecutionSpec, type Step, type Verdict } from './engine-queue.js';

const exec = (id: string, estimateMs: number): ExecutionSpec => ({ id, estimateMs });
const engine = (id: string, capacity = 1): EngineSpec => ({ id, capacity });
const pairs = (dispatched: Dispatch[]) => dispatched.map((d) => [d.execution, d.engine]);

/** Reports `outcome` for the running attempt of `execution`, as the pool would when its worker ends. */
function end(queue: EngineQueue, execution: string, outcome: 'passed' | 'failed' | 'inconclusive' = 'passed', reason?: string): Step {
  const attempt = queue.attempts(execution).at(-1)!;
  return queue.report({ execution, attempt: attempt.attempt, outcome, reason });
}

/** Every execution has exactly one verdict, whether it came from an event or from verdicts(). */
function expectOneVerdictEach(queue: EngineQueue, ids: string[], finished: Verdict[]): void {
  expect(queue.done).to.equal(true);
  expect(finished.map((v) => v.execution).sort(), 'one verdict per execution, none twice').to.deep.equal([...ids].sort());
  expect(queue.verdicts().map((v) => v.execution)).to.deep.equal(ids);
}

describe('engine queue', () => {
  it('starts the longest first, each on the least loaded engine with a free slot, and never more than its capacity', () => {
    const executions = [exec('a', 10_000), exec('b', 50_000), exec('c', 30_000), exec('d', 30_000), exec('e', 20_000), exec('f', 40_000)];
    const queue = new EngineQueue(executions, [engine('big', 2), engine('one'), engine('two')]);
    const first = queue.start();
    // b: all idle, big has the most free slots; f: one and two idle, one added first; c before d (same length, by id).
    expect(pairs(first.dispatched)).to.deep.equal([
      ['b', 'big'],
      ['f', 'one'],
      ['c', 'two'],
      ['d', 'big'],
    ]);
    expect(first.dispatched.every((d) => d.attempt === 1 && d.rerun === null)).to.equal(true);
    expect(pairs(end(queue, 'c').dispatched), 'the next longest takes the freed slot').to.deep.equal([['e', 'two']]);
    expect(pairs(end(queue, 'b').dispatched)).to.deep.equal([['a', 'big']]);
    for (const state of queue.engines()) expect(state.running.length).to.be.at.most(state.capacity);
    const finished = ['f', 'd', 'e', 'a'].flatMap((id) => end(queue, id).finished);
    expect(finished.at(-1)!.execution).to.equal('a');
    expect(queue.done).to.equal(true);
  });

  it('dispatches the same way for the same events, whatever the order the executions were given in', () => {
    const executions = Array.from({ length: 12 }, (_, i) => exec(`t${i}`, [60_000, 30_000, 30_000, 90_000][i % 4]!));
    const script = (given: ExecutionSpec[]) => {
      const queue = new EngineQueue(given, [engine('x', 2), engine('y', 3)]);
      const log: unknown[] = [pairs(queue.start().dispatched)];
      for (let round = 0; !queue.done; round += 1) {
        const state = queue.engines();
        const running = state.flatMap((e) => e.running);
        // A fixed but uneven completion order: every third round a fault, one drain midway.
        if (round === 4) log.push(pairs(queue.drain('x', 'stopped answering').dispatched));
        else
          log.push(
            pairs(end(queue, running[round % running.length]!, round % 3 === 2 ? 'inconclusive' : 'passed', 'observer lost').dispatched),
          );
      }
      return { log, verdicts: queue.verdicts() };
    };
    const forwards = script(executions);
    expect(script(executions)).to.deep.equal(forwards);
    expect(script([...executions].reverse()).log).to.deep.equal(forwards.log);
  });

  it('moves the running executions of a drained engine to another, marked as re-run with the reason, and starts nothing more on it', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const queue = new EngineQueue(
      ids.map((id, i) => exec(id, 60_000 - i * 10_000)),
      [engine('tcp://one:2376', 2), engine('tcp://two:2376', 2)],
    );
    expect(pairs(queue.start().dispatched)).to.deep.equal([
      ['a', 'tcp://one:2376'],
      ['b', 'tcp://two:2376'],
      ['c', 'tcp://one:2376'],
      ['d', 'tcp://two:2376'],
    ]);
    const drained = queue.drain('tcp://one:2376', 'host overloaded (load 7.9 on 2 cores)');
    expect(drained.dispatched, 'the other engine is full: the moved executions wait').to.deep.equal([]);
    expect(queue.engines()[0]).to.deep.include({ running: [], drained: 'host overloaded (load 7.9 on 2 cores)' });

    const later: Dispatch[] = [];
    const finished: Verdict[] = [];
    const take = (step: Step) => {
      later.push(...step.dispatched);
      finished.push(...step.finished);
      return step;
    };
    expect(take(end(queue, 'd')).dispatched).to.deep.equal([
      {
        execution: 'a',
        engine: 'tcp://two:2376',
        attempt: 2,
        rerun: 'moved from engine tcp://one:2376: host overloaded (load 7.9 on 2 cores)',
      },
    ]);
    const late = take(queue.report({ execution: 'c', attempt: 1, outcome: 'passed' }));
    expect(late.ignored, 'a word from the drained engine does not count').to.match(
      /^Attempt 1 of "c" ended when engine tcp:\/\/one:2376 was drained/,
    );
    expect(late.finished).to.deep.equal([]);
    take(end(queue, 'b'));
    take(end(queue, 'a'));
    take(end(queue, 'c'));
    take(end(queue, 'e'));

    expect(
      later.map((d) => d.engine),
      'nothing on the drained engine afterwards',
    ).to.deep.equal(Array(3).fill('tcp://two:2376'));
    expect(later.map((d) => d.execution)).to.deep.equal(['a', 'c', 'e']);
    expectOneVerdictEach(queue, ids, finished);
    const a = queue.verdicts()[0]!;
    expect(a.outcome).to.equal('passed');
    expect(a.attempts.map((t) => [t.engine, t.outcome])).to.deep.equal([
      ['tcp://one:2376', 'moved'],
      ['tcp://two:2376', 'passed'],
    ]);
    expect(queue.drain('tcp://one:2376', 'again').dispatched, 'draining twice changes nothing').to.deep.equal([]);
  });

  it('retries an inconclusive execution once on another engine, waiting for it rather than going back to the faulty one', () => {
    const queue = new EngineQueue([exec('long', 90_000), exec('short', 30_000)], [engine('a'), engine('b')]);
    expect(pairs(queue.start().dispatched)).to.deep.equal([
      ['long', 'a'],
      ['short', 'b'],
    ]);
    const fault = end(queue, 'long', 'inconclusive', 'Toxiproxy did not answer');
    expect(fault.dispatched, 'engine a is free, but the retry waits for b').to.deep.equal([]);
    expect(fault.finished).to.deep.equal([]);
    expect(end(queue, 'short').dispatched).to.deep.equal([
      { execution: 'long', engine: 'b', attempt: 2, rerun: 'retried after inconclusive on engine a: Toxiproxy did not answer' },
    ]);
    const last = end(queue, 'long', 'passed');
    expect(last.finished.map((v) => [v.execution, v.outcome])).to.deep.equal([['long', 'passed']]);
    expect(last.done).to.equal(true);
  });

  it('ends an execution inconclusive, never failed, when its retry is inconclusive too', () => {
    const queue = new EngineQueue([exec('x', 60_000)], [engine('a'), engine('b'), engine('c')]);
    expect(pairs(queue.start().dispatched)).to.deep.equal([['x', 'a']]);
    expect(pairs(end(queue, 'x', 'inconclusive', 'observer lost the stream').dispatched)).to.deep.equal([['x', 'b']]);
    const second = end(queue, 'x', 'inconclusive', 'host overloaded');
    expect(second.dispatched, 'no third attempt').to.deep.equal([]);
    expect(second.finished).to.have.length(1);
    const verdict = second.finished[0]!;
    expect(verdict.outcome).to.equal('inconclusive');
    expect(verdict.reason).to.equal('inconclusive 2 times: on a (observer lost the stream), then on b (host overloaded)');
    expect(verdict.attempts.map((t) => [t.engine, t.outcome])).to.deep.equal([
      ['a', 'inconclusive'],
      ['b', 'inconclusive'],
    ]);
    expect(queue.verdicts().filter((v) => v.outcome === 'failed')).to.deep.equal([]);
    expect(queue.done).to.equal(true);
  });

  it('retries on the same engine, saying so, when it is the only engine left; a failure is final at once', () => {
    const queue = new EngineQueue([exec('x', 60_000), exec('y', 10_000)], [engine('solo')]);
    queue.start();
    const retry = end(queue, 'x', 'inconclusive', 'engine timed out');
    expect(retry.dispatched).to.deep.equal([
      {
        execution: 'x',
        engine: 'solo',
        attempt: 2,
        rerun: 'retried after inconclusive on engine solo: engine timed out; on solo again, the only engine left',
      },
    ]);
    end(queue, 'x', 'passed');
    const failed = end(queue, 'y', 'failed', 'the secondary stayed STANDBY');
    expect(failed.finished.map((v) => [v.outcome, v.reason, v.attempts.length])).to.deep.equal([
      ['failed', 'the secondary stayed STANDBY', 1],
    ]);
    expect(failed.dispatched, 'a failure is the site’s, not retried').to.deep.equal([]);
    expect(failed.done).to.equal(true);
  });

  it('ends everything left inconclusive, naming the engines and why, once every engine is drained', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const queue = new EngineQueue(
      ids.map((id, i) => exec(id, 40_000 - i * 10_000)),
      [engine('e1'), engine('e2')],
    );
    queue.start();
    const finished = [...end(queue, 'a').finished];
    const first = queue.drain('e1', 'stopped answering');
    expect(first.finished).to.deep.equal([]);
    finished.push(...first.finished);
    const last = queue.drain('e2', 'host overloaded');
    finished.push(...last.finished);
    expect(last.done).to.equal(true);
    expect(last.dispatched).to.deep.equal([]);
    expect(last.finished.map((v) => v.execution)).to.deep.equal(['b', 'c', 'd']);
    for (const verdict of last.finished) {
      expect(verdict.outcome).to.equal('inconclusive');
      expect(verdict.reason).to.equal('no engine left to run it: every engine was drained (e1: stopped answering; e2: host overloaded)');
    }
    expect(last.finished[0]!.attempts.map((t) => [t.engine, t.outcome])).to.deep.equal([['e2', 'moved']]);
    expect(last.finished[2]!.attempts, 'd never started').to.deep.equal([]);
    expectOneVerdictEach(queue, ids, finished);
    expect(queue.report({ execution: 'b', attempt: 1, outcome: 'passed' }).ignored).to.match(/does not count/);
  });

  it('rejects bad engines, executions and reports up front, naming the value given', () => {
    expect(() => new EngineQueue([exec('a', 1), exec('a', 2)])).to.throw(HarnessError, /Execution id "a" is given twice/);
    expect(() => new EngineQueue([exec('a', -1)])).to.throw(HarnessError, /estimateMs -1: give a finite number/);
    expect(() => new EngineQueue([], [engine('e', 0)])).to.throw(
      HarnessError,
      /Engine "e" has capacity 0: give a whole number of sites ≥ 1/,
    );
    expect(() => new EngineQueue([exec('a', 1)]).start()).to.throw(HarnessError, /add at least one engine before start\(\)/);
    const queue = new EngineQueue([exec('a', 1)], [engine('e')]);
    queue.start();
    expect(() => queue.addEngine(engine('e'))).to.throw(HarnessError, /Engine "e" is added twice: .* needs a new id/);
    expect(() => queue.drain('f', 'x')).to.throw(HarnessError, /No engine "f" in the pool/);
    expect(() => queue.report({ execution: 'a', attempt: 2, outcome: 'passed' })).to.throw(HarnessError, /not dispatched/);
    end(queue, 'a');
    expect(() => queue.report({ execution: 'a', attempt: 1, outcome: 'failed' })).to.throw(HarnessError, /already reported \(passed\)/);
    expect(() => simulate([], { engines: 0 })).to.throw(HarnessError, /0 engines: give a whole number ≥ 1/);
  });

  it('gives an engine added after the start its share of what waits', () => {
    const queue = new EngineQueue([exec('a', 30_000), exec('b', 20_000)], [engine('first')]);
    expect(pairs(queue.start().dispatched)).to.deep.equal([['a', 'first']]);
    expect(pairs(queue.addEngine(engine('second')).dispatched)).to.deep.equal([['b', 'second']]);
  });
});

describe('pool on paper', () => {
  it('jumps the virtual clock from completion to completion and records what each engine ran', () => {
    const run = simulate(
      [
        { id: 'w', durationMs: 30_000 },
        { id: 'x', durationMs: 20_000 },
        { id: 'y', durationMs: 20_000 },
        { id: 'z', durationMs: 10_000 },
      ],
      { engines: 2 },
    );
    expect(run.makespanMs).to.equal(40_000);
    expect(run.engines).to.deep.equal([
      {
        engine: 'engine-1',
        busyMs: 40_000,
        entries: [
          { execution: 'w', startMs: 0, endMs: 30_000 },
          { execution: 'z', startMs: 30_000, endMs: 40_000 },
        ],
      },
      {
        engine: 'engine-2',
        busyMs: 40_000,
        entries: [
          { execution: 'x', startMs: 0, endMs: 20_000 },
          { execution: 'y', startMs: 20_000, endMs: 40_000 },
        ],
      },
    ]);
    expect(
      simulate(
        [
          { id: 'w', durationMs: 30_000 },
          { id: 'x', durationMs: 20_000 },
        ],
        { engines: 1, capacity: 2 },
      ).makespanMs,
    ).to.equal(30_000);
    expect(simulate([], { engines: 3 }).makespanMs).to.equal(0);
  });

  // The committed real-time catalogue (74 scenarios, 21_126_823 ms in all, the longest 1_921_479 ms), one site per
  // engine, as of this commit:
  //   N = 2: makespan 10_568_572 ms, bound max(1_921_479, 10_563_412) → ratio 1.000
  //   N = 4: makespan  5_283_160 ms, bound max(1_921_479,  5_281_706) → ratio 1.000
  //   N = 8: makespan  2_661_518 ms, bound max(1_921_479,  2_640_853) → ratio 1.008
  // No schedule beats the bound, so longest first loses at most a few percent of the wall time to the dealing.
  const realTime = readDurations(fileURLToPath(new URL('../../../suites/durations.json', import.meta.url)));
  const catalogue = [...realTime].map(([id, durationMs]) => ({ id, durationMs }));
  const totalMs = catalogue.reduce((sum, e) => sum + e.durationMs, 0);
  const longestMs = Math.max(...catalogue.map((e) => e.durationMs));

  it('reads the real-time catalogue of 74 scenarios', () => {
    expect(catalogue).to.have.length(74);
  });

  for (const engines of [2, 4, 8]) {
    const run = simulate(catalogue, { engines });
    const boundMs = Math.max(longestMs, totalMs / engines);
    const ratio = run.makespanMs / boundMs;
    it(`runs the real-time catalogue on ${engines} one-site engines within 1.15 × max(longest, total ÷ ${engines}): ${formatLongDurationMs(run.makespanMs)} (${run.makespanMs} ms) against ${formatLongDurationMs(boundMs)}, ratio ${ratio.toFixed(3)}`, () => {
      expect(ratio).to.be.at.least(1);
      expect(ratio).to.be.at.most(1.15);
      expect(run.engines.flatMap((e) => e.entries.map((t) => t.execution)).sort()).to.deep.equal(catalogue.map((e) => e.id).sort());
      for (const timeline of run.engines)
        timeline.entries.forEach((t, i) => {
          if (i > 0) expect(t.startMs, 'one site at a time').to.be.at.least(timeline.entries[i - 1]!.endMs);
        });
    });
  }
});
