// One TestRecord per execution of a test as mocha reports it: each attempt and each failed hook its own record, a
// late failure turning a pass into a failure, and, when the process goes away mid-test, the running test as failed.

import type { HarnessFault, TestEvidence, TestRecord } from '../core/model.js';

/** Where a test sits, as mocha names it. */
export interface TestPlace {
  title: string;
  fullTitle: string;
  path: string[];
  file: string | null;
}

/** What one execution ended with. */
export interface TestResult {
  outcome: TestRecord['outcome'];
  durationMs: number;
  error: TestRecord['error'];
  /** An inconclusive execution's cause. */
  harnessFault?: HarnessFault;
}

/** Evidence is read only when the records are made: a suite attaches it as a getter and finishes it in afterEach. */
export type EvidenceReader = () => TestEvidence | null;

interface Execution {
  place: TestPlace;
  result: TestResult;
  readEvidence: EvidenceReader;
}

/**
 * Collects executions keyed by the runnable object mocha reports: a retried attempt is a clone, so it is a record
 * of its own, while a second report about the same runnable (a late error after a pass) updates its record.
 */
export class ExecutionCollector {
  readonly #run: { repeat: number; seed: number | null };
  readonly #executions = new Map<object, Execution>();
  #running: { key: object; place: TestPlace; readEvidence: EvidenceReader; startedMs: number } | null = null;

  constructor(run: { repeat: number; seed: number | null }) {
    this.#run = run;
  }

  /** A test began: remembered, so an interruption can say which test it cut short. */
  begin(key: object, place: TestPlace, readEvidence: EvidenceReader, nowMs: number = performance.now()): void {
    this.#running = { key, place, readEvidence, startedMs: nowMs };
  }

  /**
   * The outcome of one execution. A failure (or an inconclusive one) is final: a later pass of the same runnable does
   * not undo it, and a later failure is added to it.
   */
  settle(key: object, place: TestPlace, result: TestResult, readEvidence: EvidenceReader): void {
    const earlier = this.#executions.get(key);
    if (earlier && isFailure(earlier.result) && !isFailure(result)) return;
    this.#executions.set(key, {
      place,
      result: earlier && isFailure(earlier.result) ? joinFailures(earlier.result, result) : result,
      readEvidence,
    });
    this.ended(key);
  }

  /** Mocha says the test ended: it is no longer the one an interruption would cut short. */
  ended(key: object): void {
    if (this.#running?.key === key) this.#running = null;
  }

  /**
   * The records in the order the executions settled, evidence read now. With `interruption`, the test still
   * running (if it has no outcome yet) is added as failed, "interrupted: <reason>", with the evidence it has.
   */
  records(interruption: string | null = null, nowMs: number = performance.now()): TestRecord[] {
    const records = [...this.#executions.values()].map((e) => this.#record(e));
    const running = this.#running;
    if (interruption !== null && running !== null && !this.#executions.has(running.key)) {
      const error = { message: `interrupted: ${interruption}`, stack: null };
      records.push(this.#record({ ...running, result: { outcome: 'failed', durationMs: Math.round(nowMs - running.startedMs), error } }));
    }
    return records;
  }

  #record(execution: Execution): TestRecord {
    return {
      ...execution.place,
      ...execution.result,
      repeat: this.#run.repeat,
      seed: this.#run.seed,
      evidence: readSafely(execution.readEvidence),
    };
  }
}

function isFailure(result: TestResult): boolean {
  return result.outcome === 'failed' || result.outcome === 'inconclusive';
}

/** Both errors of a runnable that failed twice (the test, then a late error), so neither is lost. */
function joinFailures(first: TestResult, second: TestResult): TestResult {
  const messages = [first.error?.message, second.error?.message].filter((m): m is string => m !== undefined);
  return { ...first, error: { message: messages.join('\n'), stack: first.error?.stack ?? second.error?.stack ?? null } };
}

/** A broken evidence getter must not cost the test its outcome. */
function readSafely(readEvidence: EvidenceReader): TestEvidence | null {
  try {
    const evidence = readEvidence();
    return evidence !== null && typeof evidence === 'object' ? evidence : null;
  } catch {
    return null;
  }
}
