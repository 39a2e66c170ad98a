// What one test leaves for the report: its timeline, faults, expected windows, measurements, assertions in words
// and container logs, built up while the test runs and attached to the mocha test for the reporter.

import type { NodeName, Policy, Timers } from '../../images/protocol/index.js';
import {
  EVIDENCE_KEY,
  type AssertionRecord,
  type ExpectedWindow,
  type FaultRecord,
  type Measurement,
  type TestEvidence,
  type TimelineEvent,
} from '../core/model.js';
import { HarnessError } from '../core/errors.js';
import { nowNs, toMonoNs, toNs, type Instant } from '../core/clock.js';
import { compareEvents, Timeline, type EvidenceRecorder } from './timeline.js';

/** The configuration a test ran with, as the report shows it. */
export type EvidenceConfig = { timeScale: number; timers: Timers; policy: Policy };

export interface EvidenceOptions {
  /** A timeline to hold (e.g. an Observer's). Default: a new one. */
  timeline?: Timeline;
  /** When the test started. Default: now. */
  startNs?: Instant;
  /**
   * Put the whole timeline in the evidence. Default false: a timeline shared by several tests (one Observer per
   * topology) contributes only this test's events, from `startNs` to the end, plus each node's last state events
   * before the start (role, ACD link, ESS state, alarms) so the report knows where the test began.
   */
  fullTimeline?: boolean;
}

/** A window as computed by the pure functions of `harness/expect/windows.ts`. */
export interface WindowBounds {
  fromMs: number;
  toMs: number;
  derivation: string;
}

/**
 * An expected window anchored at an instant: `expectedWindow('primary-down detection', primaryDownDetection(cfg),
 * { anchorNs: t0, anchorLabel: 'cms-primary killed' })`. `description` defaults to the name.
 */
export function expectedWindow(
  name: string,
  bounds: WindowBounds,
  anchor: { anchorNs: Instant; anchorLabel: string; description?: string },
): ExpectedWindow {
  if (!Number.isFinite(bounds.fromMs) || !Number.isFinite(bounds.toMs) || bounds.toMs < bounds.fromMs) {
    throw new HarnessError(
      'BAD_INPUT',
      `expectedWindow(${name}): bounds must be finite with fromMs <= toMs, got ${bounds.fromMs}…${bounds.toMs}`,
      { details: { name, fromMs: bounds.fromMs, toMs: bounds.toMs } },
    );
  }
  return {
    name,
    description: anchor.description ?? name,
    anchorLabel: anchor.anchorLabel,
    anchorNs: toMonoNs(anchor.anchorNs),
    fromMs: bounds.fromMs,
    toMs: bounds.toMs,
    derivation: bounds.derivation,
  };
}

/** Everything a measurement needs; `window` may be the window itself. */
export interface MeasurementInput {
  name: string;
  description: string;
  valueMs: number;
  anchorNs: Instant;
  atNs: Instant;
  window?: ExpectedWindow | string | null;
  withinWindow?: boolean | null;
}

/**
 * Builds one test's TestEvidence. Holds the test's Timeline and registers itself as its recorder, so chai assertions
 * on the timeline (harness/expect) record their measurements and sentences here.
 */
export class Evidence implements EvidenceRecorder {
  readonly scenario: string;
  readonly timeline: Timeline;
  readonly startNs: bigint;
  #endNs: bigint | null = null;
  readonly #config: EvidenceConfig | null;
  readonly #faults: FaultRecord[] = [];
  readonly #windows: ExpectedWindow[] = [];
  readonly #measurements: Measurement[] = [];
  readonly #assertions: AssertionRecord[] = [];
  readonly #logs: TestEvidence['logs'] = {};
  readonly #fullTimeline: boolean;

  constructor(scenario: string, config: EvidenceConfig | null, options: EvidenceOptions = {}) {
    this.scenario = scenario;
    this.#config = config;
    this.startNs = options.startNs === undefined ? nowNs() : toNs(options.startNs);
    this.timeline = options.timeline ?? new Timeline();
    this.timeline.recorder = this;
    this.#fullTimeline = options.fullTimeline ?? false;
  }

  get endNs(): bigint | null {
    return this.#endNs;
  }

  /** Records a fault and puts a `fault-applied` event on the timeline at the instant it was applied. */
  addFault(fault: FaultRecord): void {
    if (this.#faults.some((f) => f.id === fault.id)) {
      throw new HarnessError('BAD_INPUT', `Evidence.addFault: a fault with id "${fault.id}" is already recorded`, {
        details: { id: fault.id },
      });
    }
    this.#faults.push({ ...fault, attributes: { ...fault.attributes } });
    this.timeline.record({ type: 'fault-applied', subject: fault.target, detail: describeFault(fault), atNs: fault.appliedNs });
    if (fault.removedNs !== null) this.#removedEvent(fault, fault.removedNs);
  }

  /** Marks a recorded fault removed at `ns` and puts a `fault-removed` event on the timeline. */
  faultRemoved(id: string, ns: Instant = nowNs()): void {
    const fault = this.#faults.find((f) => f.id === id);
    if (fault === undefined) {
      throw new HarnessError('BAD_INPUT', `Evidence.faultRemoved: no fault with id "${id}" was recorded; call addFault first`, {
        details: { id },
      });
    }
    if (fault.removedNs !== null) return;
    fault.removedNs = toMonoNs(ns);
    this.#removedEvent(fault, fault.removedNs);
  }

  /** Adds an expected window; a window already recorded under the same name is replaced. */
  addWindow(window: ExpectedWindow): void {
    const index = this.#windows.findIndex((w) => w.name === window.name);
    if (index >= 0) this.#windows[index] = { ...window };
    else this.#windows.push({ ...window });
  }

  addMeasurement(input: MeasurementInput | Measurement): Measurement {
    const window = input.window ?? null;
    if (window !== null && typeof window !== 'string') this.addWindow(window);
    const measurement: Measurement = {
      name: input.name,
      description: input.description,
      valueMs: input.valueMs,
      anchorNs: toMonoNs(input.anchorNs),
      atNs: toMonoNs(input.atNs),
      window: window === null ? null : typeof window === 'string' ? window : window.name,
      withinWindow: input.withinWindow ?? null,
    };
    this.#measurements.push(measurement);
    return measurement;
  }

  addAssertion(text: string, passed: boolean): AssertionRecord {
    const record = { text, passed };
    this.#assertions.push(record);
    return record;
  }

  /** The last lines of a container's log. */
  setLogs(node: NodeName | 'toxiproxy', lines: readonly string[]): void {
    this.#logs[node] = [...lines];
  }

  /** Ends the evidence (idempotent: the first end counts). */
  finish(ns: Instant = nowNs()): void {
    if (this.#endNs === null) this.#endNs = toNs(ns);
  }

  get passed(): boolean {
    return this.#assertions.every((a) => a.passed);
  }

  toJSON(): TestEvidence {
    return {
      scenario: this.scenario,
      startNs: toMonoNs(this.startNs),
      endNs: this.#endNs === null ? null : toMonoNs(this.#endNs),
      config: this.#config === null ? null : structuredClone(this.#config),
      timeline: this.#fullTimeline ? this.timeline.toJSON() : this.#ownEvents(),
      faults: this.#faults.map((f) => ({ ...f, attributes: { ...f.attributes } })),
      windows: this.#windows.map((w) => ({ ...w })),
      measurements: this.#measurements.map((m) => ({ ...m })),
      assertions: this.#assertions.map((a) => ({ ...a })),
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

  /** This test's events, preceded by the state each node was in when it started. */
  #ownEvents(): TimelineEvent[] {
    const end = this.#endNs;
    const context = new Map<string, TimelineEvent>();
    const own: TimelineEvent[] = [];
    for (const event of this.timeline.toJSON()) {
      const at = BigInt(event.atNs);
      if (end !== null && at > end) break;
      if (at >= this.startNs) own.push(event);
      else {
        const key = contextKey(event);
        if (key !== null) context.set(key, event);
      }
    }
    return [...[...context.values()].sort(compareEvents), ...own];
  }

  #removedEvent(fault: FaultRecord, ns: Instant): void {
    this.timeline.record({ type: 'fault-removed', subject: fault.target, detail: `${fault.kind} ${fault.id} removed`, atNs: ns });
  }
}

/** Which earlier events still describe a node's state at the start of a test: the last of each key is kept. */
function contextKey(event: TimelineEvent): string | null {
  switch (event.type) {
    case 'role':
    case 'ess':
      return `${event.node}:${event.type}`;
    case 'acd-link':
      return `${event.node}:acd-link:${event.target}`;
    case 'alarm':
      return `${event.node}:alarm:${event.alarm}`;
    case 'unobservable':
    case 'observable':
      return `harness:observability:${event.subject ?? ''}`;
    default:
      return null;
  }
}

function describeFault(fault: FaultRecord): string {
  const attributes = Object.entries(fault.attributes)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return [fault.kind, fault.id, fault.direction ?? '', attributes].filter((part) => part !== '').join(' ');
}
