// The mocha reporter of a worker process: one TestRecord per execution, written at the end of the run as a JSON
// array (the blob the run merges) to `blobFile`; if the process goes first, it writes what it has, marked interrupted.
//
//   new Mocha({ reporter: CmshaReporter, reporterOptions: { blobFile, quiet: true } })
//
// Options: blobFile (required), repeat (0), seed (none), quiet (spec-style progress on the console unless true; default
// false), classifyFailure (in-process only: tells a failure of the harness from one of the site; default none, every
// failure is failed). The worker gives repeat and seed from its run context, and its classifier.

import Mocha from 'mocha';

import { HarnessError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/files.js';
import { EVIDENCE_KEY, type HarnessFault, type TestEvidence, type TestRecord } from '../core/model.js';
import { parseSeed } from '../core/run-context.js';
import { ExecutionCollector, type EvidenceReader, type TestPlace, type TestResult } from './execution-collector.js';

const { EVENT_RUN_END, EVENT_TEST_BEGIN, EVENT_TEST_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING, EVENT_TEST_RETRY } =
  Mocha.Runner.constants;

/**
 * Tells whose failure an error is: the harness's (the record is then inconclusive, with this cause and message), or
 * the site's (null: failed).
 */
export type FailureClassifier = (error: unknown) => { fault: HarnessFault; error: NonNullable<TestRecord['error']> } | null;

export interface ReporterSettings {
  /** The file the records are written to, as a JSON array of TestRecord. */
  blobFile: string;
  /** Which repeat of the run this process executes (0-based). */
  repeat: number;
  /** The seed the fault phases of this process come from; null when the run gave none. */
  seed: number | null;
  quiet: boolean;
  classifyFailure: FailureClassifier | null;
}

/** The facts of a mocha runnable the reporter reads; a fake runner's objects need only these. */
interface RunnableLike {
  title: string;
  type?: string;
  file?: string;
  duration?: number;
  titlePath?: () => string[];
  fullTitle?: () => string;
  currentRetry?: () => number;
  ctx?: { currentTest?: RunnableLike };
  [EVIDENCE_KEY]?: TestEvidence;
}

type MochaReporterOptions = Mocha.MochaOptions & { reporterOption?: Record<string, unknown> };

/** Reporters of this process whose blob is not final yet: a signal or exit writes theirs. */
const live = new Set<CmshaReporter>();

export default class CmshaReporter extends Mocha.reporters.Base {
  readonly settings: ReporterSettings;
  readonly #collector: ExecutionCollector;
  #runEnded = false;

  constructor(runner: Mocha.Runner, options: MochaReporterOptions = {}) {
    super(runner, options);
    // Bad options fail here, before any test runs, naming the option and the value.
    this.settings = reporterSettings(options.reporterOption ?? options.reporterOptions ?? {});
    this.#collector = new ExecutionCollector({ repeat: this.settings.repeat, seed: this.settings.seed });
    if (!this.settings.quiet) new Mocha.reporters.Spec(runner, options);
    this.#listen(runner);
    live.add(this);
    installProcessHooks();
  }

  #listen(runner: Mocha.Runner): void {
    const collector = this.#collector;
    const settle = (test: RunnableLike, result: TestResult): void => collector.settle(test, placeOf(test), result, evidenceReader(test));
    runner.on(EVENT_TEST_BEGIN, (test: RunnableLike) => collector.begin(test, placeOf(test), evidenceReader(test)));
    runner.on(EVENT_TEST_PASS, (test: RunnableLike) => settle(test, { outcome: 'passed', durationMs: durationOf(test), error: null }));
    runner.on(EVENT_TEST_FAIL, (test: RunnableLike, error: unknown) => {
      const harness = this.settings.classifyFailure?.(error) ?? null;
      settle(
        test,
        harness
          ? { outcome: 'inconclusive', durationMs: durationOf(test), error: harness.error, harnessFault: harness.fault }
          : { outcome: 'failed', durationMs: durationOf(test), error: errorOf(error) },
      );
    });
    runner.on(EVENT_TEST_PENDING, (test: RunnableLike) => settle(test, { outcome: 'pending', durationMs: 0, error: null }));
    // Runs use no retries; a retry configured anyway must not turn a failure into a pass: the attempt is its own record.
    runner.on(EVENT_TEST_RETRY, (test: RunnableLike, error: unknown) =>
      settle(test, { outcome: 'failed', durationMs: durationOf(test), error: retriedError(test, error) }),
    );
    runner.on(EVENT_TEST_END, (test: RunnableLike) => collector.ended(test));
    runner.once(EVENT_RUN_END, () => {
      this.#runEnded = true;
    });
  }

  /** Mocha calls this after the run: the blob is written before mocha is let go. */
  override done(failures: number, fn?: (failures: number) => void): void {
    try {
      this.#writeFinal();
    } catch (error) {
      // The run must learn that this process's records are lost, without losing mocha's own verdict.
      console.error(`cms-ha-chaos reporter: could not write the test records to ${this.settings.blobFile}: ${(error as Error).message}`);
      process.exitCode = process.exitCode || 1;
    }
    fn?.(failures);
  }

  /** The process is going away: the final blob if mocha ended the run but never called done(), else what there is. */
  interrupt(reason: string): void {
    if (!live.has(this)) return;
    if (this.#runEnded) this.#writeFinal();
    else writeFileAtomicSync(this.settings.blobFile, blob(this.#collector.records(reason)));
  }

  #writeFinal(): void {
    live.delete(this);
    uninstallProcessHooksIfIdle();
    writeFileAtomicSync(this.settings.blobFile, blob(this.#collector.records()));
  }
}

function blob(records: unknown[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Options

/** Resolves the options. Command-line values arrive as strings. */
export function reporterSettings(raw: Record<string, unknown>): ReporterSettings {
  const pick = (key: string): unknown => {
    const given = raw[key];
    return given !== undefined && given !== null && given !== '' ? given : undefined;
  };
  const blobFile = pick('blobFile');
  if (typeof blobFile !== 'string') throw badOption('blobFile', blobFile, 'the file the records go to');
  const repeatGiven = pick('repeat') ?? 0;
  const repeat = Number(repeatGiven);
  if (!Number.isInteger(repeat) || repeat < 0)
    throw badOption('repeat', repeatGiven, 'a whole number from 0 (which repeat this process runs)');
  const seed = pick('seed');
  const quiet = pick('quiet');
  const classify = pick('classifyFailure');
  if (classify !== undefined && typeof classify !== 'function')
    throw badOption('classifyFailure', classify, 'a function (given in-process by the worker)');
  return {
    blobFile,
    repeat,
    seed: seed === undefined ? null : parseSeed(String(seed), 'reporter option seed'),
    quiet: quiet === true || quiet === 'true' || quiet === '1',
    classifyFailure: (classify as FailureClassifier | undefined) ?? null,
  };
}

function badOption(option: string, value: unknown, expected: string): HarnessError {
  return new HarnessError('BAD_CONFIG', `Reporter option ${option} must be ${expected}; got ${JSON.stringify(value) ?? 'nothing'}.`, {
    details: { option, value },
  });
}

// ---------------------------------------------------------------------------------------------
// Process hooks: one set for the whole process, whatever the number of reporters.

let installed = false;
let lastUncaught: unknown = null;

function onSignal(signal: NodeJS.Signals): void {
  interruptAll(`received ${signal}`);
  uninstallProcessHooks();
  // Never swallow the signal: when nobody else listens, raise it again so its default (ending the process) happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');

/** A monitor only observes: the crash goes on, and the exit hook names it. */
function onUncaughtMonitor(error: unknown): void {
  lastUncaught = error;
}

function onProcessExit(code: number): void {
  const reason =
    lastUncaught === null
      ? `the process exited with code ${code} before the run ended`
      : `uncaught exception: ${lastUncaught instanceof Error ? lastUncaught.message : String(lastUncaught)}`;
  interruptAll(reason);
}

function interruptAll(reason: string): void {
  for (const reporter of [...live]) {
    try {
      reporter.interrupt(reason);
    } catch (error) {
      console.error(
        `cms-ha-chaos reporter: could not write the test records to ${reporter.settings.blobFile}: ${(error as Error).message}`,
      );
    }
  }
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
  if (live.size === 0) uninstallProcessHooks();
}

// ---------------------------------------------------------------------------------------------
// Reading mocha's runnables

function placeOf(runnable: RunnableLike): TestPlace {
  const titles = (runnable.titlePath?.() ?? [runnable.title]).filter((t) => t !== '');
  return {
    title: runnable.title,
    fullTitle: runnable.fullTitle?.() ?? titles.join(' '),
    path: titles.slice(0, -1),
    file: runnable.file ?? null,
  };
}

function durationOf(runnable: RunnableLike): number {
  return Math.round(runnable.duration ?? 0);
}

/** A hook has no evidence of its own; a failing hook leaves the evidence of the test it ran for on ctx.currentTest. */
function evidenceReader(runnable: RunnableLike): EvidenceReader {
  return () => runnable[EVIDENCE_KEY] ?? (runnable.type === 'hook' ? (runnable.ctx?.currentTest?.[EVIDENCE_KEY] ?? null) : null);
}

function errorOf(error: unknown): { message: string; stack: string | null } {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, stack } = error as { message?: unknown; stack?: unknown };
    return {
      message: typeof message === 'string' && message !== '' ? message : String(error),
      stack: typeof stack === 'string' ? stack : null,
    };
  }
  return { message: String(error), stack: null };
}

function retriedError(runnable: RunnableLike, error: unknown): { message: string; stack: string | null } {
  const attempt = (runnable.currentRetry?.() ?? 0) + 1;
  const { message, stack } = errorOf(error);
  return { message: `attempt ${attempt} failed and mocha retried the test (cmsha runs use no retries): ${message}`, stack };
}
