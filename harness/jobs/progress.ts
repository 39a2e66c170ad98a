// Progress of a long run on the terminal: every running scenario with its phase (starting, steady, fault injected,
// waiting for X, at the latest in T) and elapsed time against its estimate, and the whole run's ETA. A terminal gets a
// live view redrawn in place; CI logs get one plain line per change.

import logUpdate from 'log-update';
import { formatLongDurationMs } from '../core/format.js';
import type { Task } from './plan.js';

interface Running {
  task: Task;
  startedMs: number;
  phase: string;
}

export class Progress {
  readonly #running = new Map<string, Running>();
  readonly #startedMs = performance.now();
  #done = 0;
  #failed = 0;
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

  started(task: Task): void {
    this.#running.set(task.id, { task, startedMs: performance.now(), phase: 'starting' });
    this.#changed(task.id);
  }

  phase(task: Task, phase: string): void {
    const running = this.#running.get(task.id);
    if (!running) return;
    running.phase = phase;
    this.#changed(task.id);
  }

  finished(task: Task, failed: boolean): void {
    this.#running.delete(task.id);
    this.#done += 1;
    if (failed) this.#failed += 1;
    this.#remainingMs -= task.estimateMs;
    if (!this.live)
      this.write(
        `[${this.#done}/${this.tasks.length}] ${failed ? 'FAILED' : 'passed'}  ${label(task)}  (ETA ${formatLongDurationMs(this.#eta())})`,
      );
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
        `  ${label(r.task)}: ${r.phase}  (${formatLongDurationMs(performance.now() - r.startedMs)} of ~${formatLongDurationMs(r.task.estimateMs)})`,
      );
  }

  #draw(): void {
    const now = performance.now();
    const lines = [
      `cmsha  ${this.#done}/${this.tasks.length} done${this.#failed ? `, ${this.#failed} failed` : ''}  ·  ${this.#running.size} running  ·  ${formatLongDurationMs(now - this.#startedMs)} elapsed, ETA ${formatLongDurationMs(this.#eta())}`,
      ...[...this.#running.values()].map(
        (r) =>
          `  ${label(r.task).slice(0, 90).padEnd(90)}  ${formatLongDurationMs(now - r.startedMs).padStart(10)} / ~${formatLongDurationMs(r.task.estimateMs)}\n      ${r.phase}`,
      ),
    ];
    logUpdate(lines.join('\n'));
  }
}

function label(task: Task): string {
  return `${task.entry.meta.family} › ${task.entry.title}${task.repeat > 0 ? ` #${task.repeat + 1}` : ''}`;
}
