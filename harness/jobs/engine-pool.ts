// Runs a run's executions over a pool of Docker engines with ONE queue (EngineQueue): the longest first, each engine
// as many sites at once as it holds, each execution in its own worker process pointed at its engine (DOCKER_HOST).
// While an engine has work it is pinged; one that stops answering, or on which two executions in a row were spoiled
// by late timers, is drained: its workers are killed and their executions run again on another engine. Every
// execution ends with exactly one final verdict, and its record lists every attempt and the engine of each.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../core/files.js';
import type { AttemptRecord, EngineRecord, HarnessFault, TestRecord } from '../core/model.js';
import { runContextEnv, type ImageSet, type RunContext } from '../core/run-context.js';
import { INCONCLUSIVE_PREFIX } from '../core/summary.js';
import { connectDocker, pingEngine, type DockerClient } from '../docker/client.js';
import { EngineQueue, type Dispatch, type Step, type Verdict } from './engine-queue.js';
import type { Task } from './plan.js';
import { spawnWorker } from './worker-process.js';
import { taskEnv } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** One engine of the pool. */
export interface PoolEngine {
  /** A DOCKER_HOST-style URL (unix://, tcp://, ssh://): the engine's id in the run and what its workers connect to. */
  url: string;
  /** Sites it runs at once: a whole number ≥ 1. */
  capacity: number;
  /** The images the set-up found or made on it (a tag can differ between engines); default: the run context's. */
  images?: ImageSet;
  /** How the capacity was chosen, for the record. */
  capacityWhy?: string;
  dockerVersion?: string | null;
}

/** What starting one attempt's worker needs. */
export interface AttemptStart {
  task: Task;
  engine: PoolEngine;
  attempt: number;
  /** The worker's environment: the run context and the task (DOCKER_HOST is the engine's URL). */
  env: Record<string, string>;
  /** Where the worker's reporter writes the attempt's records, and its output goes. */
  blobFile: string;
  log: string;
  onPhase(phase: string): void;
}

/** One attempt's worker as the pool drives it. */
export interface AttemptWorker {
  /** Resolves when the worker ended, however it ended; never rejects. */
  done: Promise<{ exitCode?: number | undefined; signal?: string | undefined }>;
  /** Asks it to remove its site and stop: SIGTERM (or the signal given), then SIGKILL after a delay. */
  kill(signal?: NodeJS.Signals): void;
}

export interface EnginePoolOptions {
  engines: readonly PoolEngine[];
  /** The run's folder: blobs/, attempts/ and logs/ go in it. */
  dir: string;
  /** The run every worker runs a task of (each with its own repeat, and its engine's images). */
  context: RunContext;
  onStart?(task: Task, dispatch: Dispatch): void;
  onPhase?(task: Task, phase: string): void;
  /** An attempt is over and the execution waits to run again (a move off a drained engine, a retry). */
  onRequeue?(task: Task, why: string): void;
  /** The execution's final records. */
  onDone?(task: Task, records: TestRecord[]): void;
  onDrain?(engine: string, reason: string): void;
  /** How often an engine with work is pinged. Default 2_000. */
  pingEveryMs?: number;
  /** Starts an attempt's worker; default: the run's worker process on its engine. */
  startWorker?: (start: AttemptStart) => AttemptWorker;
  /** A client of an engine, for its pings; default connectDocker(url). */
  connect?: (url: string) => DockerClient;
}

export interface EnginePoolResult {
  /** Each execution's final records, by task id (an interrupted run has only those that ended). */
  records: Map<string, TestRecord[]>;
  /** Each engine, with the attempts it started and why it was drained, if it was. */
  engines: EngineRecord[];
}

export interface EnginePool {
  done: Promise<EnginePoolResult>;
  /** Asks every running worker to remove its site and stop; nothing new starts; resolves when they have. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Pings in a row an engine may miss before it is drained: one can be a busy engine, two are a dead one. */
const MISSES_TO_DRAIN = 2;
/** How long a ping waits for the engine. */
const PING_MS = 3_000;
/**
 * Executions in a row on one engine spoiled by its stand-ins' late timers before it is drained as overloaded (the
 * engine queue retries each elsewhere). Never the last engine taking work: an overloaded host still judges some.
 */
const OVERLOADED_IN_A_ROW = 2;

interface Running {
  dispatch: Dispatch;
  worker: AttemptWorker;
  blobFile: string;
  log: string;
}

interface Health {
  misses: number;
  pinging: boolean;
  overloadedInARow: number;
  attempts: number;
  drained: EngineRecord['drained'];
}

export function runEnginePool(tasks: readonly Task[], options: EnginePoolOptions): EnginePool {
  for (const sub of ['blobs', 'attempts', 'logs']) mkdirSync(join(options.dir, sub), { recursive: true });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const engines = new Map(options.engines.map((e) => [e.url, e]));
  const queue = new EngineQueue(
    tasks.map((t) => ({ id: t.id, estimateMs: t.estimateMs })),
    options.engines.map((e) => ({ id: e.url, capacity: e.capacity })),
  );
  const health = new Map(
    options.engines.map((e): [string, Health] => [e.url, { misses: 0, pinging: false, overloadedInARow: 0, attempts: 0, drained: null }]),
  );
  const clients = new Map<string, DockerClient>();
  const clientOf = (url: string): DockerClient => {
    let client = clients.get(url);
    if (!client) clients.set(url, (client = (options.connect ?? connectDocker)(url)));
    return client;
  };
  const startWorker = options.startWorker ?? startWorkerProcess;
  const running = new Map<string, Running>();
  /** The records of each execution's last attempt that counted: the final verdict's records. */
  const lastRecords = new Map<string, TestRecord[]>();
  const results = new Map<string, TestRecord[]>();
  let stopping = false;
  let finish!: (result: EnginePoolResult) => void;
  const done = new Promise<EnginePoolResult>((resolve) => (finish = resolve));

  const apply = (step: Step): void => {
    for (const verdict of step.finished) final(verdict);
    if (!stopping) for (const dispatch of step.dispatched) launch(dispatch);
    settle();
  };

  const launch = (dispatch: Dispatch): void => {
    const task = byId.get(dispatch.execution)!;
    const engine = engines.get(dispatch.engine)!;
    const name = `${task.id}.attempt-${dispatch.attempt}`;
    const blobFile = join(options.dir, 'attempts', `${name}.json`);
    const log = join(options.dir, 'logs', `${name}.log`);
    health.get(engine.url)!.attempts += 1;
    options.onStart?.(task, dispatch);
    const context = { ...options.context, repeat: task.repeat, images: engine.images ?? options.context.images };
    const worker = startWorker({
      task,
      engine,
      attempt: dispatch.attempt,
      env: { ...runContextEnv(context), ...taskEnv({ file: task.entry.file, fullTitle: task.entry.fullTitle, blobFile }) },
      blobFile,
      log,
      // A moved attempt's worker still says it removes its site: its execution's new attempt is the one shown.
      onPhase: (phase) => {
        if (!moved(dispatch)) options.onPhase?.(task, phase);
      },
    });
    const entry: Running = { dispatch, worker, blobFile, log };
    running.set(name, entry);
    void worker.done.then((end) => ended(name, entry, end));
  };

  const ended = async (name: string, entry: Running, end: { exitCode?: number | undefined; signal?: string | undefined }) => {
    const { dispatch } = entry;
    const task = byId.get(dispatch.execution)!;
    const records = readBlob(entry.blobFile) ?? [lostRecord(task, end, entry.log)];
    const outcome = outcomeOf(records);
    // A harness failure on an engine that no longer answers is the engine's: drained first, the attempt is moved and
    // runs again elsewhere without spending the execution's retry.
    if (outcome === 'inconclusive' && !moved(dispatch) && !stopping) {
      const silent = await unanswered(dispatch.engine);
      if (silent !== null) drain(dispatch.engine, `stopped answering: ${silent}`);
    }
    running.delete(name);
    if (stopping) {
      // Interrupted: what the attempt left is what the partial report shows.
      if (!results.has(task.id)) results.set(task.id, annotated(records, queue.attempts(task.id)));
      return settle();
    }
    if (moved(dispatch)) return settle(); // its engine was drained: this word does not count
    lastRecords.set(task.id, records);
    const fault = records.find((r) => r.harnessFault)?.harnessFault;
    const reason =
      outcome === 'inconclusive'
        ? (fault?.cause ?? 'the harness failed')
        : firstLine(records.find((r) => r.outcome === 'failed')?.error?.message);
    const step = queue.report({ execution: task.id, attempt: dispatch.attempt, outcome, ...(reason ? { reason } : {}) });
    if (outcome === 'inconclusive' && !step.finished.some((v) => v.execution === task.id))
      options.onRequeue?.(task, `retried after inconclusive on engine ${dispatch.engine}: ${reason}`);
    apply(step);
    noteOverload(dispatch.engine, outcome, fault);
  };

  /** Two executions in a row spoiled by late timers: the host is overloaded; its work goes where it is not. */
  const noteOverload = (url: string, outcome: string, fault: HarnessFault | undefined): void => {
    const engine = health.get(url)!;
    engine.overloadedInARow = outcome === 'inconclusive' && fault?.part === 'host' ? engine.overloadedInARow + 1 : 0;
    const others = queue.engines().filter((e) => e.drained === null && e.id !== url);
    if (engine.overloadedInARow >= OVERLOADED_IN_A_ROW && others.length > 0)
      drain(url, `host overloaded: ${engine.overloadedInARow} executions in a row on it were spoiled by late timers of its stand-ins`);
  };

  const moved = (dispatch: Dispatch): boolean => queue.attempts(dispatch.execution)[dispatch.attempt - 1]?.outcome === 'moved';

  /** Null when the engine answers; else why not. */
  const unanswered = async (url: string): Promise<string | null> => {
    try {
      await pingEngine(clientOf(url), PING_MS);
      return null;
    } catch (error) {
      const cause = (error as Error).cause;
      return cause instanceof Error ? cause.message : (error as Error).message;
    }
  };

  /** The engine takes no more work; its workers are killed (their sites are on it) and their executions run elsewhere. */
  const drain = (url: string, reason: string): void => {
    const engine = health.get(url)!;
    if (engine.drained !== null) return;
    engine.drained = { reason, at: new Date().toISOString() };
    const onIt = [...running.values()].filter((r) => r.dispatch.engine === url && !moved(r.dispatch));
    for (const r of onIt) r.worker.kill();
    options.onDrain?.(url, reason);
    for (const r of onIt) options.onRequeue?.(byId.get(r.dispatch.execution)!, `moved from engine ${url}: ${reason}`);
    apply(queue.drain(url, reason));
  };

  const final = (verdict: Verdict): void => {
    const task = byId.get(verdict.execution)!;
    const records = annotated(lastRecords.get(task.id) ?? [noEngineRecord(task, verdict.reason)], verdict.attempts);
    writeBlob(join(options.dir, 'blobs', `${task.id}.json`), records);
    results.set(task.id, records);
    options.onDone?.(task, records);
  };

  const settle = (): void => {
    if (running.size > 0 || !(queue.done || stopping)) return;
    clearInterval(pings);
    finish({
      records: results,
      engines: options.engines.map((e) => ({
        url: e.url,
        capacity: e.capacity,
        capacityWhy: e.capacityWhy ?? 'given',
        dockerVersion: e.dockerVersion ?? null,
        drained: health.get(e.url)!.drained,
        attempts: health.get(e.url)!.attempts,
      })),
    });
  };

  // Every couple of seconds, each engine with work: a dead engine's workers may hang rather than fail.
  const pings = setInterval(() => {
    for (const state of queue.engines()) {
      const engine = health.get(state.id)!;
      if (state.drained !== null || state.running.length === 0 || engine.pinging) continue;
      engine.pinging = true;
      void unanswered(state.id).then((silent) => {
        engine.pinging = false;
        engine.misses = silent === null ? 0 : engine.misses + 1;
        if (silent !== null && engine.misses >= MISSES_TO_DRAIN && !stopping)
          drain(state.id, `stopped answering: ${engine.misses} pings in a row failed (${silent})`);
      });
    }
  }, options.pingEveryMs ?? 2_000);
  pings.unref();

  apply(queue.start());
  return {
    done,
    async stop(signal) {
      stopping = true;
      for (const r of running.values()) r.worker.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      settle();
      await done;
    },
  };
}

/** The run's worker process, on the attempt's engine. */
function startWorkerProcess(start: AttemptStart): AttemptWorker {
  const worker = spawnWorker(WORKER, { env: { ...start.env, DOCKER_HOST: start.engine.url }, log: start.log, onPhase: start.onPhase });
  return {
    done: worker.done.then((r) => ({ exitCode: r.exitCode, signal: r.signal })),
    kill: (signal = 'SIGTERM') => void worker.process.kill(signal),
  };
}

/** How an attempt ended, from its records: failed if any failed, else inconclusive if any was, else passed. */
function outcomeOf(records: readonly TestRecord[]): 'passed' | 'failed' | 'inconclusive' {
  if (records.some((r) => r.outcome === 'failed')) return 'failed';
  return records.some((r) => r.outcome === 'inconclusive') ? 'inconclusive' : 'passed';
}

/** The records with the engine of their deciding attempt and every attempt. */
function annotated(records: readonly TestRecord[], attempts: readonly AttemptRecord[]): TestRecord[] {
  const last = attempts.at(-1);
  return records.map((r) => ({ ...r, ...(last ? { engine: last.engine } : {}), attempts: attempts.map((a) => ({ ...a })) }));
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n')[0];
}

function readBlob(file: string): TestRecord[] | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) && parsed.length > 0 ? (parsed as TestRecord[]) : null;
  } catch {
    return null;
  }
}

function writeBlob(file: string, records: readonly TestRecord[]): void {
  writeFileAtomicSync(file, `${JSON.stringify(records, null, 2)}\n`);
}

/** An execution's record made by the pool: the worker left none, or it never got an engine. */
function harnessRecord(task: Task, fault: HarnessFault): TestRecord {
  return {
    title: task.entry.title,
    fullTitle: task.entry.fullTitle,
    path: [task.entry.fullTitle.slice(0, task.entry.fullTitle.length - task.entry.title.length).trim()],
    file: task.entry.file,
    outcome: 'inconclusive',
    durationMs: 0,
    repeat: task.repeat,
    seed: null,
    error: { message: `${INCONCLUSIVE_PREFIX}${fault.cause}`, stack: null },
    evidence: null,
    harnessFault: fault,
  };
}

/** A worker that died without writing its record: the harness's failure, not the site's. */
function lostRecord(task: Task, end: { exitCode?: number | undefined; signal?: string | undefined }, log: string): TestRecord {
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.exitCode ?? '?'}`;
  return harnessRecord(task, {
    part: 'worker',
    cause: `the worker running this test ${how} before it wrote the test's record; see ${log}`,
  });
}

function noEngineRecord(task: Task, reason: string | null): TestRecord {
  return harnessRecord(task, { part: 'engine', cause: reason ?? 'no engine could run it' });
}
