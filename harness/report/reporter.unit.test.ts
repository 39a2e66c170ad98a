// The worker's reporter driven by a fake runner (an EventEmitter speaking mocha's event names): the blob written on
// done(), one record per execution (a retried attempt its own failure), evidence read late, repeat and seed from
// options or the environment, bad options named, and the blob of a process cut short (exit, signal, crash).

import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import Mocha from 'mocha';

import { EVIDENCE_KEY, type TestEvidence, type TestRecord } from '../core/model.js';
import { summarize } from '../core/summary.js';
import CmshaReporter, { reporterSettings } from './reporter.js';
import { cmLinkEvidence, primaryDownEvidence } from '../testing/report-fixtures.js';

const C = Mocha.Runner.constants;

class FakeSuite {
  constructor(
    readonly title: string,
    readonly parent: FakeSuite | null,
  ) {}
  titlePath(): string[] {
    return this.parent ? [...this.parent.titlePath(), this.title] : this.title ? [this.title] : [];
  }
}

class FakeTest {
  duration = 0;
  file = 'suites/fake.suite.ts';
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

/** Evidence attached as the suites attach it: a getter, read whenever the reporter asks. */
function attachEvidence(test: FakeTest, read: () => TestEvidence): void {
  Object.defineProperty(test, EVIDENCE_KEY, { configurable: true, enumerable: false, get: read });
}

function fakeRunner(): Mocha.Runner {
  const runner = new EventEmitter() as EventEmitter & { stats: Record<string, number> };
  runner.stats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
  return runner as unknown as Mocha.Runner;
}

const tempDirs: string[] = [];
function tempBlob(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cmsha-reporter-'));
  tempDirs.push(dir);
  return join(dir, 'task-1.json');
}

function readBlob(file: string): TestRecord[] {
  return JSON.parse(readFileSync(file, 'utf8')) as TestRecord[];
}

function emitTest(runner: Mocha.Runner, test: FakeTest, outcome: 'pass' | 'fail', error?: Error): void {
  runner.emit(C.EVENT_TEST_BEGIN, test);
  if (outcome === 'pass') runner.emit(C.EVENT_TEST_PASS, test);
  else runner.emit(C.EVENT_TEST_FAIL, test, error);
  runner.emit(C.EVENT_TEST_END, test);
}

describe('CmshaReporter', function () {
  // The run hands CMSHA_* to its workers; these tests set their own, so they run with none inherited.
  const savedEnv: Record<string, string | undefined> = {};
  before(function () {
    for (const key of Object.keys(process.env).filter((k) => k.startsWith('CMSHA_'))) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
  });
  after(function () {
    for (const key of Object.keys(process.env).filter((k) => k.startsWith('CMSHA_'))) delete process.env[key];
    Object.assign(process.env, savedEnv);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('a finished run', function () {
    let blobFile: string;
    let records: TestRecord[];
    let doneFailures: number | null = null;
    let blobExistedBeforeDone = true;

    before(function () {
      blobFile = tempBlob();
      const runner = fakeRunner();
      const reporter = new CmshaReporter(runner, { reporterOption: { blobFile, repeat: '2', seed: '4242', quiet: true } });
      const root = new FakeSuite('', null);
      const kill = new FakeSuite('kill', new FakeSuite('primary-down', root));
      const cmLink = new FakeSuite('cm-link', root);

      // Passes; its evidence getter is attached in afterEach, after "test end", and finished later still.
      const passing = new FakeTest('makes the secondary active when the primary is killed', kill);
      passing.duration = 6_200.4;
      emitTest(runner, passing, 'pass');
      let finished = false;
      attachEvidence(passing, () => ({
        ...primaryDownEvidence({ failing: false, hostile: false }),
        endState: finished ? { 'cms-secondary': 'ACTIVE' } : null,
      }));
      finished = true;

      const failing = new FakeTest('keeps exactly one active after the failover', kill);
      failing.duration = 9_000;
      attachEvidence(failing, () => primaryDownEvidence({ failing: true, hostile: false }));
      emitTest(
        runner,
        failing,
        'fail',
        new Error('cms-secondary became ACTIVE 3205 ms after the first unanswered heartbeat; expected 2220–2290 ms'),
      );

      // Retried anyway (mocha clones the test): the failed attempt is a record of its own, never folded into a pass.
      const firstAttempt = new FakeTest('makes no failover under heartbeat jitter', kill, 'test', 0);
      runner.emit(C.EVENT_TEST_BEGIN, firstAttempt);
      runner.emit(C.EVENT_TEST_RETRY, firstAttempt, new Error('spurious failover'));
      const secondAttempt = new FakeTest('makes no failover under heartbeat jitter', kill, 'test', 1);
      attachEvidence(secondAttempt, () => cmLinkEvidence());
      emitTest(runner, secondAttempt, 'pass');

      // Passes, then an error arrives late for the same test: it is a failure.
      const late = new FakeTest('keeps the data flowing', kill);
      emitTest(runner, late, 'pass');
      runner.emit(C.EVENT_TEST_FAIL, late, new Error('late: stand-in crashed after the test'));

      const pending = new FakeTest('fails back automatically', kill);
      runner.emit(C.EVENT_TEST_PENDING, pending);
      runner.emit(C.EVENT_TEST_END, pending);

      // A "before each" hook fails: a failed record under the hook's title, with the evidence of the test it ran for.
      const hook = new FakeTest('"before each" hook for "keeps the secondary standby"', cmLink, 'hook');
      const hookedTest = new FakeTest('keeps the secondary standby', cmLink);
      attachEvidence(hookedTest, () => cmLinkEvidence());
      hook.ctx.currentTest = hookedTest;
      runner.emit(C.EVENT_TEST_FAIL, hook, new Error('topology did not start: cm never listened'));
      runner.emit(C.EVENT_RUN_END);

      blobExistedBeforeDone = existsSync(blobFile);
      reporter.done(2, (failures) => {
        doneFailures = failures;
      });
      records = readBlob(blobFile);
    });

    it('writes the blob in done(), before it lets mocha go, as a JSON array of records', function () {
      expect(blobExistedBeforeDone).to.equal(false);
      expect(doneFailures).to.equal(2);
      expect(records).to.be.an('array').with.length(7);
      expect(readdirSync(join(blobFile, '..')).filter((name) => name.endsWith('.tmp'))).to.deep.equal([]);
    });

    it('records one outcome per execution, a retried attempt as its own failure and a late error as a failure', function () {
      expect(records.map((r) => [r.title, r.outcome])).to.deep.equal([
        ['makes the secondary active when the primary is killed', 'passed'],
        ['keeps exactly one active after the failover', 'failed'],
        ['makes no failover under heartbeat jitter', 'failed'],
        ['makes no failover under heartbeat jitter', 'passed'],
        ['keeps the data flowing', 'failed'],
        ['fails back automatically', 'pending'],
        ['"before each" hook for "keeps the secondary standby"', 'failed'],
      ]);
      expect(records[2]!.error?.message).to.equal(
        'attempt 1 failed and mocha retried the test (cmsha runs use no retries): spurious failover',
      );
      expect(records[4]!.error?.message).to.equal('late: stand-in crashed after the test');
      const jitter = summarize(records).find((s) => s.fullTitle.endsWith('heartbeat jitter'));
      expect(jitter?.outcome).to.equal('flaky');
    });

    it('records the repeat and seed from the reporter options', function () {
      expect(records.every((r) => r.repeat === 2 && r.seed === 4242)).to.equal(true);
    });

    it('keeps suite paths, titles, files, whole-ms durations and errors with stacks', function () {
      const failed = records[1]!;
      expect(failed.path).to.deep.equal(['primary-down', 'kill']);
      expect(failed.fullTitle).to.equal('primary-down kill keeps exactly one active after the failover');
      expect(failed.file).to.equal('suites/fake.suite.ts');
      expect(failed.durationMs).to.equal(9_000);
      expect(records[0]!.durationMs).to.equal(6_200);
      expect(failed.error?.message).to.contain('expected 2220–2290 ms');
      expect(failed.error?.stack).to.be.a('string');
      expect(records[6]!.path).to.deep.equal(['cm-link']);
    });

    it('reads the evidence at the end of the run, null where there is none', function () {
      expect(records[0]!.evidence?.endState).to.deep.equal({ 'cms-secondary': 'ACTIVE' });
      expect(records[1]!.evidence?.measurements[0]?.withinWindow).to.equal(false);
      expect(records[2]!.evidence).to.equal(null);
      expect(records[3]!.evidence?.scenario).to.equal('cm-link/reset');
      expect(records[5]!.evidence).to.equal(null);
      expect(records[6]!.evidence?.scenario).to.equal('cm-link/reset');
    });
  });

  it('records the seed and repeat it is given on every execution', function () {
    const blobFile = tempBlob();
    const runner = fakeRunner();
    const reporter = new CmshaReporter(runner, { reporterOptions: { blobFile, quiet: true, seed: 9, repeat: 4 } });
    emitTest(runner, new FakeTest('passes', new FakeSuite('basic-ha', null)), 'pass');
    runner.emit(C.EVENT_RUN_END);
    reporter.done(0);
    expect(readBlob(blobFile).map((r) => [r.repeat, r.seed])).to.deep.equal([[4, 9]]);
    expect(reporterSettings({ blobFile: 'x.json' }).seed).to.equal(null);
  });

  it('records a failure its classifier calls the harness’s as inconclusive, with the cause, and a later error keeps it so', function () {
    const blobFile = tempBlob();
    const runner = fakeRunner();
    const classifyFailure = (error: unknown) =>
      (error as Error).message.includes('Toxiproxy')
        ? {
            fault: { part: 'toxiproxy' as const, cause: "the site's Toxiproxy stopped answering" },
            error: { message: "inconclusive (harness): the site's Toxiproxy stopped answering", stack: null },
          }
        : null;
    const reporter = new CmshaReporter(runner, { reporterOptions: { blobFile, quiet: true, classifyFailure } });
    const suite = new FakeSuite('primary-down', null);
    emitTest(runner, new FakeTest('harness broke', suite), 'fail', new Error('Toxiproxy gone'));
    emitTest(runner, new FakeTest('site broke', suite), 'fail', new Error('cms-secondary stayed STANDBY'));
    const late = new FakeTest('harness broke, then a late error', suite);
    emitTest(runner, late, 'fail', new Error('Toxiproxy gone'));
    runner.emit(C.EVENT_TEST_FAIL, late, new Error('teardown failed'));
    runner.emit(C.EVENT_RUN_END);
    reporter.done(3);
    const records = readBlob(blobFile);
    expect(records.map((r) => [r.title, r.outcome, r.harnessFault?.part ?? null])).to.deep.equal([
      ['harness broke', 'inconclusive', 'toxiproxy'],
      ['site broke', 'failed', null],
      ['harness broke, then a late error', 'inconclusive', 'toxiproxy'],
    ]);
    expect(records[0]!.error!.message).to.equal("inconclusive (harness): the site's Toxiproxy stopped answering");
    expect(records[2]!.error!.message).to.contain('teardown failed');
    expect(() => reporterSettings({ blobFile: 'x.json', classifyFailure: 'yes' })).to.throw(/classifyFailure must be a function/);
  });

  it('rejects bad options before any test runs, naming the option', function () {
    expect(() => new CmshaReporter(fakeRunner(), { reporterOption: { quiet: true } }))
      .to.throw(/blobFile/)
      .with.property('code', 'BAD_CONFIG');
    expect(() => reporterSettings({ blobFile: 'x.json', repeat: '-1' })).to.throw(/Reporter option repeat/);
    expect(() => reporterSettings({ blobFile: 'x.json', seed: 'lucky' })).to.throw(/seed "lucky"/);
  });

  it('says so and keeps the verdict when the blob cannot be written', function () {
    const runner = fakeRunner();
    const reporter = new CmshaReporter(runner, { reporterOption: { blobFile: join(tempBlob(), 'no', 'such', 'dir.json'), quiet: true } });
    runner.emit(C.EVENT_RUN_END);
    const savedExitCode = process.exitCode;
    const savedError = console.error;
    const printed: string[] = [];
    console.error = (...args: unknown[]) => printed.push(args.join(' '));
    let failures: number | null = null;
    try {
      reporter.done(3, (n) => {
        failures = n;
      });
      expect(process.exitCode).to.equal(1);
    } finally {
      console.error = savedError;
      process.exitCode = savedExitCode;
    }
    expect(failures).to.equal(3);
    expect(printed.join('\n')).to.contain('could not write the test records');
  });

  describe('a process cut short', function () {
    const reporterUrl = new URL('./reporter.js', import.meta.url).href;
    // Resolved here, so the child finds mocha wherever the compiled tests live.
    const mochaUrl = import.meta.resolve('mocha');
    const runChild = (blobFile: string, ending: string): ReturnType<typeof spawnSync> => {
      const script = `
        import { EventEmitter } from 'node:events';
        const { default: Mocha } = await import(${JSON.stringify(mochaUrl)});
        const { default: CmshaReporter } = await import(${JSON.stringify(reporterUrl)});
        const C = Mocha.Runner.constants;
        const runner = new EventEmitter();
        runner.stats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
        new CmshaReporter(runner, { reporterOption: { blobFile: ${JSON.stringify(blobFile)}, repeat: 1, seed: 5, quiet: true } });
        const test = (title) => ({ title, type: 'test', titlePath: () => ['primary-down', title], fullTitle: () => 'primary-down ' + title, duration: 5, slow: () => 75 });
        const t1 = test('passes first');
        runner.emit(C.EVENT_TEST_BEGIN, t1); runner.emit(C.EVENT_TEST_PASS, t1); runner.emit(C.EVENT_TEST_END, t1);
        const t2 = test('is running when the process goes');
        Object.defineProperty(t2, 'cmshaEvidence', { get: () => ({ scenario: 'primary-down/kill' }) });
        runner.emit(C.EVENT_TEST_BEGIN, t2);
        ${ending}
      `;
      return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    };

    const expectInterrupted = (blobFile: string, reason: string): void => {
      const records = readBlob(blobFile);
      expect(records.map((r) => [r.title, r.outcome])).to.deep.equal([
        ['passes first', 'passed'],
        ['is running when the process goes', 'failed'],
      ]);
      expect(records[1]!.error?.message).to.equal(`interrupted: ${reason}`);
      expect(records[1]!.evidence?.scenario).to.equal('primary-down/kill');
      expect(records.every((r) => r.repeat === 1 && r.seed === 5)).to.equal(true);
    };

    it('writes what it has on SIGTERM, the running test failed, and still lets the signal end the process', function () {
      this.timeout(20_000);
      const blobFile = tempBlob();
      const child = runChild(blobFile, "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 10_000);");
      expect(child.signal, String(child.stderr)).to.equal('SIGTERM');
      expectInterrupted(blobFile, 'received SIGTERM');
    });

    it('writes what it has on SIGINT and lets the signal end the process', function () {
      this.timeout(20_000);
      const blobFile = tempBlob();
      const child = runChild(blobFile, "process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 10_000);");
      expect(child.signal, String(child.stderr)).to.equal('SIGINT');
      expectInterrupted(blobFile, 'received SIGINT');
    });

    it('writes what it has when the process exits before the run ended', function () {
      this.timeout(20_000);
      const blobFile = tempBlob();
      const child = runChild(blobFile, 'process.exit(3);');
      expect(child.status, String(child.stderr)).to.equal(3);
      expectInterrupted(blobFile, 'the process exited with code 3 before the run ended');
    });

    it('names an uncaught exception that kills the process', function () {
      this.timeout(20_000);
      const blobFile = tempBlob();
      const child = runChild(blobFile, "setTimeout(() => { throw new Error('docker socket vanished'); }, 0);");
      expect(child.status).to.not.equal(0);
      expect(String(child.stderr)).to.contain('docker socket vanished');
      expectInterrupted(blobFile, 'uncaught exception: docker socket vanished');
    });
  });
});
