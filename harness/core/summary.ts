// What a run says per scenario over its repeats: the outcome (passed, failed, or flaky when both), the end states,
// and each timing's n, p50, p95 and max against its window. The report, the history and compare all read it.

import { max, min, quantileSorted } from 'simple-statistics';
import { formatLongDurationMs } from './format.js';
import type { HistoryEntry, Outcome, RunRecord, RunStats, ScenarioSummary, TestRecord, TimingStats, WindowKind } from './model.js';

/** n, min, p50, p95, max of some values (each at least one). */
export function timingStats(values: readonly number[]): TimingStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, min: min(sorted), p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), max: max(sorted) };
}

/**
 * The outcome of a scenario over its executions: flaky when some passed and some failed. An inconclusive execution
 * says nothing about the site, so it counts for nothing; a scenario with nothing else is inconclusive.
 */
export function combinedOutcome(outcomes: readonly TestRecord['outcome'][]): Outcome {
  const failed = outcomes.filter((o) => o === 'failed').length;
  const passed = outcomes.filter((o) => o === 'passed').length;
  if (failed > 0 && passed > 0) return 'flaky';
  if (failed > 0) return 'failed';
  if (passed > 0) return 'passed';
  if (outcomes.length > 0 && outcomes.every((o) => o === 'inconclusive')) return 'inconclusive';
  return 'pending';
}

/** The words an inconclusive execution's message begins with, before its cause. */
export const INCONCLUSIVE_PREFIX = 'inconclusive (harness): ';

/** An end state as one line, "<node> <state> · <node> <state> …", nodes in name order. */
export function endStateLine(state: Record<string, string | undefined> | null): string {
  if (!state) return 'unknown';
  return Object.keys(state)
    .sort()
    .map((node) => `${node} ${state[node]}`)
    .join(' · ');
}

/**
 * The scenarios of a run, in the order they first ran, each over its executions. Inconclusive executions are only
 * counted: their end states and timings are the harness's failure, not the site's behaviour.
 */
export function summarize(tests: readonly TestRecord[]): ScenarioSummary[] {
  const byTitle = new Map<string, TestRecord[]>();
  for (const test of tests) byTitle.set(test.fullTitle, [...(byTitle.get(test.fullTitle) ?? []), test]);
  return [...byTitle.entries()].map(([fullTitle, all]) => {
    const runs = all.filter((r) => r.outcome !== 'inconclusive');
    const inconclusive = all.length - runs.length;
    const states = new Map<string, number>();
    for (const run of runs) {
      const words = endStateLine(run.evidence?.endState ?? null);
      states.set(words, (states.get(words) ?? 0) + 1);
    }
    const timings = new Map<
      string,
      { description: string; kind: WindowKind | null; values: number[]; window: { fromMs: number; toMs: number } | null; outside: number }
    >();
    for (const run of runs) {
      for (const m of run.evidence?.measurements ?? []) {
        const window = run.evidence?.windows.find((w) => w.name === m.window && w.anchorNs === m.anchorNs) ?? null;
        const entry = timings.get(m.name) ?? {
          description: m.description,
          kind: window?.kind ?? null,
          values: [],
          window: window ? { fromMs: window.fromMs, toMs: window.toMs } : null,
          outside: 0,
        };
        entry.values.push(m.valueMs);
        if (m.withinWindow === false) entry.outside += 1;
        timings.set(m.name, entry);
      }
    }
    return {
      fullTitle,
      scenario: (runs[0] ?? all[0])?.evidence?.scenario ?? null,
      outcome: combinedOutcome(all.map((r) => r.outcome)),
      executions: runs.length,
      failed: runs.filter((r) => r.outcome === 'failed').length,
      ...(inconclusive > 0 ? { inconclusive } : {}),
      durationMs: timingStats((runs.length > 0 ? runs : all).map((r) => r.durationMs)).p50,
      endStates: [...states.entries()].map(([state, count]) => ({ state, count })),
      timings: [...timings.entries()].map(([name, t]) => ({
        name,
        description: t.description,
        kind: t.kind,
        stats: timingStats(t.values),
        window: t.window,
        outside: t.outside,
      })),
    };
  });
}

/** Scenario counts by outcome over a run's executions. */
export function runStats(tests: readonly TestRecord[], durationMs: number): RunStats {
  const inconclusiveExecutions = tests.filter((t) => t.outcome === 'inconclusive').length;
  const stats: Required<RunStats> = {
    passed: 0,
    failed: 0,
    flaky: 0,
    pending: 0,
    inconclusive: 0,
    executions: tests.length,
    inconclusiveExecutions,
    durationMs,
  };
  for (const s of summarize(tests)) stats[s.outcome] += 1;
  return stats;
}

/**
 * A run's verdict in one line, with the titles that did not pass, for the last line a terminal or a CI log shows. An
 * inconclusive execution is listed with its cause: it is the harness's to fix, not the site's.
 */
export function verdictLine(record: RunRecord): string {
  const { passed, failed, flaky, pending, durationMs } = record.stats;
  const inconclusive = record.tests.filter((t) => t.outcome === 'inconclusive');
  const counts =
    `${passed} passed, ${failed} failed, ${flaky} flaky${pending > 0 ? `, ${pending} pending` : ''}` +
    (inconclusive.length > 0 ? `, ${inconclusive.length} execution(s) inconclusive (harness)` : '');
  const notPassed = summarize(record.tests).filter((s) => s.outcome === 'failed' || s.outcome === 'flaky');
  const titles = notPassed.map((s) => `\n  ${s.outcome}: ${s.fullTitle}`).join('');
  const causes = inconclusive.map(
    (t) =>
      `\n  inconclusive: ${t.fullTitle}${t.repeat > 0 ? ` #${t.repeat + 1}` : ''}: ${t.harnessFault?.cause.split('\n')[0] ?? 'the harness failed'}`,
  );
  return `${record.runId}: ${counts} in ${formatLongDurationMs(durationMs)}${titles}${causes.join('')}`;
}

/**
 * What a finished run's executions say, as the exit code a pipeline gates on: 1 when any failed, else 3 when any was
 * inconclusive (the harness failed: the environment is not usable as it is), else 0.
 */
export function runExitCode(tests: readonly TestRecord[], findings = 0): 0 | 1 | 3 {
  if (findings > 0 || tests.some((t) => t.outcome === 'failed')) return 1;
  return tests.some((t) => t.outcome === 'inconclusive') ? 3 : 0;
}

/** The history's record of a run. */
export function historyEntry(record: RunRecord): HistoryEntry {
  return {
    runId: record.runId,
    startedAt: record.startedAt,
    timeScale: record.timeScale,
    siteFile: record.siteFile,
    seed: record.seed,
    repeat: record.repeat,
    partial: record.partial,
    stats: record.stats,
    scenarios: summarize(record.tests),
    ...(record.explored
      ? {
          explored: {
            executions: record.explored.executions.length,
            findings: record.explored.findings.length,
            keys: record.explored.findings.map((f) => f.key),
          },
        }
      : {}),
  };
}
