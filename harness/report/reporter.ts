// The mocha reporter of cms-ha-chaos: spec-like progress on the console, and at the end of the run
// reports/<runId>/{index.html,junit.xml,run.json} plus `latest`; a partial report if the run is cut short.
//
//   mocha --reporter dist/harness/report/reporter.js \
//         --reporter-option reportsDir=reports --reporter-option timeScale=0.05
//
// Options (reporter option > environment > default): reportsDir (CMSHA_REPORTS_DIR, `reports`), timeScale
// (CMSHA_TIME_SCALE, 1), environmentFile (CMSHA_ENVIRONMENT_FILE, none), runId (CMSHA_RUN_ID, a timestamp), quiet.

import Mocha from 'mocha';

import { EVIDENCE_KEY } from '../core/model.js';
import type { RunRecord, TestEvidence } from '../core/model.js';
import { readEnvironment, resolveReportOptions, RunCollector, writeRunFilesSync } from './run-record.js';
import type { CollectedTest, ReportOptions, WrittenReport } from './run-record.js';

const {
  EVENT_RUN_BEGIN,
  EVENT_RUN_END,
  EVENT_TEST_BEGIN,
  EVENT_TEST_END,
  EVENT_TEST_FAIL,
  EVENT_TEST_PASS,
  EVENT_TEST_PENDING,
  EVENT_TEST_RETRY,
} = Mocha.Runner.constants;

/** Reporters alive in this process that have not written their final report yet (see `writePartialReport`). */
const active = new Set<CmshaReporter>();

/** The runnable facts the reporter reads; a fake runner's objects only need these. */
interface RunnableLike {
  title: string;
  type?: string;
  file?: string;
  duration?: number;
  parent?: { titlePath?: () => string[]; fullTitle?: () => string; title?: string; root?: boolean } | undefined;
  fullTitle?: () => string;
  titlePath?: () => string[];
  currentRetry?: () => number;
  [EVIDENCE_KEY]?: TestEvidence;
}

export default class CmshaReporter extends Mocha.reporters.Base {
  readonly reportOptions: ReportOptions;
  private readonly collector: RunCollector;
  private readonly environment: RunRecord['environment'];
  private runEnded = false;
  private finalised = false;
  /** Where the last write went (final or partial), for callers and tests. */
  lastWritten: WrittenReport | null = null;

  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions & { reporterOption?: Record<string, unknown> } = {}) {
    super(runner, options);
    const raw = (options.reporterOption ?? options.reporterOptions ?? {}) as Record<string, unknown>;
    // Bad options fail here, before any test runs, naming the option and the value.
    this.reportOptions = resolveReportOptions(raw);
    this.environment = readEnvironment(this.reportOptions.environmentFile);
    this.collector = new RunCollector();

    if (!this.reportOptions.quiet) {
      // Spec prints the familiar progress and epilogue; this class only adds the files.
      new Mocha.reporters.Spec(runner, options);
    }

    runner.once(EVENT_RUN_BEGIN, () => {
      this.collector.restart();
    });
    runner.on(EVENT_TEST_BEGIN, (test: RunnableLike) => {
      this.collector.begin(keyOf(test), { ...describe(test), attempts: attemptOf(test), readEvidence: () => evidenceOf(test) });
    });
    runner.on(EVENT_TEST_RETRY, (test: RunnableLike) => {
      this.collector.retry(keyOf(test), attemptOf(test));
    });
    runner.on(EVENT_TEST_PASS, (test: RunnableLike) => {
      const attempts = attemptOf(test);
      this.collector.settle(keyOf(test), {
        ...describe(test),
        outcome: attempts > 1 ? 'flaky' : 'passed',
        durationMs: Math.round(test.duration ?? 0),
        attempts,
        error: null,
        readEvidence: () => evidenceOf(test),
      });
    });
    runner.on(EVENT_TEST_FAIL, (test: RunnableLike, error: unknown) => {
      const isHook = test.type === 'hook';
      this.collector.settle(keyOf(test), {
        ...describe(test),
        outcome: 'failed',
        durationMs: Math.round(test.duration ?? 0),
        attempts: isHook ? 1 : attemptOf(test),
        error: errorOf(error),
        // A hook has no evidence of its own; a failing "before each" leaves the test's evidence on ctx.currentTest.
        readEvidence: () => evidenceOf(test) ?? (isHook ? hookTestEvidence(test) : null),
      });
    });
    runner.on(EVENT_TEST_PENDING, (test: RunnableLike) => {
      this.collector.settle(keyOf(test), {
        ...describe(test),
        outcome: 'pending',
        durationMs: 0,
        attempts: 1,
        error: null,
        readEvidence: () => evidenceOf(test),
      });
    });
    runner.on(EVENT_TEST_END, (test: RunnableLike) => {
      this.collector.ended(keyOf(test));
    });
    runner.once(EVENT_RUN_END, () => {
      this.runEnded = true;
    });

    active.add(this);
    installProcessHooks();
  }

  /** The record as it stands; `partialReason` non-null marks it partial. */
  buildRecord(partialReason: string | null = null): RunRecord {
    return this.collector.build({
      runId: this.reportOptions.runId,
      timeScale: this.reportOptions.timeScale,
      environment: this.environment,
      partialReason,
    });
  }

  /** Mocha calls this after the run: write the files, print where they are, then let mocha exit. */
  override done(failures: number, fn?: (failures: number) => void): void {
    try {
      this.finish();
    } catch (error) {
      // A report that cannot be written must not hide the test results: say so and keep mocha's exit code.
      console.error(`cms-ha-chaos reporter: could not write the report in ${this.reportOptions.reportsDir}: ${(error as Error).message}`);
      process.exitCode = process.exitCode || 1;
    }
    fn?.(failures);
  }

  /** Writes the final report (once). */
  finish(): WrittenReport {
    if (this.finalised && this.lastWritten) return this.lastWritten;
    this.finalised = true;
    active.delete(this);
    uninstallProcessHooksIfIdle();
    const written = writeRunFilesSync(this.buildRecord(null), this.reportOptions.reportsDir);
    this.lastWritten = written;
    if (!this.reportOptions.quiet) console.log(`Report: ${written.indexHtml}`);
    return written;
  }

  /**
   * Writes what has been collected so far as a partial report. The reporter stays active: if the run does end
   * after all, the final report replaces it.
   */
  writePartial(reason: string): WrittenReport | null {
    if (this.finalised) return null;
    const written = writeRunFilesSync(this.buildRecord(reason), this.reportOptions.reportsDir);
    this.lastWritten = written;
    if (!this.reportOptions.quiet) console.error(`Report (PARTIAL: ${reason}): ${written.indexHtml}`);
    return written;
  }

  /** The process is going away: finish properly if mocha ended the run but never called done(), else go partial. */
  private onExit(reason: string): void {
    if (this.finalised) return;
    if (this.runEnded) this.finish();
    else this.writePartial(reason);
  }

  /** Forget this reporter without writing (tests that drive several fake runs use it). */
  dispose(): void {
    this.finalised = true;
    active.delete(this);
    uninstallProcessHooksIfIdle();
  }

  /** @internal for the process hooks */
  static exitAll(reason: string): void {
    for (const reporter of [...active]) {
      try {
        reporter.onExit(reason);
      } catch (error) {
        console.error(`cms-ha-chaos reporter: could not write the partial report: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * Writes a partial report (`partial: true`, the reason, everything collected so far) for every reporter of this
 * process that has not finished. Synchronous, so the CLI may call it from its own signal or exit handlers.
 * Returns what was written.
 */
export function writePartialReport(reason: string): WrittenReport[] {
  const written: WrittenReport[] = [];
  for (const reporter of [...active]) {
    try {
      const result = reporter.writePartial(reason);
      if (result) written.push(result);
    } catch (error) {
      console.error(`cms-ha-chaos reporter: could not write the partial report: ${(error as Error).message}`);
    }
  }
  return written;
}

export { CmshaReporter };

// ---------------------------------------------------------------------------------------------
// Process hooks: one set for the whole process, whatever the number of reporters.

let installed = false;
let lastUncaught: unknown = null;

function onSignal(signal: NodeJS.Signals): void {
  writePartialReport(`received ${signal}`);
  uninstallProcessHooks();
  // Do not swallow the signal: when nobody else listens, re-raise it so the default behaviour (exit) happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');

/** A monitor only observes: it never turns a crash into a swallowed error. */
function onUncaughtMonitor(error: unknown): void {
  lastUncaught = error;
}

function onProcessExit(code: number): void {
  const reason =
    lastUncaught !== null
      ? `uncaught exception: ${lastUncaught instanceof Error ? lastUncaught.message : String(lastUncaught)}`
      : `process exited with code ${code} before the run ended`;
  CmshaReporter.exitAll(reason);
}

function installProcessHooks(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('uncaughtExceptionMonitor', onUncaughtMonitor);
  process.on('exit', onProcessExit);
}

function uninstallProcessHooks(): void {
  if (!installed) return;
  installed = false;
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigterm);
  process.removeListener('uncaughtExceptionMonitor', onUncaughtMonitor);
  process.removeListener('exit', onProcessExit);
}

function uninstallProcessHooksIfIdle(): void {
  if (active.size === 0) uninstallProcessHooks();
}

// ---------------------------------------------------------------------------------------------
// Reading mocha's runnables

function titlePathOf(runnable: RunnableLike): string[] {
  if (typeof runnable.titlePath === 'function') return runnable.titlePath();
  const parentPath = runnable.parent?.titlePath?.() ?? [];
  return [...parentPath, runnable.title];
}

function describe(runnable: RunnableLike): Pick<CollectedTest, 'title' | 'fullTitle' | 'path' | 'file'> {
  const full = titlePathOf(runnable).filter((t) => t !== '');
  const title = runnable.title;
  const path = full.slice(0, -1);
  const fullTitle = typeof runnable.fullTitle === 'function' ? runnable.fullTitle() : full.join(' ');
  return { title, fullTitle, path, file: runnable.file ?? null };
}

function keyOf(runnable: RunnableLike): string {
  return `${runnable.type === 'hook' ? 'hook' : 'test'}\u0000${runnable.file ?? ''}\u0000${titlePathOf(runnable).join('\u0000')}`;
}

function attemptOf(runnable: RunnableLike): number {
  return (typeof runnable.currentRetry === 'function' ? runnable.currentRetry() : 0) + 1;
}

function evidenceOf(runnable: RunnableLike): TestEvidence | null {
  const evidence = runnable[EVIDENCE_KEY];
  return evidence && typeof evidence === 'object' ? evidence : null;
}

function hookTestEvidence(hook: RunnableLike): TestEvidence | null {
  const ctx = (hook as { ctx?: { currentTest?: RunnableLike } }).ctx;
  return ctx?.currentTest ? evidenceOf(ctx.currentTest) : null;
}

function errorOf(error: unknown): { message: string; stack: string | null } {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as { message?: unknown; stack?: unknown };
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
    return { message, stack: typeof e.stack === 'string' ? e.stack : null };
  }
  return { message: String(error), stack: null };
}
