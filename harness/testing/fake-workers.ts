// Workers for the engine pool's unit tests: each attempt the pool starts waits until the test ends it with an outcome
// (writing its records where the worker's reporter would) or the pool kills it, so a test plays out a run by hand.

import { writeFileSync } from 'node:fs';
import type { HarnessFault, TestRecord } from '../core/model.js';
import { decodeRunContext, RUN_CONTEXT_ENV, type RunContext } from '../core/run-context.js';
import type { AttemptStart, AttemptWorker } from '../jobs/engine-pool.js';
import type { CatalogueEntry } from '../jobs/catalogue.js';
import type { Task } from '../jobs/plan.js';

/** A task of a scenario with this id as its title, taking `estimateMs`. */
export function fakeTask(id: string, estimateMs: number): Task {
  const entry: CatalogueEntry = {
    fullTitle: `fake: ${id}`,
    title: id,
    file: '/nowhere/fake.suite.js',
    meta: { family: 'fake', faults: [] },
  };
  return { id, entry, repeat: 0, estimateMs };
}

interface Attempt {
  start: AttemptStart;
  end: (result: { exitCode?: number; signal?: string }) => void;
  killed: NodeJS.Signals | null;
}

export class FakeWorkers {
  /** Every attempt started, in order. */
  readonly started: AttemptStart[] = [];
  /** Every attempt the pool killed: its task, engine and signal. */
  readonly killed: Array<{ task: string; engine: string; signal: NodeJS.Signals }> = [];
  readonly #running = new Map<string, Attempt>();

  /** Give this to the pool as `startWorker`. */
  readonly start = (start: AttemptStart): AttemptWorker => {
    this.started.push(start);
    let end!: Attempt['end'];
    const done = new Promise<{ exitCode?: number; signal?: string }>((resolve) => (end = resolve));
    const attempt: Attempt = { start, end, killed: null };
    this.#running.set(start.task.id, attempt);
    return {
      done,
      kill: (signal = 'SIGTERM') => {
        if (attempt.killed) return;
        attempt.killed = signal;
        this.killed.push({ task: start.task.id, engine: start.engine.url, signal });
        // As the worker's reporter does on a signal: the running test written as interrupted, then the process ends.
        setImmediate(() => this.#finish(attempt, record(start, 'failed', `interrupted: received ${signal}`), { signal }));
      },
    };
  };

  /** The attempts running now, by task id. */
  running(): string[] {
    return [...this.#running.keys()];
  }

  /** Where the running attempt of `taskId` was started (its engine). */
  engineOf(taskId: string): string {
    return this.#attempt(taskId).start.engine.url;
  }

  /** The run context the pool handed the running attempt of `taskId`. */
  contextOf(taskId: string): RunContext {
    return decodeRunContext(this.#attempt(taskId).start.env[RUN_CONTEXT_ENV]!, 'a fake worker');
  }

  /** Ends the running attempt of `taskId` with its record: passed, failed, or inconclusive with a fault. */
  end(taskId: string, outcome: 'passed' | 'failed', message?: string): void;
  end(taskId: string, outcome: 'inconclusive', fault: HarnessFault): void;
  end(taskId: string, outcome: TestRecord['outcome'], detail?: string | HarnessFault): void {
    const attempt = this.#attempt(taskId);
    const rec =
      typeof detail === 'object'
        ? { ...record(attempt.start, 'inconclusive', `inconclusive (harness): ${detail.cause}`), harnessFault: detail }
        : record(attempt.start, outcome, detail ?? null);
    this.#finish(attempt, rec, { exitCode: outcome === 'passed' ? 0 : 1 });
  }

  /** Ends the running attempt of `taskId` without a record, as a worker that crashed. */
  crash(taskId: string): void {
    const attempt = this.#attempt(taskId);
    this.#running.delete(taskId);
    attempt.end({ exitCode: 2 });
  }

  #attempt(taskId: string): Attempt {
    const attempt = this.#running.get(taskId);
    if (!attempt) throw new Error(`no attempt of ${taskId} is running; running: ${this.running().join(', ') || 'none'}`);
    return attempt;
  }

  #finish(attempt: Attempt, rec: TestRecord, result: { exitCode?: number; signal?: string }): void {
    if (this.#running.get(attempt.start.task.id) === attempt) this.#running.delete(attempt.start.task.id);
    writeFileSync(attempt.start.blobFile, JSON.stringify([rec]));
    attempt.end(result);
  }
}

function record(start: AttemptStart, outcome: TestRecord['outcome'], message: string | null): TestRecord {
  return {
    title: start.task.entry.title,
    fullTitle: start.task.entry.fullTitle,
    path: ['fake:'],
    file: start.task.entry.file,
    outcome,
    durationMs: 10,
    repeat: start.task.repeat,
    seed: 1,
    error: message === null ? null : { message, stack: null },
    evidence: null,
  };
}
