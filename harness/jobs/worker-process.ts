// One worker process of a run: started with the run's environment, its output in a log file, niced behind the
// stand-ins, its phases passed on over IPC. The run (and the explorer) start every worker this way.

import { setPriority } from 'node:os';
import { execa, type Result, type ResultPromise } from 'execa';
import { RUN_ID } from '../docker/labels.js';
import { RUN_ID_ENV } from '../core/run-context.js';
import type { WorkerMessage } from './worker-protocol.js';

/**
 * The site measured comes first. A worker's own work (loading its modules, polling the stand-ins, writing records)
 * is the harness's, and on a busy host it waits for the CPU behind the stand-ins' timers and I/O (nice 0): its
 * instants are stamped when they happen, so waiting costs it only a later look. A nice value of 10 gets about a
 * tenth of a contended core; raising one's nice value needs no privilege.
 */
const WORKER_NICE = 10;

export interface WorkerProcess {
  process: ResultPromise;
  /** Resolves when the worker ended, however it ended (it never rejects). */
  done: Promise<Result>;
}

/** Starts `script` with node; `env` adds to the run's environment (the run id every topology is labelled with). */
export function spawnWorker(
  script: string,
  options: { env: Record<string, string>; log: string; onPhase?: (phase: string) => void },
): WorkerProcess {
  const worker = execa(process.execPath, [script], {
    // Every topology of the run carries its id, so a sweep can tell a live run's sites from a dead one's.
    env: { ...options.env, [RUN_ID_ENV]: RUN_ID },
    ipc: true,
    serialization: 'json',
    stdout: { file: options.log },
    stderr: { file: options.log, append: true },
    reject: false,
    // Our own teardown decides when a worker is done; never leave one behind.
    cleanup: true,
  });
  yieldCpu(worker.pid);
  const messages = (async () => {
    for await (const message of worker.getEachMessage!()) {
      const m = message as WorkerMessage;
      if (m?.type === 'phase') options.onPhase?.(m.phase);
    }
  })().catch(() => undefined);
  const done = (async () => {
    const result = await worker;
    await messages;
    return result as Result;
  })();
  return { process: worker, done };
}

function yieldCpu(pid: number | undefined): void {
  if (pid === undefined) return; // it did not start: execa rejects, and the task's record says so
  try {
    setPriority(pid, WORKER_NICE);
  } catch {
    // It already ended (ESRCH): there is nothing left to yield, and its exit is handled like any other.
  }
}
