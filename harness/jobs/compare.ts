// Compares two runs scenario by scenario, for pre-upgrade validation: outcome, end-state and invariant changes, each
// timing's shift with its interval judged against an equivalence margin (regression, equivalent or inconclusive), and
// budget violations. Any regression is a sentence, and one is enough for the exit code to say no.

import { formatDurationMs } from '../core/format.js';
import type { Comparison, RunRecord, ScenarioComparison, ScenarioSummary, TimingShift } from '../core/model.js';
import { scaleSite, type SiteConfig } from '../core/site-config.js';
import { summarize, timingStats } from '../core/summary.js';
import { judgeTimings, type TimingJudgement, type TimingSamples } from '../stats/judge.js';
import { SCHEDULING_MS } from '../check/windows.js';
import { is, worstLateTimer } from '../observe/site-state.js';

export interface CompareOptions {
  /** Family-wise level of each kind of call (regression, equivalent, improvement), Holm over every timing. Default 0.05. */
  alpha?: number;
  /** A timing's equivalence margin, instead of the default one (see equivalenceMarginMs); ms at the runs' scale. */
  marginMs?: number;
  /** Margins of named timings, ms at the runs' scale; default: the candidate site file's `compare.marginsMs`, scaled. */
  margins?: Readonly<Record<string, number>>;
}

/**
 * Compares two runs for pre-upgrade validation. Outcome, end-state and invariant changes and broken budgets are
 * regressions whatever the statistics say; every timing is judged against its equivalence margin (a paired shift when
 * both runs executed the same repeats at the same phases), with Holm's control over the whole family of timings.
 */
export function compareRuns(baselineRun: RunRecord, candidateRun: RunRecord, options: CompareOptions = {}): Comparison {
  // An inconclusive execution is the harness's failure: it says nothing about either site, so it is left out, as an
  // execution spoiled by an overloaded host is.
  const baseline = conclusive(baselineRun);
  const candidate = conclusive(candidateRun);
  const leftOut = {
    baseline: baselineRun.tests.length - baseline.tests.length,
    candidate: candidateRun.tests.length - candidate.tests.length,
  };
  const alpha = options.alpha ?? 0.05;
  const base = new Map(summarize(baseline.tests).map((s) => [s.fullTitle, s]));
  const cand = new Map(summarize(candidate.tests).map((s) => [s.fullTitle, s]));
  const titles = [...new Set([...base.keys(), ...cand.keys()])];
  const scaled = scaleSite(candidate.site, candidate.timeScale);
  const defaultMarginMs = options.marginMs ?? equivalenceMarginMs(scaled);
  const margins = options.margins ?? scaled.compare?.marginsMs ?? {};
  // Every timing of every scenario is one family: the gate's error is controlled over all of them at once.
  const samples = titles.flatMap((title) =>
    base.get(title) && cand.get(title) ? timingSamples(title, baseline, candidate, defaultMarginMs, margins) : [],
  );
  const family = samples.flatMap((s) => (s.samples ? [s.samples] : []));
  const judged = family.length === 0 ? [] : judgeTimings(family, { alpha });
  const byKey = new Map(samples.map((s) => [s.key, { ...s, judgement: judged.find((j) => j.name === s.key) ?? null }]));
  const scenarios = titles.map((title) => compareScenario(title, base.get(title), cand.get(title), candidate, byKey));
  return {
    baseline: { runId: baseline.runId, siteFile: baseline.siteFile, timeScale: baseline.timeScale, executions: baseline.tests.length },
    candidate: { runId: candidate.runId, siteFile: candidate.siteFile, timeScale: candidate.timeScale, executions: candidate.tests.length },
    toleranceMs: defaultMarginMs,
    alpha,
    scenarios,
    regressions: scenarios.flatMap((s) => s.regressions.map((r) => `${s.fullTitle}: ${r}`)),
    inconclusive: scenarios.flatMap((s) => s.timings.filter((t) => t.verdict === 'inconclusive').map((t) => `${s.fullTitle}: ${t.name}`)),
    ...(leftOut.baseline + leftOut.candidate > 0 ? { leftOut } : {}),
  };
}

/** A run without its inconclusive executions. */
function conclusive(record: RunRecord): RunRecord {
  return { ...record, tests: record.tests.filter((t) => t.outcome !== 'inconclusive') };
}

type Judged = ReturnType<typeof timingSamples>[number] & { judgement: TimingJudgement | null };

function compareScenario(
  title: string,
  b: ScenarioSummary | undefined,
  c: ScenarioSummary | undefined,
  candidate: RunRecord,
  judged: ReadonlyMap<string, Judged>,
): ScenarioComparison {
  const regressions: string[] = [];
  // At a time scale other than 1 the measured values are scaled: say what they are worth on the real site too.
  const scale = candidate.timeScale;
  const real = (ms: number): string => (scale === 1 ? '' : ` (${formatDurationMs(ms / scale)} at real time)`);
  if (!c) regressions.push('the candidate did not run it');
  if (b && c && b.outcome !== c.outcome && c.outcome !== 'passed') regressions.push(`the outcome changed: ${b.outcome} → ${c.outcome}`);
  const endB = mostCommon(b);
  const endC = mostCommon(c);
  if (endB !== null && endC !== null && endB !== endC) regressions.push(`the site ends differently: ${endB} → ${endC}`);
  for (const key of brokenInvariants(candidate, title)) regressions.push(`the candidate broke ${key}`);
  const timings = [...judged.values()].filter((j) => j.title === title).map((j) => timingShift(j));
  for (const t of timings) {
    if (t.verdict === 'regression')
      regressions.push(`${t.name}: ${t.why}${t.shiftMs > 0 ? real(t.shiftMs).replace(' at real time', ' shift at real time') : ''}`);
  }
  const budgetViolations = budgetsBroken(title, candidate);
  for (const v of budgetViolations)
    regressions.push(
      `${v.name} exceeded: ${formatDurationMs(v.worstMs)} against ${formatDurationMs(v.budgetMs)}` +
        (scale === 1 ? '' : ` (${formatDurationMs(v.worstMs / scale)} against ${formatDurationMs(v.budgetMs / scale)} at real time)`),
    );
  return {
    fullTitle: title,
    outcome: { baseline: b?.outcome ?? null, candidate: c?.outcome ?? null },
    endState: { baseline: endB, candidate: endC },
    timings,
    budgetViolations,
    regressions,
  };
}

/**
 * The equivalence margin of a timing by default: half the smallest step a timer setting can take (a fifth of the
 * shortest timer a timing depends on, the step the sensitivity check moves it by), never below the windows' late
 * tolerance (a late timer, a busy CPU, one Toxiproxy hop move a timing that much between two right runs) nor above
 * twice it. At scale 0.05 that is 40 ms; at real time, 80 ms.
 */
export function equivalenceMarginMs(scaled: SiteConfig): number {
  const t = scaled.timers;
  const shortest = Math.min(t.heartbeatTimeoutMs, t.heartbeatIntervalMs, t.pumpupMs, t.keepaliveIntervalMs, t.linkRetryMs);
  return Math.min(2 * SCHEDULING_MS, Math.max(SCHEDULING_MS, (0.2 * shortest) / 2));
}

/** The invariant keys the candidate's executions of a scenario broke (not void), when it checked them. */
function brokenInvariants(record: RunRecord, title: string): string[] {
  const keys = new Set<string>();
  for (const test of record.tests)
    if (test.fullTitle === title)
      for (const v of test.evidence?.invariants ?? []) for (const x of v.violations) if (x.void === null) keys.add(x.key);
  return [...keys];
}

/**
 * Each timing of a scenario measured in both runs, as samples for the judge: paired by (seed, repeat) when every
 * execution of one run has its twin in the other (both ran the same seeded phases), else the two runs' values apart.
 * An execution during which a stand-in's timer fired later than the windows allow is left out (with its twin): the
 * host was overloaded, and its shift would be the host's.
 */
function timingSamples(
  title: string,
  baseline: RunRecord,
  candidate: RunRecord,
  defaultMarginMs: number,
  margins: Readonly<Record<string, number>>,
) {
  const b = valuesByName(baseline, title);
  const c = valuesByName(candidate, title);
  const jitter = Math.max(jitterSpreadMs(baseline, title), jitterSpreadMs(candidate, title));
  const out: Array<{
    key: string;
    title: string;
    name: string;
    all: { baseline: number[]; candidate: number[] };
    overloaded: { baseline: number; candidate: number };
    /** Null when no execution of one run is left to judge it by. */
    samples: TimingSamples | null;
  }> = [];
  for (const [name, bAll] of b) {
    const cAll = c.get(name);
    if (!cAll) continue;
    const cByPair = new Map(cAll.map((v) => [v.pair, v]));
    const pairs = bAll.filter((v) => cByPair.has(v.pair) && !v.overloaded && !cByPair.get(v.pair)!.overloaded);
    const paired = pairs.length === bAll.length && pairs.length === cAll.length && pairs.length > 0;
    const bKept = paired ? pairs.map((v) => v.ms) : bAll.filter((v) => !v.overloaded).map((v) => v.ms);
    const cKept = paired ? pairs.map((v) => cByPair.get(v.pair)!.ms) : cAll.filter((v) => !v.overloaded).map((v) => v.ms);
    out.push({
      key: `${title}\u0000${name}`,
      title,
      name,
      all: { baseline: bAll.map((v) => v.ms), candidate: cAll.map((v) => v.ms) },
      overloaded: { baseline: bAll.filter((v) => v.overloaded).length, candidate: cAll.filter((v) => v.overloaded).length },
      // A scenario with jitter on a link moves by it between two right runs (Toxiproxy draws it unseeded).
      samples:
        bKept.length === 0 || cKept.length === 0
          ? null
          : {
              name: `${title}\u0000${name}`,
              baseline: bKept,
              candidate: cKept,
              paired,
              marginMs: (margins[name] ?? defaultMarginMs) + jitter,
            },
    });
  }
  return out;
}

/** A judged timing as the comparison keeps it. */
function timingShift(j: Judged): TimingShift {
  const baseline = timingStats(j.all.baseline);
  const candidate = timingStats(j.all.candidate);
  const k = j.judgement;
  const overloaded = j.overloaded.baseline + j.overloaded.candidate > 0 ? { overloaded: { ...j.overloaded, judged: k !== null } } : {};
  if (k === null)
    return {
      name: j.name,
      baseline,
      candidate,
      shiftMs: candidate.p50 - baseline.p50,
      pValue: null,
      shifted: false,
      verdict: 'inconclusive',
      why: 'not judged: every execution of one run ran while a stand-in timer fired late (an overloaded host)',
      ...overloaded,
    };
  return {
    name: j.name,
    baseline,
    candidate,
    shiftMs: k.shiftMs,
    pValue: k.adjusted.regression,
    shifted: k.verdict === 'regression',
    verdict: k.verdict,
    design: k.design,
    n: k.n,
    marginMs: k.marginMs,
    interval: { lowMs: k.interval.lowMs, highMs: k.interval.highMs, confidence: k.interval.confidence },
    smallestDetectableShiftMs: k.smallestDetectableShiftMs,
    minimumRepeats: k.minimumRepeats,
    why: k.why,
    ...overloaded,
  };
}

function mostCommon(s: ScenarioSummary | undefined): string | null {
  if (!s || s.endStates.length === 0) return null;
  return [...s.endStates].sort((x, y) => y.count - x.count || (x.state < y.state ? -1 : 1))[0]!.state;
}

/**
 * Each timing's values over the repeats, with the pair each belongs to (seed and repeat: the twin execution of the
 * other run); a budget's measurement repeats a timing, and is judged as a budget only.
 */
function valuesByName(record: RunRecord, title: string): Map<string, Array<{ ms: number; overloaded: boolean; pair: string }>> {
  const values = new Map<string, Array<{ ms: number; overloaded: boolean; pair: string }>>();
  for (const test of record.tests) {
    if (test.fullTitle !== title || !test.evidence) continue;
    const budgets = new Set(test.evidence.windows.filter((w) => w.kind === 'budget').map((w) => w.name));
    // A stand-in timer later than the windows allow while the timing ran: the host was overloaded, as the
    // expectations say when such a timer spoils a window.
    const late = test.evidence.timeline.filter(is.lateTimer(SCHEDULING_MS));
    for (const m of test.evidence.measurements) {
      if (m.window !== null && budgets.has(m.window)) continue;
      const overloaded = worstLateTimer(late, test.evidence.faults, BigInt(m.anchorNs), BigInt(m.atNs), SCHEDULING_MS) !== undefined;
      const pair = `${test.seed ?? record.seed}:${test.repeat}:${(values.get(m.name) ?? []).filter((v) => v.pair.startsWith(`${test.seed ?? record.seed}:${test.repeat}:`)).length}`;
      values.set(m.name, [...(values.get(m.name) ?? []), { ms: m.valueMs, overloaded, pair }]);
    }
  }
  return values;
}

/**
 * How far a timing of this scenario can move from one execution to the next by jitter alone: twice the largest jitter
 * on its links (a fault's latency toxic, or the site's WAN), as the runs applied it. Toxiproxy delays each chunk by
 * latency ± jitter drawn from Go's global generator; its -seed flag does not reach that generator (2.12.0,
 * cmd/server/server.go builds a seeded one and drops it), so a replay with the seed cannot repeat the draw.
 */
export function jitterSpreadMs(record: RunRecord, title: string): number {
  let jitterMs = 0;
  for (const test of record.tests) {
    const ev = test.fullTitle === title ? test.evidence : null;
    if (!ev) continue;
    for (const f of ev.faults) if (f.kind === 'latency') jitterMs = Math.max(jitterMs, Number(f.attributes['jitter'] ?? 0));
    for (const link of Object.values(ev.site?.wan ?? {})) jitterMs = Math.max(jitterMs, (link?.jitterMs ?? 0) * (ev.timeScale ?? 1));
  }
  return 2 * jitterMs;
}

/** The candidate's measurements against its own site's budgets (windows of kind budget) that fell outside. */
function budgetsBroken(title: string, candidate: RunRecord): ScenarioComparison['budgetViolations'] {
  const worst = new Map<string, { budgetMs: number; worstMs: number }>();
  for (const test of candidate.tests) {
    if (test.fullTitle !== title || !test.evidence) continue;
    for (const m of test.evidence.measurements) {
      const window = test.evidence.windows.find((w) => w.name === m.window && w.anchorNs === m.anchorNs);
      if (window?.kind !== 'budget' || m.withinWindow !== false) continue;
      const seen = worst.get(m.name);
      if (!seen || m.valueMs > seen.worstMs) worst.set(m.name, { budgetMs: window.toMs, worstMs: m.valueMs });
    }
  }
  return [...worst.entries()].map(([name, v]) => ({ name, ...v }));
}
