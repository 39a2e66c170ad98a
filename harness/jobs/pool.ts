// Runs the tasks of a run, `parallel` at a time, each in its own worker process with its own site: the longest
// first, each worker's output in a log file, its phases passed on. On a signal, every worker is told to tear down.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import type { TestRecord } from '../core/model.js';
import { runContextEnv, type RunContext } from '../core/run-context.js';
import type { Task } from './plan.js';
import { spawnWorker } from './worker-process.js';
import { taskEnv } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface PoolOptions {
  parallel: number;
  /** The run's folder: blobs/ and logs/ go in it. */
  dir: string;
  /** The run every worker runs a task of (each gets it with its own repeat). */
  context: RunContext;
  onStart?(task: Task): void;
  onPhase?(task: Task, phase: string): void;
  onDone?(task: Task, records: TestRecord[], exitCode: number | undefined): void;
}

export interface Pool {
  /** Resolves with every task's records (a task whose worker died leaves a failed record saying so). */
  done: Promise<Map<string, TestRecord[]>>;
  /** Asks every running worker to tear down and stop; no new task starts. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

export function runPool(tasks: Task[], options: PoolOptions): Pool {
  mkdirSync(join(options.dir, 'blobs'), { recursive: true });
  mkdirSync(join(options.dir, 'logs'), { recursive: true });
  const queue = [...tasks];
  const running = new Map<string, ResultPromise>();
  const results = new Map<string, TestRecord[]>();
  let stopping = false;

  const runOne = async (task: Task): Promise<void> => {
    const blobFile = join(options.dir, 'blobs', `${task.id}.json`);
    const log = join(options.dir, 'logs', `${task.id}.log`);
    options.onStart?.(task);
    const worker = spawnWorker(WORKER, {
      env: {
        ...runContextEnv({ ...options.context, repeat: task.repeat }),
        ...taskEnv({ file: task.entry.file, fullTitle: task.entry.fullTitle, blobFile }),
      },
      log,
      onPhase: (phase) => options.onPhase?.(task, phase),
    });
    running.set(task.id, worker.process);
    const result = await worker.done;
    running.delete(task.id);
    const records = readBlob(blobFile) ?? [lostRecord(task, result.exitCode, result.signal, log)];
    results.set(task.id, records);
    options.onDone?.(task, records, result.exitCode);
  };

  const lane = async (): Promise<void> => {
    for (let task = queue.shift(); task !== undefined && !stopping; task = queue.shift()) await runOne(task);
  };

  const done = Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, tasks.length)) }, lane)).then(() => results);
  return {
    done,
    async stop(signal) {
      stopping = true;
      queue.length = 0;
      for (const worker of running.values()) worker.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      await Promise.allSettled([...running.values()]);
    },
  };
}

function readBlob(file: string): TestRecord[] | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as TestRecord[]) : null;
  } catch {
    return null;
  }
}

/** A worker that died without writing its record still counts, as a failure saying how it ended. */
function lostRecord(task: Task, exitCode: number | undefined, signal: string | undefined, log: string): TestRecord {
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode ?? '?'}`;
  return {
    title: task.entry.title,
    fullTitle: task.entry.fullTitle,
    path: [task.entry.fullTitle.slice(0, task.entry.fullTitle.length - task.entry.title.length).trim()],
    file: task.entry.file,
    outcome: 'failed',
    durationMs: 0,
    repeat: task.repeat,
    seed: null,
    error: { message: `The worker running this test ${how} before it wrote the test's record; see ${log}.`, stack: null },
    evidence: null,
  };
}
