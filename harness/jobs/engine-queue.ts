// One queue of executions for a pool of Docker engines: which execution starts on which engine, where a drained
// engine's work goes, and when a harness fault earns a second attempt. Pure: the caller runs things and reports.

import { HarnessError } from '../core/errors.js';

/**
 * How an attempt ends. `inconclusive` is the harness's fault (the engine, Toxiproxy, the observer or the host
 * failed): it says nothing about the site, so it is retried and never counted as a failure.
 */
export type Outcome = 'passed' | 'failed' | 'inconclusive';

export interface EngineSpec {
  /** Unique in the run, e.g. the engine's URL ("tcp://10.0.0.5:2376"); a drained engine's id is never reused. */
  id: string;
  /** Sites it runs at once: a whole number ≥ 1. */
  capacity: number;
}

export interface ExecutionSpec {
  /** Unique in the run, e.g. a task's "<index>-r<repeat>". */
  id: string;
  /** What it is expected to take, ≥ 0: the order depends on it, verdicts never do. */
  estimateMs: number;
}

export interface Attempt {
  engine: string;
  /** 1-based; the caller quotes it back in its report, so a late word from a drained engine is told apart. */
  attempt: number;
  /** Why this attempt is a re-run ("moved from engine X: <reason>", "retried after inconclusive on engine X: ..."); null for the first. */
  rerun: string | null;
  /** `moved` when its engine was drained before it ended; null while it runs. */
  outcome: Outcome | 'moved' | null;
  reason: string | null;
}

/** Start `execution` on `engine` now. */
export interface Dispatch {
  execution: string;
  engine: string;
  attempt: number;
  rerun: string | null;
}

/** An execution's one final verdict, with every attempt that led to it. */
export interface Verdict {
  execution: string;
  outcome: Outcome;
  reason: string | null;
  attempts: readonly Attempt[];
}

/** What the caller saw an attempt end in. */
export interface Report {
  execution: string;
  attempt: number;
  outcome: Outcome;
  /** Why, for a failure or a harness fault; shown in the verdict and in the re-run's note. */
  reason?: string;
}

/** The answer to every event: what to start now, what became final, and whether everything is. */
export interface Step {
  dispatched: Dispatch[];
  finished: Verdict[];
  done: boolean;
  /** Set when a report was not taken, saying why (it came from an attempt already moved off a drained engine). */
  ignored?: string;
}

export interface EngineState {
  id: string;
  capacity: number;
  /** Executions running on it, in the order they started. */
  running: string[];
  /** Why it was drained; null while it takes work. */
  drained: string | null;
}

/**
 * Attempts ending inconclusive after which an execution ends inconclusive: one retry. A second fault in a row is
 * more likely the harness than chance, and a third attempt would only spend engine time on it.
 */
const INCONCLUSIVE_ATTEMPTS = 2;

interface Execution {
  spec: ExecutionSpec;
  attempts: Attempt[];
  /** The note the next attempt carries. */
  rerun: string | null;
  /** Engines on which it ended inconclusive: a retry goes elsewhere while another engine is left. */
  faulted: Set<string>;
  verdict: Verdict | null;
}

interface Engine {
  spec: EngineSpec;
  running: string[];
  drained: string | null;
}

/**
 * The scheduler. Feed it events (`start`, `addEngine`, `report`, `drain`); each answers with a `Step`. The same
 * events in the same order give the same dispatches: nothing in it reads a clock or draws a random number.
 *
 * - Order: longest estimate first, then id (code-unit order), so the longest scenario does not start last and stretch
 *   the run. Re-queued executions take their place in that order again.
 * - Engine: among those with a free slot (and not excluded below), the least loaded (running ÷ capacity), then the one
 *   with more free slots, then the one added first. Spreading sites keeps each host's CPU least contended, and the
 *   harness measures timings that a busy host stretches.
 * - Drain: the engine takes nothing more; its running attempts end `moved` and go back to the queue, for another
 *   engine. A move is the engine's fault, not the execution's, so it does not spend the retry; each drain removes an
 *   engine for good, so moves are bounded. When every engine is drained, what is left ends `inconclusive`.
 * - Inconclusive: retried once, on an engine it has not faulted on while any such engine is not drained (it waits for
 *   one to free up rather than go back); when the only engines left are ones it faulted on, on one of those, noted as
 *   such. Inconclusive twice ends inconclusive. `failed` and `passed` are final at once.
 */
export class EngineQueue {
  readonly #executions = new Map<string, Execution>();
  /** In the order added: the last tie-break. */
  readonly #engines = new Map<string, Engine>();
  /** Ids of executions waiting for an engine, in dispatch order. */
  #queue: string[] = [];
  #started = false;
  #final = 0;

  constructor(executions: readonly ExecutionSpec[], engines: readonly EngineSpec[] = []) {
    executions.forEach((spec, index) => {
      if (typeof spec.id !== 'string' || spec.id === '')
        throw new HarnessError('BAD_INPUT', `Execution ${index} has no id: give each execution a unique, non-empty id.`, {
          details: { option: 'id', value: spec.id },
        });
      if (this.#executions.has(spec.id))
        throw new HarnessError('BAD_INPUT', `Execution id "${spec.id}" is given twice: each execution needs its own id.`, {
          details: { option: 'id', value: spec.id },
        });
      if (!Number.isFinite(spec.estimateMs) || spec.estimateMs < 0)
        throw new HarnessError('BAD_INPUT', `Execution "${spec.id}" has estimateMs ${spec.estimateMs}: give a finite number of ms ≥ 0.`, {
          details: { option: 'estimateMs', value: spec.estimateMs },
        });
      this.#executions.set(spec.id, { spec: { ...spec }, attempts: [], rerun: null, faulted: new Set(), verdict: null });
    });
    this.#queue = [...this.#executions.keys()].sort(this.#longestFirst);
    for (const engine of engines) this.#add(engine);
  }

  /** True once every execution has its final verdict. */
  get done(): boolean {
    return this.#final === this.#executions.size;
  }

  /** Dispatches the first wave over the engines added so far; nothing starts before, so the first wave is spread. */
  start(): Step {
    if (this.#started) throw new HarnessError('BAD_INPUT', 'The engine queue was started twice: call start() once.');
    if (this.#engines.size === 0)
      throw new HarnessError('BAD_INPUT', 'The engine queue has no engine to start on: add at least one engine before start().');
    this.#started = true;
    return this.#step([]);
  }

  /** An engine joins the pool; once started, it takes work at once. */
  addEngine(engine: EngineSpec): Step {
    this.#add(engine);
    return this.#step([]);
  }

  /**
   * The engine takes no new work and its running attempts go to other engines. Draining it again changes nothing. A
   * caller that later hears from one of its attempts gets `ignored`: that attempt already ended `moved`.
   */
  drain(engineId: string, reason: string): Step {
    const engine = this.#engine(engineId);
    if (engine.drained !== null) return this.#step([]);
    engine.drained = reason;
    for (const id of engine.running) {
      const execution = this.#executions.get(id)!;
      const attempt = execution.attempts.at(-1)!;
      attempt.outcome = 'moved';
      attempt.reason = `engine ${engineId} was drained: ${reason}`;
      execution.rerun = `moved from engine ${engineId}: ${reason}`;
      this.#enqueue(id);
    }
    engine.running = [];
    return this.#step([]);
  }

  /** An attempt ended. A report quoting an attempt that is not running, and was not moved, is the caller's mistake. */
  report(report: Report): Step {
    const execution = this.#executions.get(report.execution);
    if (!execution)
      throw new HarnessError(
        'BAD_INPUT',
        `Report for execution "${report.execution}", which is not in the queue: report only dispatched executions.`,
        {
          details: { option: 'execution', value: report.execution },
        },
      );
    const attempt = execution.attempts[report.attempt - 1];
    if (!attempt || attempt.outcome !== null) {
      if (attempt?.outcome === 'moved') {
        const ignored = `Attempt ${report.attempt} of "${report.execution}" ended when ${attempt.reason}; its ${report.outcome} does not count: the execution runs again elsewhere.`;
        return { ...this.#step([]), ignored };
      }
      throw new HarnessError(
        'BAD_INPUT',
        `Report for attempt ${report.attempt} of "${report.execution}", which is ${attempt ? `already reported (${attempt.outcome})` : 'not dispatched'}: report each dispatched attempt once.`,
        { details: { option: 'attempt', value: report.attempt } },
      );
    }
    attempt.outcome = report.outcome;
    attempt.reason = report.reason ?? null;
    const engine = this.#engines.get(attempt.engine)!;
    engine.running = engine.running.filter((id) => id !== report.execution);
    const faults = execution.attempts.filter((a) => a.outcome === 'inconclusive');
    if (report.outcome === 'inconclusive' && faults.length < INCONCLUSIVE_ATTEMPTS) {
      execution.faulted.add(attempt.engine);
      execution.rerun = `retried after inconclusive on engine ${attempt.engine}: ${attempt.reason ?? 'no reason given'}`;
      this.#enqueue(report.execution);
      return this.#step([]);
    }
    const reason =
      report.outcome === 'inconclusive'
        ? `inconclusive ${faults.length} times: ${faults.map((a) => `on ${a.engine} (${a.reason ?? 'no reason given'})`).join(', then ')}`
        : attempt.reason;
    return this.#step([this.#finish(execution, report.outcome, reason)]);
  }

  /** The final verdicts so far, in the order the executions were given. */
  verdicts(): Verdict[] {
    return [...this.#executions.values()].flatMap((e) => (e.verdict ? [e.verdict] : []));
  }

  /** Every engine, in the order added. */
  engines(): EngineState[] {
    return [...this.#engines.values()].map((e) => ({
      id: e.spec.id,
      capacity: e.spec.capacity,
      running: [...e.running],
      drained: e.drained,
    }));
  }

  /** Every attempt of one execution so far, the running one last. */
  attempts(executionId: string): readonly Attempt[] {
    const execution = this.#executions.get(executionId);
    if (!execution)
      throw new HarnessError('BAD_INPUT', `No execution "${executionId}" in the queue.`, {
        details: { option: 'execution', value: executionId },
      });
    return execution.attempts.map((a) => ({ ...a }));
  }

  #add(spec: EngineSpec): void {
    if (typeof spec.id !== 'string' || spec.id === '')
      throw new HarnessError('BAD_INPUT', 'An engine has no id: give each engine a unique id, e.g. its URL.', {
        details: { option: 'id', value: spec.id },
      });
    if (this.#engines.has(spec.id))
      throw new HarnessError('BAD_INPUT', `Engine "${spec.id}" is added twice: an engine that comes back after a drain needs a new id.`, {
        details: { option: 'id', value: spec.id },
      });
    if (!Number.isInteger(spec.capacity) || spec.capacity < 1)
      throw new HarnessError('BAD_INPUT', `Engine "${spec.id}" has capacity ${spec.capacity}: give a whole number of sites ≥ 1.`, {
        details: { option: 'capacity', value: spec.capacity },
      });
    this.#engines.set(spec.id, { spec: { ...spec }, running: [], drained: null });
  }

  #engine(id: string): Engine {
    const engine = this.#engines.get(id);
    if (!engine)
      throw new HarnessError(
        'BAD_INPUT',
        `No engine "${id}" in the pool: drain one of ${[...this.#engines.keys()].join(', ') || 'none'}.`,
        {
          details: { option: 'engine', value: id },
        },
      );
    return engine;
  }

  readonly #longestFirst = (a: string, b: string): number =>
    this.#executions.get(b)!.spec.estimateMs - this.#executions.get(a)!.spec.estimateMs || (a < b ? -1 : a > b ? 1 : 0);

  #enqueue(id: string): void {
    this.#queue.push(id);
    this.#queue.sort(this.#longestFirst);
  }

  #finish(execution: Execution, outcome: Outcome, reason: string | null): Verdict {
    execution.verdict = { execution: execution.spec.id, outcome, reason, attempts: execution.attempts.map((a) => ({ ...a })) };
    this.#final += 1;
    return execution.verdict;
  }

  /** After every event: start what can start; with no engine left, end what is left. */
  #step(finished: Verdict[]): Step {
    const dispatched: Dispatch[] = [];
    if (this.#started) {
      dispatched.push(...this.#dispatch());
      const live = [...this.#engines.values()].filter((e) => e.drained === null);
      if (live.length === 0 && this.#queue.length > 0) {
        const why = [...this.#engines.values()].map((e) => `${e.spec.id}: ${e.drained}`).join('; ');
        for (const id of this.#queue)
          finished.push(
            this.#finish(this.#executions.get(id)!, 'inconclusive', `no engine left to run it: every engine was drained (${why})`),
          );
        this.#queue = [];
      }
    }
    return { dispatched, finished, done: this.done };
  }

  /** One pass suffices: an execution skipped for want of a free engine finds none after later ones take slots. */
  #dispatch(): Dispatch[] {
    const dispatched: Dispatch[] = [];
    for (const id of [...this.#queue]) {
      const execution = this.#executions.get(id)!;
      const engine = this.#pick(execution);
      if (!engine) continue;
      const again = execution.faulted.has(engine.spec.id);
      const rerun =
        execution.rerun === null ? null : again ? `${execution.rerun}; on ${engine.spec.id} again, the only engine left` : execution.rerun;
      const attempt: Attempt = { engine: engine.spec.id, attempt: execution.attempts.length + 1, rerun, outcome: null, reason: null };
      execution.attempts.push(attempt);
      engine.running.push(id);
      this.#queue = this.#queue.filter((q) => q !== id);
      dispatched.push({ execution: id, engine: engine.spec.id, attempt: attempt.attempt, rerun });
    }
    return dispatched;
  }

  #pick(execution: Execution): Engine | undefined {
    const live = [...this.#engines.values()].filter((e) => e.drained === null);
    const elsewhere = live.filter((e) => !execution.faulted.has(e.spec.id));
    const candidates = (elsewhere.length > 0 ? elsewhere : live).filter((e) => e.running.length < e.spec.capacity);
    let best: Engine | undefined;
    for (const engine of candidates) if (best === undefined || lessLoaded(engine, best)) best = engine;
    return best;
  }
}

/** Strictly less loaded than `than`, compared without division so equal loads tie exactly; then more free slots. */
function lessLoaded(engine: Engine, than: Engine): boolean {
  const load = engine.running.length * than.spec.capacity - than.running.length * engine.spec.capacity;
  if (load !== 0) return load < 0;
  return engine.spec.capacity - engine.running.length > than.spec.capacity - than.running.length;
}

export interface SimulatedExecution {
  id: string;
  /** How long it takes when it runs, ≥ 0. */
  durationMs: number;
  /** What the scheduler is told it takes; its duration when not given (a perfect estimate). */
  estimateMs?: number;
}

export interface SimulationOptions {
  /** Equal engines, named "engine-1"…: a whole number ≥ 1. */
  engines: number;
  /** Sites each runs at once; default 1. */
  capacity?: number;
}

export interface TimelineEntry {
  execution: string;
  startMs: number;
  endMs: number;
}

export interface EngineTimeline {
  engine: string;
  /** What it ran, in the order started. */
  entries: TimelineEntry[];
  /** Sum of its executions' durations (site-time, so up to capacity × makespan). */
  busyMs: number;
}

export interface Simulation {
  /** When the last execution ends, from 0. */
  makespanMs: number;
  engines: EngineTimeline[];
}

/**
 * A run on paper: the scheduler itself dispatches, every attempt passes, and a virtual clock jumps to the next
 * completion. For sizing a pool before anyone starts a Docker engine.
 */
export function simulate(executions: readonly SimulatedExecution[], options: SimulationOptions): Simulation {
  if (!Number.isInteger(options.engines) || options.engines < 1)
    throw new HarnessError('BAD_INPUT', `simulate() was given ${options.engines} engines: give a whole number ≥ 1.`, {
      details: { option: 'engines', value: options.engines },
    });
  for (const e of executions)
    if (!Number.isFinite(e.durationMs) || e.durationMs < 0)
      throw new HarnessError('BAD_INPUT', `Execution "${e.id}" has durationMs ${e.durationMs}: give a finite number of ms ≥ 0.`, {
        details: { option: 'durationMs', value: e.durationMs },
      });
  const ids = Array.from({ length: options.engines }, (_, i) => `engine-${i + 1}`);
  const queue = new EngineQueue(
    executions.map((e) => ({ id: e.id, estimateMs: e.estimateMs ?? e.durationMs })),
    ids.map((id) => ({ id, capacity: options.capacity ?? 1 })),
  );
  const durations = new Map(executions.map((e) => [e.id, e.durationMs]));
  const timelines = new Map(ids.map((id) => [id, [] as TimelineEntry[]]));
  const running: Array<{ dispatch: Dispatch; endMs: number }> = [];
  let nowMs = 0;
  const begin = (step: Step) => {
    for (const dispatch of step.dispatched) {
      const endMs = nowMs + durations.get(dispatch.execution)!;
      running.push({ dispatch, endMs });
      timelines.get(dispatch.engine)!.push({ execution: dispatch.execution, startMs: nowMs, endMs });
    }
  };
  begin(queue.start());
  while (running.length > 0) {
    // At a tie, the one started first ends first, so the same inputs always replay the same way.
    let next = 0;
    running.forEach((r, i) => {
      if (r.endMs < running[next]!.endMs) next = i;
    });
    const [ended] = running.splice(next, 1);
    nowMs = ended!.endMs;
    begin(queue.report({ execution: ended!.dispatch.execution, attempt: ended!.dispatch.attempt, outcome: 'passed' }));
  }
  return {
    makespanMs: nowMs,
    engines: ids.map((engine) => {
      const entries = timelines.get(engine)!;
      return { engine, entries, busyMs: entries.reduce((sum, e) => sum + e.endMs - e.startMs, 0) };
    }),
  };
}
