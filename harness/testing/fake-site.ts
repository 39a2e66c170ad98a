// Test support for the expectations: a site whose story is written by hand on a synthetic timeline (instants in the
// past, so nothing waits), what a failing expectation said, and the start of a sunny day.

import { AssertionError, expect } from 'chai';
import type { NodeName, StandinEvent } from '../../images/protocol/index.js';
import { msToNs, nowNs, toMonoNs, toNs } from '../core/clock.js';
import type { FaultKind, FaultRecord } from '../core/model.js';
import { DEFAULT_SITE, scaleSite, withSite, type ScaledSite } from '../core/site-config.js';
import type { HealAnchor } from '../check/windows.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { Evidence } from '../observe/evidence.js';
import { EventMaker } from './events.js';
import { nsOf, Timeline } from '../observe/timeline.js';
import type { ObservedSite } from '../expect/context.js';

/** A site whose story is written by hand: events at ms after a base a minute in the past. */
export class FakeSite implements ObservedSite {
  readonly base = nowNs() - msToNs(60_000);
  readonly timeline = new Timeline();
  readonly evidence: Evidence;
  readonly scaled: ScaledSite;
  injected: FaultRecord[] = [];
  lastHeal: HealAnchor | null = null;
  lastOperator: ObservedSite['lastOperator'] = null;
  /** The latest instant the expectations said the site reached. */
  reachedNs: bigint | null = null;
  /** The checks left for the end of the scenario (see runEnd). */
  readonly endChecks: Array<() => Promise<void>> = [];
  readonly make = new EventMaker();

  constructor(change: Parameters<typeof withSite>[1] = {}) {
    this.scaled = scaleSite(withSite(DEFAULT_SITE, change), 0.05);
    this.evidence = new Evidence('test', null, { timeline: this.timeline, startNs: this.base });
  }

  reached(ns: bigint): void {
    if (this.reachedNs === null || ns > this.reachedNs) this.reachedNs = ns;
  }

  at(ms: number): bigint {
    return this.base + msToNs(ms);
  }

  /** Adds stand-in events made by EventMaker, moved onto this site's base. */
  add(...events: StandinEvent[]): this {
    const shift = this.base - 10_000_000_000_000n;
    this.timeline.add(events.map((e) => ({ ...e, atNs: (nsOf(e) + shift).toString() })));
    return this;
  }

  /** A fault record applied at `ms` (its request took 5 ms). */
  record(kind: FaultKind, target: string, ms: number): FaultRecord {
    return {
      id: `${kind}-${target}-${ms}`,
      kind,
      target: target as NodeName,
      direction: null,
      attributes: {},
      appliedNs: toMonoNs(this.at(ms)),
      confirmedNs: toMonoNs(this.at(ms + 5)),
      removedNs: null,
      healedNs: null,
    };
  }

  /** A handle of a recorded fault, as a scenario names it in `from` (it cannot be healed here). */
  handle(record: FaultRecord): FaultHandle {
    return { record, appliedNs: toNs(record.appliedNs), remove: async () => toNs(record.appliedNs) };
  }

  /** The scenario's injection: one fault at `ms`. */
  fault(kind: FaultKind, target: string, ms: number): this {
    this.injected = [this.record(kind, target, ms)];
    return this;
  }

  /**
   * The secondary beats every 1000 ms from 0; beats before `downMs` are answered, the others missed at once. A beat
   * in `late` goes out that many ms after its slot, as a timer firing late does; the grid stays.
   */
  beats(downMs: number, count: number, missAfterMs = 1, late: Record<number, number> = {}): this {
    let misses = 0;
    for (let beat = 1; beat <= count; beat += 1) {
      const lateMs = late[beat] ?? 0;
      const sentMs = (beat - 1) * 1000 + lateMs;
      this.add({ ...this.make.heartbeat('cms-secondary', sentMs, 'sent', beat, misses), lateMs } as StandinEvent);
      if (sentMs < downMs) this.add(this.make.heartbeat('cms-secondary', sentMs + 1, 'answered', beat, 0));
      else this.add(this.make.heartbeat('cms-secondary', sentMs + missAfterMs, 'missed', beat, ++misses));
    }
    return this;
  }

  /** The primary ACTIVE and the secondary STANDBY from before the story starts. */
  sunnyDay(): this {
    return this.add(this.make.role('cms-primary', -5000, 'ACTIVE'), this.make.role('cms-secondary', -5000, 'STANDBY'));
  }

  atEnd(check: () => Promise<void>): void {
    this.endChecks.push(check);
  }

  /** Runs the checks left for the end of the scenario, as the scenario form does before the site is removed. */
  async runEnd(): Promise<void> {
    for (const check of this.endChecks.splice(0)) await check();
  }

  async flush(): Promise<void> {}
  note(): void {}
  adminView(): never {
    throw new Error('no administration view in a unit test');
  }

  status(): never {
    throw new Error('no status in a unit test');
  }
}

/** The message an expectation failed with (an AssertionError); fails the test when it held. */
export async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    expect(error).to.be.instanceOf(AssertionError);
    return (error as Error).message;
  }
  throw new Error('the expectation held');
}
