// The reporter driven by a fake runner (an EventEmitter speaking mocha's event names): the three files,
// outcomes (flaky, hook failures), evidence read late, `latest`, and partial reports (call, exit, signal).

import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';
import Mocha from 'mocha';
import { XMLValidator } from 'fast-xml-parser';

import { EVIDENCE_KEY } from '../core/model.js';
import type { RunRecord, TestEvidence } from '../core/model.js';
import CmshaReporter from './reporter.js';
import { cmLinkEvidence, primaryDownEvidence } from './test-fixtures.js';

const C = Mocha.Runner.constants;

class FakeSuite {
  constructor(
    readonly title: string,
    readonly parent: FakeSuite | null,
    readonly root = false,
  ) {}
  titlePath(): string[] {
    return this.parent ? [...this.parent.titlePath(), this.title] : this.title ? [this.title] : [];
  }
  fullTitle(): string {
    return this.titlePath().join(' ');
  }
}

class FakeTest {
  duration = 0;
  file = 'suites/fake.int.test.ts';
  ctx: { currentTest?: FakeTest } = {};
  [EVIDENCE_KEY]?: TestEvidence;
  constructor(
    readonly title: string,
    readonly parent: FakeSuite,
    readonly type: 'test' | 'hook' = 'test',
    private readonly retry = 0,
  ) {}
  titlePath(): string[] {
    return [...this.parent.titlePath(), this.title];
  }
  fullTitle(): string {
    return this.titlePath().join(' ');
  }
  currentRetry(): number {
    return this.retry;
  }
  slow(): number {
    return 75;
  }
}

function fakeRunner(): Mocha.Runner {
  const runner = new EventEmitter() as EventEmitter & { stats: Record<string, number> };
  runner.stats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
  return runner as unknown as Mocha.Runner;
}

const tempDirs: string[] = [];
function tempReportsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cmsha-reporter-'));
  tempDirs.push(dir);
  return dir;
}

function readRecord(dir: string): RunRecord {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
}

describe('CmshaReporter', function () {
  // The CLI sets CMSHA_* for the whole test process (time scale, environment file); these tests control their
  // options themselves, so they run with none of them set.
  const savedEnv: Record<string, string | undefined> = {};
  before(function () {
    for (const key of Object.keys(process.env).filter((k) => k.startsWith('CMSHA_'))) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
  });
  after(function () {
    Object.assign(process.env, savedEnv);
  });

  after(function () {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('a complete run', function () {
    let reportsDir: string;
    let record: RunRecord;
    let runDir: string;
    let doneFailures: number | null = null;

    before(function () {
      reportsDir = tempReportsDir();
      const runner = fakeRunner();
      const reporter = new CmshaReporter(runner, { reporterOption: { reportsDir, runId: 'run-1', timeScale: '0.05', quiet: true } });
      const root = new FakeSuite('', null, true);
      const primaryDown = new FakeSuite('primary-down', root);
      const kill = new FakeSuite('kill', primaryDown);
      const cmLink = new FakeSuite('cm-link', root);

      runner.emit(C.EVENT_RUN_BEGIN);
      runner.emit(C.EVENT_SUITE_BEGIN, root);
      runner.emit(C.EVENT_SUITE_BEGIN, primaryDown);
      runner.emit(C.EVENT_SUITE_BEGIN, kill);

      // Passes; the suite attaches its evidence in afterEach, i.e. after "test end".
      const passing = new FakeTest('makes the secondary active when the primary is killed', kill);
      passing.duration = 6_200;
      runner.emit(C.EVENT_TEST_BEGIN, passing);
      runner.emit(C.EVENT_TEST_PASS, passing);
      runner.emit(C.EVENT_TEST_END, passing);
      passing[EVIDENCE_KEY] = primaryDownEvidence({ failing: false, hostile: false });

      // Fails, with evidence.
      const failing = new FakeTest('keeps exactly one active after the failover', kill);
      failing.duration = 9_000;
      failing[EVIDENCE_KEY] = primaryDownEvidence({ failing: true, hostile: false });
      runner.emit(C.EVENT_TEST_BEGIN, failing);
      runner.emit(C.EVENT_TEST_FAIL, failing, new Error('cms-secondary became ACTIVE 4.1 s after cms-primary killed; expected 2.0–3.5 s'));
      runner.emit(C.EVENT_TEST_END, failing);

      // Fails once, retried (a clone with currentRetry 1), then passes: flaky.
      const firstAttempt = new FakeTest('makes no failover under heartbeat jitter', kill, 'test', 0);
      runner.emit(C.EVENT_TEST_BEGIN, firstAttempt);
      runner.emit(C.EVENT_TEST_RETRY, firstAttempt, new Error('spurious'));
      const secondAttempt = new FakeTest('makes no failover under heartbeat jitter', kill, 'test', 1);
      secondAttempt.duration = 1_500;
      secondAttempt[EVIDENCE_KEY] = cmLinkEvidence();
      runner.emit(C.EVENT_TEST_BEGIN, secondAttempt);
      runner.emit(C.EVENT_TEST_PASS, secondAttempt);
      runner.emit(C.EVENT_TEST_END, secondAttempt);

      const pending = new FakeTest('fails back automatically', kill);
      runner.emit(C.EVENT_TEST_PENDING, pending);
      runner.emit(C.EVENT_TEST_END, pending);
      runner.emit(C.EVENT_SUITE_END, kill);
      runner.emit(C.EVENT_SUITE_END, primaryDown);

      // A "before each" hook fails: recorded as a failed test with the hook's title.
      runner.emit(C.EVENT_SUITE_BEGIN, cmLink);
      const hook = new FakeTest('"before each" hook for "keeps the secondary standby"', cmLink, 'hook');
      runner.emit(C.EVENT_TEST_FAIL, hook, new Error('topology did not start: cm never listened'));
      runner.emit(C.EVENT_SUITE_END, cmLink);
      runner.emit(C.EVENT_SUITE_END, root);
      runner.emit(C.EVENT_RUN_END);

      reporter.done(2, (failures) => {
        doneFailures = failures;
      });
      runDir = join(reportsDir, 'run-1');
      record = readRecord(runDir);
    });

    it('writes index.html, junit.xml and run.json into reportsDir/<runId> and calls back with the failures', function () {
      expect(readdirSync(runDir).sort()).to.deep.equal(['index.html', 'junit.xml', 'run.json']);
      expect(doneFailures).to.equal(2);
    });

    it('points reportsDir/latest at the run with a relative symlink', function () {
      expect(readlinkSync(join(reportsDir, 'latest'))).to.equal('run-1');
      expect(readRecord(join(reportsDir, 'latest')).runId).to.equal('run-1');
      expect(readdirSync(reportsDir).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
    });

    it('records each outcome: passed, failed, flaky, pending and the failed hook', function () {
      const outcomes = record.tests.map((t) => [t.title, t.outcome, t.attempts]);
      expect(outcomes).to.deep.equal([
        ['makes the secondary active when the primary is killed', 'passed', 1],
        ['keeps exactly one active after the failover', 'failed', 1],
        ['makes no failover under heartbeat jitter', 'flaky', 2],
        ['fails back automatically', 'pending', 1],
        ['"before each" hook for "keeps the secondary standby"', 'failed', 1],
      ]);
      expect(record.stats).to.include({ passed: 1, failed: 2, flaky: 1, pending: 1 });
      expect(record.partial).to.equal(false);
      expect(record.timeScale).to.equal(0.05);
      expect(record.schema).to.equal(1);
    });

    it('keeps suite paths, errors and durations', function () {
      const failed = record.tests[1]!;
      expect(failed.path).to.deep.equal(['primary-down', 'kill']);
      expect(failed.fullTitle).to.equal('primary-down kill keeps exactly one active after the failover');
      expect(failed.durationMs).to.equal(9_000);
      expect(failed.error?.message).to.contain('expected 2.0–3.5 s');
      expect(failed.error?.stack).to.be.a('string');
      expect(record.tests[4]!.path).to.deep.equal(['cm-link']);
      expect(record.tests[4]!.error?.message).to.equal('topology did not start: cm never listened');
    });

    it('reads the evidence a suite attached, even after the test ended, and null when absent', function () {
      expect(record.tests[0]!.evidence?.scenario).to.equal('primary-down/kill');
      expect(record.tests[1]!.evidence?.measurements[0]?.withinWindow).to.equal(false);
      expect(record.tests[2]!.evidence?.scenario).to.equal('cm-link/reset');
      expect(record.tests[3]!.evidence).to.equal(null);
      expect(record.tests[4]!.evidence).to.equal(null);
    });

    it('fills the environment with node and platform when no environment file is given', function () {
      expect(record.environment).to.deep.equal({
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        dockerVersion: null,
        toxiproxyVersion: null,
        images: [],
      });
    });

    it('renders the HTML failures first and the JUnit XML with one testcase per test', function () {
      const html = readFileSync(join(runDir, 'index.html'), 'utf8');
      expect(html.indexOf('keeps exactly one active')).to.be.lessThan(html.indexOf('makes no failover under heartbeat jitter'));
      const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
      expect(XMLValidator.validate(xml)).to.equal(true);
      expect(xml.match(/<testcase /g)).to.have.length(5);
    });
  });

  it('reads the environment file and rejects bad options naming them', function () {
    const reportsDir = tempReportsDir();
    const envFile = join(reportsDir, 'env.json');
    writeFileSync(
      envFile,
      JSON.stringify({
        node: 'v20.20.2',
        platform: 'linux x64',
        dockerVersion: '26.1.5',
        toxiproxyVersion: '2.12.0',
        images: [{ name: 'cmsha/standin', tag: 'dev', id: null, sizeBytes: null }],
      }),
    );
    const runner = fakeRunner();
    const reporter = new CmshaReporter(runner, { reporterOption: { reportsDir, runId: 'env-run', environmentFile: envFile, quiet: true } });
    runner.emit(C.EVENT_RUN_BEGIN);
    runner.emit(C.EVENT_RUN_END);
    reporter.done(0);
    const record = readRecord(join(reportsDir, 'env-run'));
    expect(record.environment.dockerVersion).to.equal('26.1.5');
    expect(record.environment.images).to.have.length(1);
    expect(record.tests).to.deep.equal([]);

    expect(() => new CmshaReporter(fakeRunner(), { reporterOption: { reportsDir, timeScale: 'fast', quiet: true } }))
      .to.throw(/timeScale/)
      .with.property('code', 'BAD_CONFIG');
    expect(() => new CmshaReporter(fakeRunner(), { reporterOption: { reportsDir, runId: '../escape', quiet: true } })).to.throw(/runId/);
  });

  it('replaces latest when a second run finishes', function () {
    const reportsDir = tempReportsDir();
    for (const runId of ['first', 'second']) {
      const runner = fakeRunner();
      const reporter = new CmshaReporter(runner, { reporterOption: { reportsDir, runId, quiet: true } });
      runner.emit(C.EVENT_RUN_BEGIN);
      runner.emit(C.EVENT_RUN_END);
      reporter.done(0);
    }
    expect(readlinkSync(join(reportsDir, 'latest'))).to.equal('second');
    expect(existsSync(join(reportsDir, 'first', 'run.json'))).to.equal(true);
  });

  describe('partial reports', function () {
    it('writes a partial report with what was collected when it is interrupted mid-run', function () {
      const reportsDir = tempReportsDir();
      const runner = fakeRunner();
      const reporter = new CmshaReporter(runner, { reporterOption: { reportsDir, runId: 'cut-short', quiet: true } });
      const root = new FakeSuite('', null, true);
      const suite = new FakeSuite('primary-down', root);
      runner.emit(C.EVENT_RUN_BEGIN);
      const done = new FakeTest('makes the secondary active when the primary is killed', suite);
      runner.emit(C.EVENT_TEST_BEGIN, done);
      runner.emit(C.EVENT_TEST_PASS, done);
      runner.emit(C.EVENT_TEST_END, done);
      const running = new FakeTest('keeps the secondary active when the primary returns', suite);
      running[EVIDENCE_KEY] = primaryDownEvidence({ failing: false, hostile: false });
      runner.emit(C.EVENT_TEST_BEGIN, running);

      // Through the instance: the process-wide writePartialReport would also rewrite the report of the run that
      // executes these tests (it is covered in a child process below).
      const written = reporter.writePartial('received SIGINT');
      expect(written?.dir).to.equal(resolve(reportsDir, 'cut-short'));
      const record = readRecord(join(reportsDir, 'cut-short'));
      expect(record.partial).to.equal(true);
      expect(record.partialReason).to.equal('received SIGINT');
      expect(record.tests.map((t) => t.outcome)).to.deep.equal(['passed', 'failed']);
      expect(record.tests[1]!.error?.message).to.equal('Interrupted while running: received SIGINT');
      expect(record.tests[1]!.evidence?.scenario).to.equal('primary-down/kill');
      const html = readFileSync(join(reportsDir, 'cut-short', 'index.html'), 'utf8');
      expect(html).to.contain('PARTIAL — run interrupted: received SIGINT');
      expect(readlinkSync(join(reportsDir, 'latest'))).to.equal('cut-short');

      // The run goes on after all: the final report replaces the partial one.
      runner.emit(C.EVENT_TEST_PASS, running);
      runner.emit(C.EVENT_TEST_END, running);
      runner.emit(C.EVENT_RUN_END);
      reporter.done(0);
      const final = readRecord(join(reportsDir, 'cut-short'));
      expect(final.partial).to.equal(false);
      expect(final.tests.map((t) => t.outcome)).to.deep.equal(['passed', 'passed']);
      expect(reporter.writePartial('too late')).to.equal(null);
    });

    const reporterUrl = new URL('./reporter.js', import.meta.url).href;
    const runChild = (reportsDir: string, ending: string): ReturnType<typeof spawnSync> => {
      const script = `
        import { EventEmitter } from 'node:events';
        import Mocha from 'mocha';
        const { default: CmshaReporter } = await import(${JSON.stringify(reporterUrl)});
        const C = Mocha.Runner.constants;
        const runner = new EventEmitter();
        runner.stats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
        new CmshaReporter(runner, { reporterOption: { reportsDir: ${JSON.stringify(reportsDir)}, runId: 'child', quiet: true } });
        const suite = { title: 'primary-down', titlePath: () => ['primary-down'] };
        const test = (title) => ({ title, parent: suite, type: 'test', titlePath: () => ['primary-down', title], fullTitle: () => 'primary-down ' + title, currentRetry: () => 0, slow: () => 75, duration: 5 });
        runner.emit(C.EVENT_RUN_BEGIN);
        const t1 = test('passes first');
        runner.emit(C.EVENT_TEST_BEGIN, t1); runner.emit(C.EVENT_TEST_PASS, t1); runner.emit(C.EVENT_TEST_END, t1);
        runner.emit(C.EVENT_TEST_BEGIN, test('is running when the process goes'));
        ${ending}
      `;
      // Run from the project so 'mocha' resolves; the script itself lives in memory.
      return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 20_000,
      });
    };

    it('writes a partial report when the process exits before the run ended', function () {
      this.timeout(20_000);
      const reportsDir = tempReportsDir();
      const child = runChild(reportsDir, 'process.exit(3);');
      expect(child.status, String(child.stderr)).to.equal(3);
      const record = readRecord(join(reportsDir, 'child'));
      expect(record.partial).to.equal(true);
      expect(record.partialReason).to.equal('process exited with code 3 before the run ended');
      expect(record.tests.map((t) => t.title)).to.deep.equal(['passes first', 'is running when the process goes']);
    });

    it('writes a partial report on SIGTERM and still lets the signal end the process', function () {
      this.timeout(20_000);
      const reportsDir = tempReportsDir();
      const child = runChild(reportsDir, "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 10_000);");
      expect(child.signal, String(child.stderr)).to.equal('SIGTERM');
      const record = readRecord(join(reportsDir, 'child'));
      expect(record.partial).to.equal(true);
      expect(record.partialReason).to.equal('received SIGTERM');
    });

    it('writes a partial report naming an uncaught exception that kills the process', function () {
      this.timeout(20_000);
      const reportsDir = tempReportsDir();
      const child = runChild(reportsDir, "setTimeout(() => { throw new Error('docker socket vanished'); }, 0);");
      expect(child.status).to.not.equal(0);
      expect(String(child.stderr)).to.contain('docker socket vanished');
      const record = readRecord(join(reportsDir, 'child'));
      expect(record.partialReason).to.equal('uncaught exception: docker socket vanished');
    });
  });
});
