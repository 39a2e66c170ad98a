// The run model every layer speaks: timeline events, faults, expected windows, measurements, a test's evidence and
// the run record (what run.json holds and the HTML report, JUnit, history and compare are made from).

import type { CmsName, LinkName, MonoNs, NodeName, StandinEvent } from '../../images/protocol/index.js';
import type { Schedule } from './schedule.js';
import type { SiteConfig } from './site-config.js';

export const RUN_RECORD_SCHEMA = 2;

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

/** A timeline event of one type (e.g. `EventOfType<'role'>`). */
export type EventOfType<K extends TimelineEvent['type']> = Extract<TimelineEvent, { type: K }>;

export type FaultKind =
  'cut' | 'blackhole' | 'latency' | 'bandwidth' | 'reset-peer' | 'slicer' | 'limit-data' | 'kill' | 'stop' | 'pause' | 'isolate';

export type FaultDirection = 'upstream' | 'downstream' | 'both';

export interface FaultRecord {
  id: string;
  kind: FaultKind;
  /** A link for link faults, a node for node faults. */
  target: LinkName | NodeName;
  direction: FaultDirection | null;
  attributes: Record<string, number | string | boolean>;
  /** When the request to apply it was sent: the fault takes effect during the request, never before this. */
  appliedNs: MonoNs;
  /** When the engine or Toxiproxy confirmed it (the request returned). */
  confirmedNs: MonoNs;
  /** When the request to heal it was sent; null while it is in force. */
  removedNs: MonoNs | null;
  /** When the heal was in effect (remove() resolved). */
  healedNs: MonoNs | null;
}

/**
 * What starts a window's timing: the fault (an operator's outage budget is counted from there), a protocol event
 * that starts the timing itself (the first unanswered heartbeat, the ESS's own loss of the CM), or the outage
 * budget the site file states.
 */
export type WindowKind = 'protocol' | 'fault' | 'budget';

/** An expected window: where an instant must fall, in ms after its anchor, and how the bounds were derived. */
export interface Window {
  name: string;
  /** What the window is for, in words: "the secondary becomes ACTIVE". */
  description: string;
  kind: WindowKind;
  anchorLabel: string;
  anchorNs: MonoNs;
  fromMs: number;
  toMs: number;
  /** How the bounds were derived, with the numbers: "(3-1)·1000 + 250 = 2250 ms, ±30 ms (scheduling)". */
  derivation: string;
}

/** A measured instant, checked against one window. */
export interface Measurement {
  /** The window's name: the same measurement across repeats and runs (statistics, trends, compare). */
  name: string;
  description: string;
  /** From the window's anchor to `atNs`. */
  valueMs: number;
  anchorNs: MonoNs;
  atNs: MonoNs;
  /** The window checked, by name (null: measured only, e.g. a dual-active span with no bound). */
  window: string | null;
  withinWindow: boolean | null;
}

/** One assertion in words, as the report shows it. */
export interface AssertionRecord {
  text: string;
  passed: boolean;
}

/** When, in which protocol cycle, a scenario's faults were injected: drawn from the run's seed, so it replays. */
export interface Injection {
  /** The cycle the phase is a fraction of. */
  cycle: 'heartbeat';
  /** The fraction of the cycle, 0 <= phase < 1, after the cycle's tick (a heartbeat sent by the secondary). */
  phase: number;
  periodMs: number;
  /** The tick the phase counts from, and the instant the faults (or their heal) were planned for. */
  tickNs: MonoNs;
  plannedNs: MonoNs;
}

/** A step of the harness after the injection, timed at a seeded phase of the heartbeat cycle as the faults are. */
export interface TimedStep extends Injection {
  /** "heal 1: cut heartbeat", "operator 2: set-standby cms-secondary". */
  step: string;
  /** When the harness began it. */
  madeNs: MonoNs;
  /** The latest instant the expectations had seen the site reach; the cycle was counted from it plus a margin. */
  reachedNs: MonoNs | null;
  /**
   * The harness came later than its margin after what the site last did, so the cycle was counted from its arrival:
   * a replay with the seed may choose another cycle.
   */
  late: boolean;
}

/**
 * Something the operator asked of the site (a scenario's or a schedule's step), and what came of it: a STANDBY CMS
 * refuses administration, a CMS refuses a role it already has, the main CM refuses a forced takeover no ESS can hear.
 */
export interface ActionRecord {
  action: 'set-active' | 'set-standby' | 'forced-takeover' | 'admin-change';
  node: NodeName;
  /** When the request was sent: its effect comes during the request. */
  atNs: MonoNs;
  /** When the answer came. */
  doneNs: MonoNs;
  accepted: boolean;
  /** The refusal's reason, or what the site answered. */
  detail: string;
  /** admin-change: the object and its new value, and the number the CMS gave the change within its origin. */
  object?: string;
  value?: string;
  changeSeq?: number;
}

/** How one step of a schedule was made. */
export interface ScheduleStepRecord {
  index: number;
  /** The step in words ("f1: kill cms-primary at phase 0.25"). */
  words: string;
  /** The instant it was planned for (a phase placement), or null (an event placement, a wait). */
  plannedNs: MonoNs | null;
  /** When it was made (the request sent, or the wait over). */
  madeNs: MonoNs;
  /** An event placement: the event seen, or null when it did not come within its bound (made then anyway). */
  event: { name: string; seenNs: MonoNs | null } | null;
  /** made; refused (the site said no: a STANDBY CMS refuses administration); skipped (its fault was not in force). */
  outcome: 'made' | 'refused' | 'skipped';
  detail: string;
}

/** The invariants that hold under any schedule of faults, heals and operator commands (DESIGN §1, I1–I7). */
export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7';

/** One way a finished execution broke an invariant: what, when, and the events that show it. */
export interface InvariantViolation {
  invariant: InvariantId;
  /** What broke, in a few stable words, so two executions that break it the same way are one finding. */
  key: string;
  message: string;
  /** The stretch the verdict depends on: from here to `atNs` (a late timer inside it voids the verdict). */
  fromNs: MonoNs;
  atNs: MonoNs;
  /** The events that break it, in timeline order. */
  events: TimelineEvent[];
  /**
   * Set when a stand-in's timer fired later than the windows allow inside the stretch: the host was overloaded, so
   * this is not a finding about the site (counted apart, as void).
   */
  void: string | null;
}

/** An invariant's verdict over one execution. */
export interface InvariantVerdict {
  invariant: InvariantId;
  name: string;
  violations: InvariantViolation[];
}

/** The observed end state of a test, in words a comparison of two runs can hold side by side. */
export type EndState = Partial<Record<NodeName, string>>;

/** What a scenario test leaves for the report. */
export interface TestEvidence {
  /** Scenario family ("primary-down"). */
  scenario: string;
  startNs: MonoNs;
  endNs: MonoNs | null;
  /** The site the expectations were computed from (real-time values) and the time scale. */
  site: SiteConfig | null;
  timeScale: number | null;
  /** Settings the stand-ins ran with instead, when a wrong site was run on purpose (sensitivity check). */
  standinOverrides: Record<string, unknown> | null;
  injection: Injection | null;
  /** The harness's timed steps after the injection (heals, restarts, operator actions), in order (absent in older runs). */
  steps?: TimedStep[];
  /** What the operator asked of the site and what came of it (absent in older runs). */
  actions?: ActionRecord[];
  /** The invariants I1–I7 as checked over the finished timeline (absent where they were not checked). */
  invariants?: InvariantVerdict[];
  /**
   * What each node's stand-in ran: its image, the version it reported and the defects planted in it (a candidate image
   * built with `cmsha image --plant`), from when (an upgrade adds a row).
   */
  nodes?: Partial<Record<NodeName, Array<{ image: string; version: string; plants?: string[]; sinceNs: MonoNs }>>>;
  /** The schedule the test ran (explore, replay, the scenario form) and how each step was made (absent otherwise). */
  schedule?: { schedule: Schedule; steps: ScheduleStepRecord[] };
  timeline: TimelineEvent[];
  faults: FaultRecord[];
  windows: Window[];
  measurements: Measurement[];
  assertions: AssertionRecord[];
  endState: EndState | null;
  /** Last lines of each container's log, taken when the test ended. */
  logs: Partial<Record<NodeName | 'toxiproxy', string[]>>;
}

/**
 * How an execution, or a scenario over its executions, ended. `inconclusive`: the harness failed (the engine,
 * Toxiproxy, the observer, the host), so the execution says nothing about the site; never counted as a failure.
 */
export type Outcome = 'passed' | 'failed' | 'flaky' | 'pending' | 'inconclusive';

/** The part of the harness whose failure made an execution inconclusive. */
export type HarnessPart = 'engine' | 'toxiproxy' | 'standin' | 'holder' | 'observer' | 'control' | 'start' | 'host' | 'worker';

/** What in the harness failed, in words a reader acts on ("the site's Toxiproxy stopped answering: …"). */
export interface HarnessFault {
  part: HarnessPart;
  cause: string;
}

/** One attempt at an execution: on which engine, why it was a re-run, and how it ended. */
export interface AttemptRecord {
  /** The engine's DOCKER_HOST-style URL. */
  engine: string;
  /** 1-based. */
  attempt: number;
  /** Why this attempt was a re-run ("moved from engine X: …", "retried after inconclusive on engine X: …"); null for the first. */
  rerun: string | null;
  /** `moved`: its engine was drained before it ended, and the execution ran again elsewhere. */
  outcome: 'passed' | 'failed' | 'inconclusive' | 'moved' | null;
  reason: string | null;
}

export interface TestRecord {
  title: string;
  fullTitle: string;
  /** Titles of the enclosing suites, outermost first. */
  path: string[];
  file: string | null;
  outcome: Exclude<Outcome, 'flaky'>;
  durationMs: number;
  /** Which repeat of the run this execution is (0-based). */
  repeat: number;
  /** The seed its fault phase was drawn from. */
  seed: number | null;
  error: { message: string; stack: string | null } | null;
  evidence: TestEvidence | null;
  /** Set when the outcome is inconclusive: what in the harness failed (the error's message begins "inconclusive (harness): "). */
  harnessFault?: HarnessFault;
  /** The engine that ran the deciding attempt (absent in older runs). */
  engine?: string;
  /** Every attempt at this execution, the deciding one last (absent in older runs). */
  attempts?: AttemptRecord[];
}

export interface ImageInfo {
  name: string;
  tag: string;
  id: string | null;
  sizeBytes: number | null;
}

export interface Environment {
  node: string;
  platform: string;
  dockerVersion: string | null;
  toxiproxyVersion: string | null;
  images: ImageInfo[];
}

export interface RunStats {
  /** Scenario tests (titles) whose every execution passed, failed, or both (flaky); and the pending ones. */
  passed: number;
  failed: number;
  flaky: number;
  pending: number;
  /** Scenario tests none of whose executions said anything about the site (absent in older runs). */
  inconclusive?: number;
  /** Executions (tests × repeats). */
  executions: number;
  /** Executions that ended inconclusive (harness), of any scenario (absent in older runs). */
  inconclusiveExecutions?: number;
  durationMs: number;
}

/** An engine of the run's pool: what it was given, and whether it was drained. */
export interface EngineRecord {
  /** A DOCKER_HOST-style URL (unix://, tcp://, ssh://). */
  url: string;
  /** Sites it ran at once. */
  capacity: number;
  /** How the capacity was chosen ("given as #2", "--parallel auto: …", "from its 8 CPUs"). */
  capacityWhy: string;
  dockerVersion: string | null;
  /** Why it was drained from the run, and when (ISO time); null when it took work to the end. */
  drained: { reason: string; at: string } | null;
  /** Attempts it started, moved ones included. */
  attempts: number;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  runId: string;
  /** Wall-clock ISO time, for people; the timeline uses the monotonic clock. */
  startedAt: string;
  endedAt: string | null;
  /** True when the run was interrupted or crashed before it finished. */
  partial: boolean;
  partialReason: string | null;
  timeScale: number;
  seed: number;
  /** How many times each scenario ran (`--repeat`); a test's own `repeat` is its index among them. */
  repeat: number;
  /** Sites at once, over every engine. */
  parallel: number;
  shard: { index: number; count: number } | null;
  /** The engines the run's executions were dealt over (absent in older runs: one engine). */
  engines?: EngineRecord[];
  /** The site file the run used ("default" when none) and its resolved content. */
  siteFile: string;
  site: SiteConfig;
  environment: Environment;
  stats: RunStats;
  tests: TestRecord[];
  /** What the exploration after the catalogue (or `cmsha explore` alone) tried and found (absent when none ran). */
  explored?: ExploreSummary;
}

/** Property of a mocha Test under which a scenario leaves its evidence for the reporter. */
export const EVIDENCE_KEY = 'cmshaEvidence';

export type { CmsName };

/** n, min, p50, p95 and max of one measured timing over the executions of a scenario. */
export interface TimingStats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** One scenario over the executions of a run (its repeats): the outcome, and each timing with its window. */
export interface ScenarioSummary {
  fullTitle: string;
  /** The family ("primary-down"). */
  scenario: string | null;
  outcome: Outcome;
  /** Executions that said something about the site: every one but the inconclusive. */
  executions: number;
  failed: number;
  /** Executions that ended inconclusive (harness), left out of everything else here (absent in older runs). */
  inconclusive?: number;
  /** The median length of one execution (site start to removal). */
  durationMs: number;
  /** Each end state seen, with how many executions ended in it. */
  endStates: Array<{ state: string; count: number }>;
  timings: Array<{
    name: string;
    description: string;
    kind: WindowKind | null;
    stats: TimingStats;
    window: { fromMs: number; toMs: number } | null;
    outside: number;
  }>;
}

/** What the history keeps of a run: enough for each scenario's trend across nights. */
export interface HistoryEntry {
  runId: string;
  startedAt: string;
  timeScale: number;
  siteFile: string;
  seed: number;
  /** How many times each scenario ran. */
  repeat: number;
  partial: boolean;
  stats: RunStats;
  scenarios: ScenarioSummary[];
  /** The night's exploration: executions and the invariant violations it found (absent when none ran). */
  explored?: { executions: number; findings: number; keys: string[] };
}

/** A timing of one scenario in a baseline and a candidate run, judged against its equivalence margin. */
export interface TimingShift {
  name: string;
  baseline: TimingStats;
  candidate: TimingStats;
  /** The Hodges–Lehmann shift, candidate − baseline: positive is later. */
  shiftMs: number;
  /** The Holm-adjusted p-value of "later by more than the margin" (null in older comparisons' single executions). */
  pValue: number | null;
  /** Judged a regression. */
  shifted: boolean;
  /**
   * regression: the interval lies beyond the margin on the bad side; equivalent: within ±margin; improvement: beyond it
   * on the good side; inconclusive: the data cannot tell at this many repeats (absent in older comparisons).
   */
  verdict?: 'regression' | 'equivalent' | 'improvement' | 'inconclusive';
  /** paired: both runs executed the same repeats at the same phases; unpaired otherwise. */
  design?: 'paired' | 'unpaired';
  n?: { baseline: number; candidate: number };
  /** The equivalence margin it was judged against (the default, the site file's, widened by link jitter). */
  marginMs?: number;
  /** The shift's interval (the 1 − 2α interval of the equivalence test). */
  interval?: { lowMs: number; highMs: number; confidence: number };
  /** The smallest shift beyond the margin these repeats could call a regression; Infinity when none could. */
  smallestDetectableShiftMs?: number;
  /** The fewest repeats at which the test can reach the family's level at all. */
  minimumRepeats?: number;
  /** The verdict in one sentence, with its numbers. */
  why?: string;
  /**
   * Executions left out because a stand-in's timer fired later than the windows allow while the timing ran: the host
   * was overloaded, and a shift then would be the host's (absent when none).
   */
  overloaded?: { baseline: number; candidate: number; judged: boolean };
  /** Older comparisons: the tolerance this timing was judged with when wider than the comparison's. */
  toleranceMs?: number;
}

export interface ScenarioComparison {
  fullTitle: string;
  outcome: { baseline: Outcome | null; candidate: Outcome | null };
  endState: { baseline: string | null; candidate: string | null };
  timings: TimingShift[];
  /** The candidate's measurements beyond its site's outage budgets. */
  budgetViolations: Array<{ name: string; budgetMs: number; worstMs: number }>;
  /** What about this scenario makes the comparison fail, in words; empty when nothing does. */
  regressions: string[];
}

export interface Comparison {
  baseline: { runId: string; siteFile: string; timeScale: number; executions: number };
  candidate: { runId: string; siteFile: string; timeScale: number; executions: number };
  /** The default equivalence margin (older comparisons: the shift tolerance). */
  toleranceMs: number;
  alpha: number;
  scenarios: ScenarioComparison[];
  /** Every regression, each a sentence: any one makes the exit code 1. */
  regressions: string[];
  /** Timings the repeats could not decide (scenario: timing); with no regression they make the exit code 4. */
  inconclusive?: string[];
  /** Executions left out because they ended inconclusive (harness): they say nothing about either site (absent when none). */
  leftOut?: { baseline: number; candidate: number };
}

/** One wrong site of the sensitivity check: a setting off by one step, run at several phases. */
export interface SensitivityRow {
  setting: string;
  /** "heartbeatMisses 3 → 4". */
  change: string;
  scenario: string;
  phases: number;
  /** Phases at which the suite failed, as it must for a wrong site. */
  caught: number;
  /** The first failure message at each phase, or null where the wrong site passed. */
  messages: Array<string | null>;
}

export interface SensitivityTable {
  seed: number;
  timeScale: number;
  phases: number;
  rows: SensitivityRow[];
  /** The correct site, run at the same phases through the same scenarios: it must pass every time. */
  correct: { runs: number; passed: number };
}

/** What a scenario test declares about itself (left on its mocha test): the run planner estimates its length from it. */
export interface ScenarioMeta {
  family: string;
  faults: Array<{ kind: FaultKind; target: string }>;
}

/** Property of a mocha Test under which a scenario leaves its ScenarioMeta. */
export const SCENARIO_META_KEY = 'cmshaScenario';

// What an exploration leaves for the report and the history: each execution's verdict, the coverage, each invariant's
// tally and every finding with its minimal schedule. Data only; harness/explore makes it.

export type ExecutionVerdict = 'passed' | 'failed' | 'void' | 'inconclusive';

export interface ExploreExecution {
  /** "s12" (schedule 12 of the exploration), "s12-shrink-3.1" (its third shrink candidate, first run), "replay-2". */
  id: string;
  purpose: 'explore' | 'shrink' | 'replay';
  schedule: Schedule;
  verdict: ExecutionVerdict;
  /** The keys of the invariants it broke (not void), e.g. "I4 no ACTIVE CMS". */
  keys: string[];
  durationMs: number;
  /**
   * Where the execution's wall time went: the harness's own share (starting the site to its sunny day, removing it)
   * and the site's (the schedule, the observation until every invariant can be judged).
   */
  phasesMs?: { start: number; schedule: number; settle: number; teardown: number };
  /** What failed in the harness (inconclusive), in words. */
  error: string | null;
  /** The whole record of the execution: timeline, faults, actions, invariants (dropped for most passed executions). */
  evidence: TestEvidence | null;
}

export interface CoverageRow {
  kind: string;
  target: string;
  /** Quarter of the heartbeat cycle the fault was placed in ("0–¼"), or the protocol event it waited for. */
  stratum: string;
  policy: string;
  /** What the site was doing when the fault came. */
  during: string;
  count: number;
}

/** One new way of breaking an invariant, and the smallest schedule found that still breaks it. */
export interface Finding {
  key: string;
  invariant: InvariantId;
  /** The first violation's sentence, from the execution that found it. */
  message: string;
  foundBy: string;
  original: Schedule;
  minimal: Schedule;
  faults: number;
  /** Candidates accepted and runs spent while shrinking. */
  shrinkSteps: number;
  shrinkRuns: number;
  status: 'minimal' | 'stopped by the budget';
  files: { schedule: string; scenario: string };
  /** The minimal schedule in the scenario form, ready to paste into a suite. */
  scenarioForm: string;
  replay: string;
  /** The last failing execution of the minimal schedule: its timeline, faults, actions and verdicts. */
  evidence: TestEvidence | null;
}

export interface ExploreSummary {
  seed: number;
  timeScale: number;
  budgetMs: number;
  elapsedMs: number;
  parallel: number;
  shrinkRule: { runs: number; needed: number };
  executions: Array<
    Pick<ExploreExecution, 'id' | 'purpose' | 'verdict' | 'keys' | 'durationMs' | 'phasesMs' | 'error'> & {
      title: string;
      /** The engine it ran on, when the exploration ran on a pool (`--engine`). */
      engine?: string;
    }
  >;
  coverage: CoverageRow[];
  /** Each invariant over the executions that ran: how many broke it (not void), how many only where the host was overloaded. */
  invariants: Array<{ invariant: InvariantId; name: string; judged: number; violated: number; void: number }>;
  findings: Finding[];
  /** Set when the exploration was interrupted. */
  partial: string | null;
}
