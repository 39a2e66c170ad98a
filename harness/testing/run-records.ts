// A run record for the tests of code that reads runs (compare, report, durations, the commands): every field a real
// run fills, with plain defaults, and the tests given; a test changes only what it is about.

import { RUN_RECORD_SCHEMA, type RunRecord, type TestRecord } from '../core/model.js';
import { DEFAULT_SITE } from '../core/site-config.js';

export function testRunRecord(tests: TestRecord[], changes: Partial<RunRecord> = {}): RunRecord {
  return {
    schema: RUN_RECORD_SCHEMA,
    runId: 'run',
    startedAt: '2026-11-26T01:00:00.000Z',
    endedAt: '2026-11-26T01:10:00.000Z',
    partial: false,
    partialReason: null,
    timeScale: 0.05,
    seed: 7,
    repeat: 1,
    parallel: 1,
    shard: null,
    siteFile: 'default',
    site: DEFAULT_SITE,
    environment: { node: 'v20', platform: 'linux', dockerVersion: null, toxiproxyVersion: null, images: [] },
    stats: { passed: tests.length, failed: 0, flaky: 0, pending: 0, executions: tests.length, durationMs: 1 },
    tests,
    ...changes,
  };
}
