// The history keeps one file per finished run; a partial or damaged entry is skipped, never fatal.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { HistoryEntry } from '../core/model.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { appendHistory, knownDurations, readHistory } from './history.js';

const entry = (runId: string, startedAt: string, partial = false, timeScale = 0.05): HistoryEntry => ({
  runId,
  startedAt,
  timeScale,
  siteFile: 'default',
  seed: 1,
  repeat: 1,
  partial,
  stats: { passed: 1, failed: 0, flaky: 0, pending: 0, executions: 1, durationMs: 10 },
  scenarios: [
    {
      fullTitle: 't',
      scenario: 'f',
      outcome: 'passed',
      executions: 1,
      failed: 0,
      durationMs: Number(runId.slice(1)),
      endStates: [],
      timings: [],
    },
  ],
});

describe('history', () => {
  it('reads the runs back oldest first, skipping partial and damaged entries', () => {
    const dir = scratchDir('history');
    appendHistory(dir, entry('r2', '2026-11-26T02:00:00.000Z'));
    appendHistory(dir, entry('r1', '2026-11-25T02:00:00.000Z'));
    appendHistory(dir, entry('r3', '2026-11-27T02:00:00.000Z', true));
    writeFileSync(join(dir, 'zz-truncated.json'), '{"runId": "r4", "scen');
    expect(readHistory(dir).map((h) => h.runId)).to.deep.equal(['r1', 'r2']);
    expect(readHistory(dir, 1).map((h) => h.runId)).to.deep.equal(['r2']);
  });

  it('knows each scenario’s length from the latest run at the same time scale', () => {
    const known = knownDurations([entry('r100', 'a'), entry('r200', 'b'), entry('r900', 'c', false, 1)], 0.05);
    expect(known.get('t')).to.equal(200);
    expect(readHistory(join(tmpdir(), 'no-such-history-dir'))).to.deep.equal([]);
  });
});
