// Shards split the catalogue the same way everywhere and together cover it exactly once; a run goes longest first.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { DEFAULT_SITE, scaleSite } from '../core/site-config.js';
import type { CatalogueEntry } from './catalogue.js';
import { parseShard, planTasks, shardOf } from './plan.js';

const scaled = scaleSite(DEFAULT_SITE, 0.05);
const entry = (title: string, cmDown = false): CatalogueEntry => ({
  fullTitle: title,
  title,
  file: 'x.suite.js',
  meta: { family: 'f', faults: cmDown ? [{ kind: 'stop', target: 'cm' }] : [{ kind: 'kill', target: 'cms-primary' }] },
});
const catalogue = [entry('a'), entry('b'), entry('ess', true), entry('c'), entry('d'), entry('e')];

describe('run plan', () => {
  it('reads I/N and rejects a shard that does not exist, with exit-2 input errors', () => {
    expect(parseShard('2/3')).to.deep.equal({ index: 2, count: 3 });
    for (const bad of ['3/2', '0/2', '1/0', 'two/3', '1-2']) {
      expect(() => parseShard(bad)).to.throw(HarnessError, /--shard .* is invalid: give I\/N/);
    }
  });

  it('gives every scenario to exactly one shard, whatever the number of shards', () => {
    for (const count of [1, 2, 3, 4]) {
      const parts = Array.from({ length: count }, (_, i) => shardOf(catalogue, scaled, { index: i + 1, count }).map((e) => e.fullTitle));
      expect(parts.flat().sort()).to.deep.equal(catalogue.map((e) => e.fullTitle).sort());
    }
  });

  it('runs the longest scenario first, once per repeat', () => {
    const tasks = planTasks(catalogue, 2, scaled);
    expect(tasks).to.have.length(12);
    expect(tasks[0]!.entry.fullTitle).to.equal('ess');
    expect(tasks[1]!.entry.fullTitle).to.equal('ess');
    expect(new Set(tasks.map((t) => t.id)).size).to.equal(12);
  });

  it('prefers a length known from the history to the estimate', () => {
    const tasks = planTasks(catalogue, 1, scaled, new Map([['c', 1e9]]));
    expect(tasks[0]!.entry.fullTitle).to.equal('c');
  });
});
