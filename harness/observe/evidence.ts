// What one test leaves for the report: its timeline, the site it ran, when its faults were injected, the faults,
// expected windows, measurements, assertions in words, its end state and the containers' last log lines.

import type { NodeName } from '../../images/protocol/index.js';
import { nowNs, toMonoNs, toNs, type Instant } from '../core/clock.js';
import { HarnessError } from '../core/errors.js';
import {
  EVIDENCE_KEY,
  type ActionRecord,
  type AssertionRecord,
  type EndState,
  type FaultRecord,
  type Injection,
  type Measurement,
  type TestEvidence,
  type TimedStep,
  type Window,
} from '../core/model.js';
import type { StandinOverrides } from '../core/run-context.js';
import type { SiteConfig } from '../core/site-config.js';
import { Timeline } from './timeline.js';

/**
 * Builds one test's TestEvidence while the test runs. Faults are put on the timeline as harness events when they are
 * applied and healed, so the report draws them where they happened.
 */
export class Evidence {
  readonly scenario: string;
  readonly timeline: Timeline;
  readonly startNs: bigint;
  #endNs: bigint | null = null;
  readonly #site: { site: SiteConfig; timeScale: number; overrides: StandinOverrides | null } | null;
  #injection: Injection | null = null;
  readonly #steps: TimedStep[] = [];
  readonly #actions: ActionRecord[] = [];
  #schedule: TestEvidence['schedule'] = undefined;
  readonly #nodes: NonNullable<TestEvidence['nodes']> = {};
  #invariants: TestEvidence['invariants'] = undefined;
  readonly #atFinish: Array<() => void> = [];
  readonly #faults: FaultRecord[] = [];
  readonly #windows: Window[] = [];
  readonly #measurements: Measurement[] = [];
  readonly #assertions: AssertionRecord[] = [];
  #endState: EndState | null = null;
  readonly #logs: TestEvidence['logs'] = {};

  constructor(
    scenario: string,
    site: { site: SiteConfig; timeScale: number; overrides: StandinOverrides | null } | null,
    options: { timeline?: Timeline; startNs?: Instant } = {},
  ) {
    this.scenario = scenario;
    this.#site = site;
    this.startNs = options.startNs === undefined ? nowNs() : toNs(options.startNs);
    this.timeline = options.timeline ?? new Timeline();
  }

  get faults(): readonly FaultRecord[] {
    return this.#faults;
  }

  get injection(): Injection | null {
    return this.#injection;
  }

  get endNs(): bigint | null {
    return this.#endNs;
  }

  setInjection(injection: Injection): void {
    this.#injection = injection;
  }

  /** Records a timed step of the harness after the injection. */
  addStep(step: TimedStep): void {
    this.#steps.push(step);
  }

  /** Records what the operator asked of the site and what came of it. */
  addAction(action: ActionRecord): void {
    this.#actions.push({ ...action });
  }

  get actions(): readonly ActionRecord[] {
    return this.#actions;
  }

  /** Records the image a node's stand-in runs from now and the version it reports. */
  addNodeRun(node: NodeName, run: { image: string; version: string; plants?: string[]; sinceNs: string }): void {
    (this.#nodes[node] ??= []).push(run);
  }

  /** Records the schedule a test ran and how each of its steps was made. */
  setSchedule(schedule: NonNullable<TestEvidence['schedule']>): void {
    this.#schedule = schedule;
  }

  /** Records the invariants' verdicts over the finished timeline. */
  setInvariants(verdicts: NonNullable<TestEvidence['invariants']>): void {
    this.#invariants = verdicts;
  }

  /** Records a fault and puts a `fault-applied` event on the timeline at the instant it was applied. */
  addFault(fault: FaultRecord): void {
    if (this.#faults.some((f) => f.id === fault.id)) {
      throw new HarnessError('BAD_INPUT', `Evidence.addFault: a fault with id "${fault.id}" is already recorded`, {
        details: { id: fault.id },
      });
    }
    this.#faults.push(fault);
    this.timeline.record({ type: 'fault-applied', subject: fault.target, detail: describeFault(fault), atNs: fault.appliedNs });
    if (fault.removedNs !== null) this.faultRemoved(fault);
  }

  /** Puts a `fault-removed` event on the timeline when a recorded fault was healed. */
  faultRemoved(fault: FaultRecord): void {
    if (fault.removedNs === null) return;
    this.timeline.record({
      type: 'fault-removed',
      subject: fault.target,
      detail: `${fault.kind} ${fault.id} healed`,
      atNs: fault.removedNs,
    });
  }

  /** Adds an expected window; a window already recorded under the same name and anchor is replaced. */
  addWindow(window: Window): void {
    const index = this.#windows.findIndex((w) => w.name === window.name && w.anchorNs === window.anchorNs);
    if (index >= 0) this.#windows[index] = { ...window };
    else this.#windows.push({ ...window });
  }

  /** Records a measured instant against a window (recorded too); returns whether it fell inside. */
  measure(window: Window, atNs: Instant, description = window.description): Measurement {
    this.addWindow(window);
    const valueMs = Number(toNs(atNs) - toNs(window.anchorNs)) / 1e6;
    const measurement: Measurement = {
      name: window.name,
      description,
      valueMs,
      anchorNs: window.anchorNs,
      atNs: toMonoNs(atNs),
      window: window.name,
      withinWindow: valueMs >= window.fromMs && valueMs <= window.toMs,
    };
    this.#measurements.push(measurement);
    return measurement;
  }

  /** Records a measured duration with no window to check it against (a dual-active span). */
  addMeasurement(measurement: Measurement): void {
    this.#measurements.push({ ...measurement });
  }

  addAssertion(text: string, passed: boolean): AssertionRecord {
    const record = { text, passed };
    this.#assertions.push(record);
    return record;
  }

  setEndState(state: EndState): void {
    this.#endState = state;
  }

  /** The last lines of a container's log. */
  setLogs(node: NodeName | 'toxiproxy', lines: readonly string[]): void {
    this.#logs[node] = [...lines];
  }

  /** Ends the evidence (idempotent: the first end counts). */
  finish(ns: Instant = nowNs()): void {
    if (this.#endNs !== null) return;
    for (const record of this.#atFinish.splice(0)) record();
    this.#endNs = toNs(ns);
  }

  /** Records something once the test ends, with all it observed by then (a span measured only once it is over). */
  atFinish(record: () => void): void {
    this.#atFinish.push(record);
  }

  toJSON(): TestEvidence {
    return {
      scenario: this.scenario,
      startNs: toMonoNs(this.startNs),
      endNs: this.#endNs === null ? null : toMonoNs(this.#endNs),
      site: this.#site === null ? null : structuredClone(this.#site.site),
      timeScale: this.#site?.timeScale ?? null,
      standinOverrides:
        this.#site?.overrides === null || this.#site === null ? null : (structuredClone(this.#site.overrides) as Record<string, unknown>),
      injection: this.#injection,
      steps: this.#steps.map((step) => ({ ...step })),
      actions: this.#actions.map((a) => ({ ...a })),
      ...(Object.keys(this.#nodes).length > 0 ? { nodes: structuredClone(this.#nodes) } : {}),
      ...(this.#schedule ? { schedule: structuredClone(this.#schedule) } : {}),
      ...(this.#invariants ? { invariants: structuredClone(this.#invariants) } : {}),
      timeline: this.timeline.toJSON(),
      faults: this.#faults.map((f) => ({ ...f, attributes: { ...f.attributes } })),
      windows: this.#windows.map((w) => ({ ...w })),
      measurements: this.#measurements.map((m) => ({ ...m })),
      assertions: this.#assertions.map((a) => ({ ...a })),
      endState: this.#endState,
      logs: Object.fromEntries(Object.entries(this.#logs).map(([k, v]) => [k, [...(v ?? [])]])),
    };
  }

  /**
   * Leaves this evidence on the mocha test for the reporter (`test[EVIDENCE_KEY]`). The property is a getter, so what
   * the reporter reads at the end of the test includes everything recorded after attaching (e.g. in afterEach).
   */
  attachTo(test: Mocha.Runnable | undefined): void {
    if (test === undefined) {
      throw new HarnessError(
        'BAD_INPUT',
        'Evidence.attachTo: no mocha test given; pass this.currentTest in beforeEach or this.test in it()',
      );
    }
    Object.defineProperty(test, EVIDENCE_KEY, { configurable: true, enumerable: false, get: () => this.toJSON() });
  }
}

function describeFault(fault: FaultRecord): string {
  const attributes = Object.entries(fault.attributes)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return [fault.kind, fault.target, fault.direction ?? '', attributes].filter((part) => part !== '').join(' ');
}
