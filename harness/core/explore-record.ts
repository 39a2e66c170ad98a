// What an exploration leaves for the report and the history: each execution's verdict, the coverage, each invariant's
// tally and every finding with its minimal schedule. Data only; harness/explore makes it.

import type { InvariantId, TestEvidence } from './model.js';
import type { Schedule } from './schedule.js';

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
