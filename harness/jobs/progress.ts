// Progress of a long run on the terminal: every running scenario with its phase (starting, steady, fault injected,
// waiting for X, at the latest in T), its engine when there are several, and elapsed time against its estimate; the
// re-runs and drained engines; the whole run's ETA. A terminal gets a live view redrawn in place; CI logs get one plain
// line per change.

import logUpdate from 'log-update';
import { formatLongDurationMs } from '../core/format.js';
import type { Task } from './plan.js';

interface Running {
  task: Task;
  startedMs: number;
  phase: string;
  /** Where it runs, shown when the run has several engines, and why it runs again if it does. */
  engine: string | null;
  rerun: string | null;
}

export class Progress {
  readonly #running = new Map<string, Running>();
  readonly #startedMs = performance.now();
  #done = 0;
  #failed = 0;
  #inconclusive = 0;
  readonly #drained: string[] = [];
  #remainingMs: number;
  readonly #timer: NodeJS.Timeout | null;

  constructor(
    private readonly tasks: readonly Task[],
    private readonly parallel: number,
    private readonly live = process.stderr.isTTY === true && process.env['CI'] === undefined,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.#remainingMs = tasks.reduce((sum, t) => sum + t.estimateMs, 0);
    this.#timer = live ? setInterval(() => this.#draw(), 500) : null;
    this.#timer?.unref();
    if (!live) this.write(`cmsha: ${tasks.length} execution(s), ${parallel} at a time, about ${formatLongDurationMs(this.#eta())}`);
  }

  started(task: Task, engine: string | null = null, rerun: string | null = null): void {
    this.#running.set(task.id, {
      task,
      startedMs: performance.now(),
      phase: rerun ? `starting again: ${rerun}` : 'starting',
      engine,
      rerun,
    });
    this.#changed(task.id);
  }

  /** An attempt is over and the execution waits to run again (moved off a drained engine, or retried). */
  requeued(task: Task, why: string): void {
    this.#running.delete(task.id);
    if (!this.live) this.write(`  ${label(task)}: runs again (${why})`);
    else this.#draw();
  }

  /** An engine takes no more work. */
  drained(engine: string, reason: string): void {
    this.#drained.push(`${engine}: ${reason}`);
    if (!this.live) this.write(`cmsha: engine ${engine} drained: ${reason}`);
    else this.#draw();
  }

  phase(task: Task, phase: string): void {
    const running = this.#running.get(task.id);
    if (!running) return;
    running.phase = phase;
    this.#changed(task.id);
  }

  finished(task: Task, outcome: 'passed' | 'failed' | 'inconclusive'): void {
    this.#running.delete(task.id);
    this.#done += 1;
    if (outcome === 'failed') this.#failed += 1;
    if (outcome === 'inconclusive') this.#inconclusive += 1;
    this.#remainingMs -= task.estimateMs;
    const word = { passed: 'passed', failed: 'FAILED', inconclusive: 'INCONCLUSIVE (harness)' }[outcome];
    if (!this.live) this.write(`[${this.#done}/${this.tasks.length}] ${word}  ${label(task)}  (ETA ${formatLongDurationMs(this.#eta())})`);
    else this.#draw();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.live) logUpdate.done();
  }

  /** The work left spread over the lanes, but never less than the longest scenario still running. */
  #eta(): number {
    const now = performance.now();
    const runningLeft = [...this.#running.values()].map((r) => Math.max(0, r.task.estimateMs - (now - r.startedMs)));
    return Math.max(this.#remainingMs / Math.max(1, this.parallel), ...runningLeft, 0);
  }

  #changed(id: string): void {
    if (this.live) return this.#draw();
    const r = this.#running.get(id);
    if (r)
      this.write(
        `  ${label(r.task)}${where(r)}: ${r.phase}  (${formatLongDurationMs(performance.now() - r.startedMs)} of ~${formatLongDurationMs(r.task.estimateMs)})`,
      );
  }

  #draw(): void {
    const now = performance.now();
    const lines = [
      `cmsha  ${this.#done}/${this.tasks.length} done${this.#failed ? `, ${this.#failed} failed` : ''}${this.#inconclusive ? `, ${this.#inconclusive} inconclusive (harness)` : ''}  ·  ${this.#running.size} running  ·  ${formatLongDurationMs(now - this.#startedMs)} elapsed, ETA ${formatLongDurationMs(this.#eta())}`,
      ...this.#drained.map((d) => `  drained ${d}`),
      ...[...this.#running.values()].map(
        (r) =>
          `  ${label(r.task).slice(0, 90).padEnd(90)}  ${formatLongDurationMs(now - r.startedMs).padStart(10)} / ~${formatLongDurationMs(r.task.estimateMs)}\n      ${r.phase}${where(r)}`,
      ),
    ];
    logUpdate(lines.join('\n'));
  }
}

function where(r: Running): string {
  return r.engine === null ? '' : ` [${r.engine}]`;
}

function label(task: Task): string {
  return `${task.entry.meta.family} › ${task.entry.title}${task.repeat > 0 ? ` #${task.repeat + 1}` : ''}`;
}
