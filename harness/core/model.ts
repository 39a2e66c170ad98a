// The run record: what a run writes to run.json and what index.html and junit.xml are rendered from.
// Suites attach a TestEvidence to their mocha test; the reporter adds the outcome and writes the RunRecord.

import type { LinkName, MonoNs, NodeName, Policy, StandinEvent, Timers } from '../../images/protocol/index.js';

export const RUN_RECORD_SCHEMA = 1;

/** Something the harness itself did or saw, on the same monotonic clock as the stand-ins' events. */
export interface HarnessEvent {
  node: 'harness';
  seq: number;
  atNs: MonoNs;
  type: 'fault-applied' | 'fault-removed' | 'action' | 'unobservable' | 'observable' | 'note';
  /** The node or link the event is about. */
  subject: NodeName | LinkName | null;
  detail: string;
}

export type TimelineEvent = StandinEvent | HarnessEvent;

export type FaultKind =
  'cut' | 'blackhole' | 'latency' | 'bandwidth' | 'reset-peer' | 'slicer' | 'limit-data' | 'kill' | 'stop' | 'pause' | 'isolate';

export interface FaultRecord {
  id: string;
  kind: FaultKind;
  /** A link for link faults, a node for node faults. */
  target: LinkName | NodeName;
  direction: 'upstream' | 'downstream' | 'both' | null;
  attributes: Record<string, number | string | boolean>;
  /** When the request to apply it was sent: the fault takes effect during the request, never before this. */
  appliedNs: MonoNs;
  /** When the engine or Toxiproxy confirmed it (the request returned). */
  confirmedNs?: MonoNs;
  removedNs: MonoNs | null;
}

/** A window computed from the configuration, relative to an anchor instant (usually when a fault was applied). */
export interface ExpectedWindow {
  name: string;
  /** What the window is for, in words: "secondary becomes ACTIVE after the primary is killed". */
  description: string;
  anchorLabel: string;
  anchorNs: MonoNs;
  fromMs: number;
  toMs: number;
  /** How the bounds were derived: "(misses-1)·interval … misses·interval + timeout, ± tolerance". */
  derivation: string;
}

/** A measured instant or duration. */
export interface Measurement {
  name: string;
  description: string;
  /** Duration from the window's anchor (or from `anchorNs`) to `atNs`. */
  valueMs: number;
  anchorNs: MonoNs;
  atNs: MonoNs;
  /** The expected window it was checked against, by name. */
  window: string | null;
  withinWindow: boolean | null;
}

/** One assertion in words, as the report shows it. */
export interface AssertionRecord {
  text: string;
  passed: boolean;
}

/** What a suite attaches to its mocha test (see `attachEvidence`). */
export interface TestEvidence {
  scenario: string;
  startNs: MonoNs;
  endNs: MonoNs | null;
  config: { timeScale: number; timers: Timers; policy: Policy } | null;
  timeline: TimelineEvent[];
  faults: FaultRecord[];
  windows: ExpectedWindow[];
  measurements: Measurement[];
  assertions: AssertionRecord[];
  /** Last lines of each container's log, taken when the test ended. */
  logs: Partial<Record<NodeName | 'toxiproxy', string[]>>;
}

export type Outcome = 'passed' | 'failed' | 'flaky' | 'pending';

export interface TestRecord {
  title: string;
  fullTitle: string;
  /** Titles of the enclosing suites, outermost first. */
  path: string[];
  file: string | null;
  outcome: Outcome;
  durationMs: number;
  /** Attempts it took (more than one only when retries are enabled; then a pass after a failure is flaky). */
  attempts: number;
  error: { message: string; stack: string | null } | null;
  evidence: TestEvidence | null;
}

export interface ImageInfo {
  name: string;
  tag: string;
  id: string | null;
  sizeBytes: number | null;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  runId: string;
  /** Wall-clock ISO time, for people; the timeline uses the monotonic clock. */
  startedAt: string;
  endedAt: string | null;
  /** True when the run was interrupted or crashed before mocha finished. */
  partial: boolean;
  partialReason: string | null;
  timeScale: number;
  environment: {
    node: string;
    platform: string;
    dockerVersion: string | null;
    toxiproxyVersion: string | null;
    images: ImageInfo[];
  };
  stats: { passed: number; failed: number; flaky: number; pending: number; durationMs: number };
  tests: TestRecord[];
}

/** Property of a mocha Test under which a suite leaves its evidence for the reporter. */
export const EVIDENCE_KEY = 'cmshaEvidence';
