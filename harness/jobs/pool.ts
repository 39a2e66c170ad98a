// Runs the tasks of a run, `parallel` at a time, each in its own worker process with its own site: the longest
// first, each worker's output in a log file, its phases passed on. On a signal, every worker is told to tear down.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { TestRecord } from '../core/model.js';
import type { Task } from './plan.js';
import { taskEnv, type WorkerMessage } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * The site measured comes first. A worker's own work (loading its modules, polling the stand-ins, writing records)
 * is the harness's, and on a busy host it waits for the CPU behind the stand-ins' timers and I/O (nice 0): its
 * instants are stamped when they happen, so waiting costs it only a later look. A nice value of 10 gets about a
 * tenth of a contended core; raising one's nice value needs no privilege.
 */
const WORKER_NICE = 10;

export interface PoolOptions {
  parallel: number;
  /** The run's folder: blobs/ and logs/ go in it. */
  dir: string;
  /** Environment every worker gets (the run context). */
  env: Record<string, string>;
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
    const worker = execa(process.execPath, [WORKER], {
      env: {
        ...options.env,
        ...taskEnv({ file: task.entry.file, fullTitle: task.entry.fullTitle, blobFile }),
        CMSHA_REPEAT: String(task.repeat),
      },
      ipc: true,
      serialization: 'json',
      stdout: { file: log },
      stderr: { file: log, append: true },
      reject: false,
      // Our own teardown decides when a worker is done; never leave one behind.
      cleanup: true,
    });
    yieldCpu(worker.pid);
    running.set(task.id, worker);
    const messages = (async () => {
      for await (const message of worker.getEachMessage!()) {
        const m = message as WorkerMessage;
        if (m?.type === 'phase') options.onPhase?.(task, m.phase);
      }
    })().catch(() => undefined);
    const result = await worker;
    await messages;
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

function yieldCpu(pid: number | undefined): void {
  if (pid === undefined) return; // it did not start: execa rejects, and the task's record says so
  try {
    setPriority(pid, WORKER_NICE);
  } catch {
    // It already ended (ESRCH): there is nothing left to yield, and its exit is handled like any other.
  }
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
