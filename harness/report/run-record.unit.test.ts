// Options (reporter option > environment > default, bad values named), run ids, the collector's rules for
// retries and late failures, and the atomic writes behind run.json and `latest`.

import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { isHarnessError } from '../core/errors.js';
import {
  defaultRunId,
  pointLatestSync,
  readEnvironment,
  resolveReportOptions,
  RunCollector,
  writeFileAtomicSync,
  writeRunFilesSync,
} from './run-record.js';
import type { CollectedTest } from './run-record.js';
import { syntheticRunRecord } from './test-fixtures.js';

const temp = mkdtempSync(join(tmpdir(), 'cmsha-run-record-'));

function collected(title: string, outcome: CollectedTest['outcome'], extra: Partial<CollectedTest> = {}): CollectedTest {
  return {
    title,
    fullTitle: `s ${title}`,
    path: ['s'],
    file: null,
    outcome,
    durationMs: 10,
    attempts: 1,
    error: null,
    readEvidence: () => null,
    ...extra,
  };
}

describe('resolveReportOptions', function () {
  const now = new Date('2026-11-25T21:30:00.123Z');

  it('uses the defaults without options or environment', function () {
    const options = resolveReportOptions({}, {}, now);
    expect(options).to.include({ reportsDir: 'reports', timeScale: 1, environmentFile: null, quiet: false });
    expect(options.runId).to.match(/^2026-11-25T21-30-00Z-[0-9a-f]{4}$/);
  });

  it('takes the environment over the defaults and reporter options over the environment', function () {
    const env = {
      CMSHA_REPORTS_DIR: '/tmp/r',
      CMSHA_TIME_SCALE: '0.05',
      CMSHA_RUN_ID: 'nightly-1',
      CMSHA_ENVIRONMENT_FILE: '/tmp/env.json',
    };
    expect(resolveReportOptions(undefined, env, now)).to.include({
      reportsDir: '/tmp/r',
      timeScale: 0.05,
      runId: 'nightly-1',
      environmentFile: '/tmp/env.json',
    });
    expect(resolveReportOptions({ timeScale: '1', runId: 'ci-7', quiet: 'true' }, env, now)).to.include({
      reportsDir: '/tmp/r',
      timeScale: 1,
      runId: 'ci-7',
      quiet: true,
    });
  });

  it('rejects bad values with BAD_CONFIG naming the option and the value', function () {
    for (const [raw, option] of [
      [{ timeScale: '0' }, 'timeScale'],
      [{ timeScale: 'fast' }, 'timeScale'],
      [{ runId: 'a/b' }, 'runId'],
      [{ runId: 'latest' }, 'runId'],
      [{ reportsDir: 42 }, 'reportsDir'],
    ] as const) {
      try {
        resolveReportOptions(raw, {}, now);
        expect.fail(`accepted ${JSON.stringify(raw)}`);
      } catch (error) {
        expect(isHarnessError(error, 'BAD_CONFIG'), String(error)).to.equal(true);
        expect((error as Error).message).to.contain(option);
        expect((error as { details: Record<string, unknown> }).details['option']).to.equal(option);
      }
    }
  });

  it('makes sortable run ids that are safe folder names', function () {
    expect(defaultRunId(new Date('2026-01-02T03:04:05.999Z'))).to.match(/^2026-01-02T03-04-05Z-[0-9a-f]{4}$/);
  });
});

describe('readEnvironment', function () {
  it('names the file when it cannot be read', function () {
    expect(() => readEnvironment(join(temp, 'missing.json'))).to.throw(/missing\.json.*CMSHA_ENVIRONMENT_FILE/);
  });
});

describe('RunCollector', function () {
  it('keeps a failed test failed when a later pass arrives for it, and joins two failure messages', function () {
    const collector = new RunCollector();
    collector.settle('k', collected('t', 'failed', { error: { message: 'first', stack: null } }));
    collector.settle('k', collected('t', 'passed'));
    collector.settle('k', collected('t', 'failed', { error: { message: 'second', stack: 'stack' } }));
    const record = collector.build({ runId: 'r', timeScale: 1, environment: readEnvironment(null), partialReason: null });
    expect(record.tests).to.have.length(1);
    expect(record.tests[0]!.error).to.deep.equal({ message: 'first\nsecond', stack: 'stack' });
    expect(record.stats).to.include({ failed: 1, passed: 0 });
  });

  it('adds the interrupted test only to a partial record', function () {
    const collector = new RunCollector();
    collector.begin('k', { title: 't', fullTitle: 's t', path: ['s'], file: null, attempts: 1, readEvidence: () => null });
    const environment = readEnvironment(null);
    expect(collector.build({ runId: 'r', timeScale: 1, environment, partialReason: null }).tests).to.deep.equal([]);
    const partial = collector.build({ runId: 'r', timeScale: 1, environment, partialReason: 'received SIGTERM' });
    expect(partial.tests[0]!.error!.message).to.equal('Interrupted while running: received SIGTERM');
    expect(partial.partial).to.equal(true);
  });

  it('keeps the outcome when reading the evidence throws', function () {
    const collector = new RunCollector();
    collector.settle(
      'k',
      collected('t', 'passed', {
        readEvidence: () => {
          throw new Error('getter broke');
        },
      }),
    );
    const record = collector.build({ runId: 'r', timeScale: 1, environment: readEnvironment(null), partialReason: null });
    expect(record.tests[0]).to.include({ outcome: 'passed', evidence: null });
  });
});

describe('atomic writes', function () {
  after(function () {
    rmSync(temp, { recursive: true, force: true });
  });

  it('writes a file through a temp file and leaves no temp behind', function () {
    const dir = join(temp, 'atomic');
    mkdirSync(dir);
    writeFileAtomicSync(join(dir, 'run.json'), '{"a":1}');
    writeFileAtomicSync(join(dir, 'run.json'), '{"a":2}');
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).to.equal('{"a":2}');
    expect(readdirSync(dir)).to.deep.equal(['run.json']);
  });

  it('replaces an existing latest link with a relative one', function () {
    const reportsDir = join(temp, 'links');
    mkdirSync(join(reportsDir, 'old'), { recursive: true });
    mkdirSync(join(reportsDir, 'new'));
    symlinkSync('old', join(reportsDir, 'latest'));
    pointLatestSync(reportsDir, join(reportsDir, 'new'));
    expect(lstatSync(join(reportsDir, 'latest')).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(reportsDir, 'latest'))).to.equal('new');
    expect(readdirSync(reportsDir).sort()).to.deep.equal(['latest', 'new', 'old']);
  });

  it('writes the three files of a run and returns their absolute paths', function () {
    const record = syntheticRunRecord();
    const written = writeRunFilesSync(record, join(temp, 'reports'));
    expect(written.indexHtml).to.equal(join(temp, 'reports', record.runId, 'index.html'));
    expect(JSON.parse(readFileSync(written.runJson, 'utf8'))).to.deep.equal(record);
    expect(readFileSync(written.junitXml, 'utf8')).to.match(/^<\?xml/);
  });
});
