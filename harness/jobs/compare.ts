// Compares two runs scenario by scenario, for pre-upgrade validation: outcome and end-state changes, timing shifts
// beyond a tolerance (with a rank test when there are repeats, not a difference of means) and budget violations.
// Any regression is a sentence, and one is enough for the exit code to say no.

import { cumulativeStdNormalProbability, wilcoxonRankSum } from 'simple-statistics';
import { formatDurationMs } from '../core/format.js';
import type { Comparison, RunRecord, ScenarioComparison, ScenarioSummary, TimingShift } from '../core/model.js';
import { summarize, timingStats } from '../core/summary.js';
import { SCHEDULING_MS } from '../check/windows.js';
import { is, worstLateTimer } from '../observe/site-state.js';

export interface CompareOptions {
  /** A shift of the median smaller than this is no shift. Default twice the scheduling tolerance (80 ms). */
  toleranceMs?: number;
  /** Significance level of the rank test. Default 0.05. */
  alpha?: number;
}

export function compareRuns(baseline: RunRecord, candidate: RunRecord, options: CompareOptions = {}): Comparison {
  const toleranceMs = options.toleranceMs ?? 2 * SCHEDULING_MS;
  const alpha = options.alpha ?? 0.05;
  const base = new Map(summarize(baseline.tests).map((s) => [s.fullTitle, s]));
  const cand = new Map(summarize(candidate.tests).map((s) => [s.fullTitle, s]));
  const titles = [...new Set([...base.keys(), ...cand.keys()])];
  const scenarios = titles.map((title) =>
    compareScenario(title, base.get(title), cand.get(title), baseline, candidate, toleranceMs, alpha),
  );
  return {
    baseline: { runId: baseline.runId, siteFile: baseline.siteFile, timeScale: baseline.timeScale, executions: baseline.tests.length },
    candidate: { runId: candidate.runId, siteFile: candidate.siteFile, timeScale: candidate.timeScale, executions: candidate.tests.length },
    toleranceMs,
    alpha,
    scenarios,
    regressions: scenarios.flatMap((s) => s.regressions.map((r) => `${s.fullTitle}: ${r}`)),
  };
}

function compareScenario(
  title: string,
  b: ScenarioSummary | undefined,
  c: ScenarioSummary | undefined,
  baseline: RunRecord,
  candidate: RunRecord,
  toleranceMs: number,
  alpha: number,
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
  const timings = b && c ? shifts(title, baseline, candidate, toleranceMs, alpha) : [];
  for (const t of timings) {
    if (t.shifted && t.shiftMs > 0) {
      regressions.push(
        `${t.name} is ${formatDurationMs(t.shiftMs)}${real(t.shiftMs)} slower (median ${formatDurationMs(t.baseline.p50)} → ${formatDurationMs(t.candidate.p50)}${t.pValue === null ? '' : `, rank test p = ${t.pValue.toPrecision(2)}`})`,
      );
    }
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

function mostCommon(s: ScenarioSummary | undefined): string | null {
  if (!s || s.endStates.length === 0) return null;
  return [...s.endStates].sort((x, y) => y.count - x.count || (x.state < y.state ? -1 : 1))[0]!.state;
}

/** Each timing measured in both runs, its medians, and whether it moved. */
function shifts(title: string, baseline: RunRecord, candidate: RunRecord, toleranceMs: number, alpha: number): TimingShift[] {
  const b = valuesByName(baseline, title);
  const c = valuesByName(candidate, title);
  const tolerance = toleranceMs + Math.max(jitterSpreadMs(baseline, title), jitterSpreadMs(candidate, title));
  const result: TimingShift[] = [];
  for (const [name, bAll] of b) {
    const cAll = c.get(name);
    if (!cAll) continue;
    const bClean = bAll.filter((v) => !v.overloaded).map((v) => v.ms);
    const cClean = cAll.filter((v) => !v.overloaded).map((v) => v.ms);
    const judged = bClean.length > 0 && cClean.length > 0;
    const bValues = judged ? bClean : bAll.map((v) => v.ms);
    const cValues = judged ? cClean : cAll.map((v) => v.ms);
    const baseStats = timingStats(bValues);
    const candStats = timingStats(cValues);
    const shiftMs = candStats.p50 - baseStats.p50;
    const pValue = bValues.length > 1 && cValues.length > 1 ? rankSumPValue(bValues, cValues) : null;
    const overloaded = { baseline: bAll.length - bClean.length, candidate: cAll.length - cClean.length, judged };
    result.push({
      name,
      baseline: baseStats,
      candidate: candStats,
      shiftMs,
      pValue,
      shifted: judged && Math.abs(shiftMs) > tolerance && (pValue === null || pValue < alpha),
      ...(overloaded.baseline + overloaded.candidate > 0 ? { overloaded } : {}),
      ...(tolerance > toleranceMs ? { toleranceMs: tolerance } : {}),
    });
  }
  return result;
}

/** Each timing's values over the repeats; a budget's measurement repeats a timing, and is judged as a budget only. */
function valuesByName(record: RunRecord, title: string): Map<string, Array<{ ms: number; overloaded: boolean }>> {
  const values = new Map<string, Array<{ ms: number; overloaded: boolean }>>();
  for (const test of record.tests) {
    if (test.fullTitle !== title || !test.evidence) continue;
    const budgets = new Set(test.evidence.windows.filter((w) => w.kind === 'budget').map((w) => w.name));
    // A stand-in timer later than the windows allow while the timing ran: the host was overloaded, as the
    // expectations say when such a timer spoils a window.
    const late = test.evidence.timeline.filter(is.lateTimer(SCHEDULING_MS));
    for (const m of test.evidence.measurements) {
      if (m.window !== null && budgets.has(m.window)) continue;
      const overloaded = worstLateTimer(late, test.evidence.faults, BigInt(m.anchorNs), BigInt(m.atNs), SCHEDULING_MS) !== undefined;
      values.set(m.name, [...(values.get(m.name) ?? []), { ms: m.valueMs, overloaded }]);
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

/**
 * Two-sided p-value of the Wilcoxon rank-sum statistic (simple-statistics computes the statistic): exact, from every
 * way of choosing the first sample's ranks, for small samples; the normal approximation above 30 values.
 */
export function rankSumPValue(x: readonly number[], y: readonly number[]): number {
  const n1 = x.length;
  const n2 = y.length;
  const observed = wilcoxonRankSum([...x], [...y]);
  const mean = (n1 * (n1 + n2 + 1)) / 2;
  if (n1 + n2 > 30) {
    const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
    const z = (Math.abs(observed - mean) - 0.5) / sd;
    return Math.min(1, 2 * (1 - cumulativeStdNormalProbability(z)));
  }
  const ranks = midRanks([...x, ...y]);
  // counts[k][s]: ways to choose k of the ranks summing to s (ranks doubled to keep mid-ranks whole).
  let counts: Array<Map<number, number>> = [new Map([[0, 1]])];
  for (const r of ranks) {
    const next = counts.map((m) => new Map(m));
    next.push(new Map());
    counts.forEach((m, k) => {
      for (const [s, ways] of m) next[k + 1]!.set(s + 2 * r, (next[k + 1]!.get(s + 2 * r) ?? 0) + ways);
    });
    counts = next;
  }
  const dist = counts[n1]!;
  let total = 0;
  let extreme = 0;
  for (const [s, ways] of dist) {
    total += ways;
    if (Math.abs(s / 2 - mean) >= Math.abs(observed - mean) - 1e-9) extreme += ways;
  }
  return extreme / total;
}

function midRanks(values: number[]): number[] {
  const sorted = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1]!.v === sorted[start]!.v) end += 1;
    for (let k = start; k <= end; k += 1) ranks[sorted[k]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}
