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

/** The outcome of a scenario over its executions: flaky when some passed and some failed. */
export function combinedOutcome(outcomes: readonly TestRecord['outcome'][]): Outcome {
  const failed = outcomes.filter((o) => o === 'failed').length;
  const passed = outcomes.filter((o) => o === 'passed').length;
  if (failed > 0 && passed > 0) return 'flaky';
  if (failed > 0) return 'failed';
  if (passed > 0) return 'passed';
  return 'pending';
}

/** An end state as one line, "<node> <state> · <node> <state> …", nodes in name order. */
export function endStateLine(state: Record<string, string | undefined> | null): string {
  if (!state) return 'unknown';
  return Object.keys(state)
    .sort()
    .map((node) => `${node} ${state[node]}`)
    .join(' · ');
}

/** The scenarios of a run, in the order they first ran, each over all its executions. */
export function summarize(tests: readonly TestRecord[]): ScenarioSummary[] {
  const byTitle = new Map<string, TestRecord[]>();
  for (const test of tests) byTitle.set(test.fullTitle, [...(byTitle.get(test.fullTitle) ?? []), test]);
  return [...byTitle.entries()].map(([fullTitle, runs]) => {
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
      scenario: runs[0]?.evidence?.scenario ?? null,
      outcome: combinedOutcome(runs.map((r) => r.outcome)),
      executions: runs.length,
      failed: runs.filter((r) => r.outcome === 'failed').length,
      durationMs: timingStats(runs.map((r) => r.durationMs)).p50,
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
  const stats: RunStats = { passed: 0, failed: 0, flaky: 0, pending: 0, executions: tests.length, durationMs };
  for (const s of summarize(tests)) stats[s.outcome] += 1;
  return stats;
}

/** A run's verdict in one line, with the titles that did not pass, for the last line a terminal or a CI log shows. */
export function verdictLine(record: RunRecord): string {
  const { passed, failed, flaky, pending, durationMs } = record.stats;
  const counts = `${passed} passed, ${failed} failed, ${flaky} flaky${pending > 0 ? `, ${pending} pending` : ''}`;
  const notPassed = summarize(record.tests).filter((s) => s.outcome === 'failed' || s.outcome === 'flaky');
  const titles = notPassed.map((s) => `\n  ${s.outcome}: ${s.fullTitle}`).join('');
  return `${record.runId}: ${counts} in ${formatLongDurationMs(durationMs)}${titles}`;
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
