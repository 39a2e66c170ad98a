// The committed scenario lengths: written only from a passing, whole, real-time run; read back for any time scale;
// a run with no history then starts its longest scenario first, and shards are dealt by them.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import type { RunRecord, TestRecord } from '../core/model.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { testRunRecord } from '../testing/run-records.js';
import { DEFAULT_SITE, scaleSite } from '../core/site-config.js';
import type { CatalogueEntry } from './catalogue.js';
import { durationsAt, durationsFromRun, readDurations, writeDurations } from './durations.js';
import { planTasks, shardOf } from './plan.js';

const test = (fullTitle: string, durationMs: number, outcome: TestRecord['outcome'] = 'passed'): TestRecord => ({
  title: fullTitle,
  fullTitle,
  path: [],
  file: null,
  outcome,
  durationMs,
  repeat: 0,
  seed: 1,
  error: null,
  evidence: null,
});

const run = (tests: TestRecord[], changes: Partial<RunRecord> = {}): RunRecord =>
  testRunRecord(tests, { runId: 'rt', startedAt: '2026-11-27T00:00:00.000Z', timeScale: 1, parallel: 12, ...changes });

const entry = (title: string): CatalogueEntry => ({
  fullTitle: title,
  title,
  file: 'x.suite.js',
  meta: { family: 'f', faults: [{ kind: 'kill', target: 'cms-primary' }] },
});

describe('scenario durations', () => {
  it('keeps the median of each scenario over its repeats, from a passing real-time run', () => {
    const file = durationsFromRun(run([test('wan sunny day', 400_000), test('kill', 70_000), test('kill', 90_000), test('kill', 75_000)]));
    expect(file.durationsMs).to.deep.equal({ kill: 75_000, 'wan sunny day': 400_000 });
    expect(file.measured).to.deep.equal({ runId: 'rt', startedAt: '2026-11-27T00:00:00.000Z', parallel: 12 });
  });

  it('refuses a run at another time scale, an unfinished run and one with failures, saying what to give', () => {
    const cases: Array<[RunRecord, RegExp]> = [
      [run([test('kill', 1)], { timeScale: 0.05 }), /ran at time scale 0.05; .* \(run with --time-scale 1\)/],
      [run([test('kill', 1)], { partial: true }), /did not finish/],
      [run([test('kill', 1, 'failed')]), /executions that did not pass/],
    ];
    for (const [record, message] of cases) {
      expect(() => durationsFromRun(record)).to.throw(HarnessError, message);
      expect(() => durationsFromRun(record)).to.throw(HarnessError, /give the folder of a passing real-time run/);
    }
  });

  it('reads back what it wrote; a missing file is no lengths, a broken one an error naming it', () => {
    const dir = scratchDir('durations');
    const path = join(dir, 'durations.json');
    expect(readDurations(path).size).to.equal(0);
    writeDurations(durationsFromRun(run([test('kill', 70_000)])), path);
    expect([...readDurations(path)]).to.deep.equal([['kill', 70_000]]);
    writeFileSync(path, '{"durationsMs": {"kill": "long"}}');
    expect(() => readDurations(path)).to.throw(HarnessError, /durations\.json has no "durationsMs" of positive numbers; .*cmsha durations/);
    writeFileSync(path, 'not json');
    expect(() => readDurations(path)).to.throw(HarnessError, /durations\.json is not JSON/);
  });

  it('scales the site time of a length, not the start and removal of its site', () => {
    const at = durationsAt(new Map([['wan sunny day', 410_000]]), 0.05);
    expect(at.get('wan sunny day')).to.equal(10_000 + 20_000);
    expect(durationsAt(new Map([['x', 410_000]]), 1).get('x')).to.equal(410_000);
  });

  it('starts the longest measured scenario first, though the estimate from its faults ranks them all alike', () => {
    const catalogue = [entry('kill'), entry('pause'), entry('wan sunny day')];
    const measured = durationsAt(
      new Map([
        ['wan sunny day', 410_000],
        ['kill', 70_000],
      ]),
      1,
    );
    const scaled = scaleSite(DEFAULT_SITE, 1);
    expect(planTasks(catalogue, 1, scaled, measured)[0]!.entry.fullTitle).to.equal('wan sunny day');
    const shards = [1, 2].map((index) => shardOf(catalogue, scaled, { index, count: 2 }, measured).map((e) => e.fullTitle));
    expect(shards[0], 'the longest scenario alone on the first shard').to.deep.equal(['wan sunny day']);
    expect(shards[1]).to.deep.equal(['kill', 'pause']);
  });
});
