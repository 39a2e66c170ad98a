// Timing fidelity: primary-down (kill) repeated at phases spread over the heartbeat cycle through the jobs runner; each
// execution's measured detection minus what the model predicts for it, as a fraction of the heartbeat interval.

import type { TestRecord } from '../core/model.js';
import type { RunResult } from '../jobs/run.js';
import { emptyOutput, runQuietly, type BenchContext, type FamilyOutput } from './family.js';
import { figureOf } from './figures.js';

/**
 * The primary-down kill scenario alone. 'when the primary is killed' would also select the WAN scenario "… across the
 * WAN when the primary is killed", whose heartbeat carries the WAN's delay, and the model below is the plain site's.
 */
export const KILL_FILTER = 'within the heartbeat window when the primary is killed';
export const PROTOCOL_WINDOW = 'failover from the first unanswered heartbeat';
export const FAULT_WINDOW = 'failover from the fault';

export interface Deviation {
  /** (measured − exact model) / interval, from the first unanswered heartbeat: the model is (misses−1)·interval. */
  protocol: number | null;
  /** (measured − phase model) / interval, from the fault's appliedNs: misses·interval − phase·interval for a kill. */
  fault: number | null;
  /** How late the fault's request started after its planned instant (ms): part of the fault deviation. */
  injectionLateMs: number | null;
  /** The fault request's own duration (confirmed − applied, ms): the fault took effect somewhere inside it. */
  requestMs: number | null;
  phase: number | null;
  intervalMs: number;
}

/** The deviations of one execution of the kill scenario; nulls where its record lacks what they need. */
export function deviationOf(test: TestRecord): Deviation {
  const e = test.evidence;
  const none: Deviation = { protocol: null, fault: null, injectionLateMs: null, requestMs: null, phase: null, intervalMs: 0 };
  if (!e || !e.site) return none;
  const misses = e.site.timers.heartbeatMisses;
  const intervalMs = e.injection?.periodMs ?? e.site.timers.heartbeatIntervalMs * (e.timeScale ?? 1);
  const measured = (name: string) => e.measurements.find((m) => m.name === name)?.valueMs;
  const protocolMs = measured(PROTOCOL_WINDOW);
  const faultMs = measured(FAULT_WINDOW);
  const fault = e.faults[0];
  return {
    protocol: protocolMs === undefined ? null : (protocolMs - (misses - 1) * intervalMs) / intervalMs,
    fault: faultMs === undefined || !e.injection ? null : (faultMs - (misses - e.injection.phase) * intervalMs) / intervalMs,
    injectionLateMs: fault && e.injection ? Number(BigInt(fault.appliedNs) - BigInt(e.injection.plannedNs)) / 1e6 : null,
    requestMs: fault ? Number(BigInt(fault.confirmedNs) - BigInt(fault.appliedNs)) / 1e6 : null,
    phase: e.injection?.phase ?? null,
    intervalMs,
  };
}

/**
 * Why an execution strays from the phase model, from its own record: the model puts the kill at the planned instant,
 * but the kill takes effect somewhere inside its request, and a request longer than the time left to the next
 * heartbeat can let that beat be answered, putting detection one interval later.
 */
export function explainFaultDeviation(d: Deviation, boundFraction = 0.05): string | null {
  if (d.fault === null || Math.abs(d.fault) <= boundFraction || d.phase === null) return null;
  const toNextBeatMs = (1 - d.phase) * d.intervalMs;
  const request = d.requestMs === null ? '' : `; the kill request took ${d.requestMs.toFixed(1)} ms`;
  const crossed = d.requestMs !== null && d.requestMs + (d.injectionLateMs ?? 0) > toNextBeatMs ? ', past that beat' : '';
  return `phase ${d.phase.toFixed(3)}: ${(d.fault * 100).toFixed(1)}% off; the next heartbeat was due ${toNextBeatMs.toFixed(1)} ms after the planned instant${request}${crossed}`;
}

/** Runs the kill scenario `repeat` times, `parallel` sites at once, through the jobs runner (no report, no history). */
export function runKills(ctx: BenchContext, repeat: number, parallel: number): Promise<RunResult> {
  return runQuietly(ctx, [KILL_FILTER], repeat, parallel);
}

export function killCommand(repeat: number, parallel: number): string {
  return `runCatalogue({ filters: ['${KILL_FILTER}'], timeScale: 0.05, repeat: ${repeat}, parallel: ${parallel}, writeReport: false, historyDir: null, quiet: true })`;
}

const noteOf = (lines: string[]) => (lines.length > 0 ? { note: lines.join(' | ') } : {});

export async function measureFidelity(ctx: BenchContext, repeat: number, parallel: number): Promise<FamilyOutput> {
  const out = emptyOutput();
  const result = await runKills(ctx, repeat, parallel);
  const deviations = result.record.tests.map(deviationOf);
  const failed = result.record.tests.filter((t) => t.outcome !== 'passed').length;
  if (failed > 0)
    out.notes.push(`fidelity: ${failed} of ${result.record.tests.length} executions did not pass (seed ${result.record.seed})`);
  const command = `${killCommand(repeat, parallel)}; seed ${result.record.seed}`;
  const percent = (values: Array<number | null>) => values.filter((v): v is number => v !== null).map((v) => v * 100);
  out.measurements.push(
    {
      id: 'fidelity',
      title: 'Timing fidelity',
      description: 'Measured failover detection minus the model’s exact value for each execution, in % of the heartbeat interval.',
      unit: '% of interval',
      limit: { value: 5, label: '±5% of the interval' },
    },
    {
      id: 'fidelity-injection',
      title: 'Fault injection lateness',
      description: 'The fault request’s start after its planned phase instant.',
      unit: 'ms',
    },
  );
  out.figures.push(
    figureOf(
      {
        id: 'fidelity.protocol',
        measurement: 'fidelity',
        label: 'from the first unanswered heartbeat − (misses−1)·interval',
        unit: '% of interval',
        command,
      },
      percent(deviations.map((d) => d.protocol)),
    ),
    figureOf(
      {
        id: 'fidelity.fault',
        measurement: 'fidelity',
        label: 'from the fault − (misses − phase)·interval',
        unit: '% of interval',
        command,
        ...noteOf(deviations.map((d) => explainFaultDeviation(d)).filter((x): x is string => x !== null)),
      },
      percent(deviations.map((d) => d.fault)),
    ),
    figureOf(
      { id: 'fidelity-injection.late', measurement: 'fidelity-injection', label: 'applied − planned', unit: 'ms', command },
      deviations.flatMap((d) => (d.injectionLateMs === null ? [] : [d.injectionLateMs])),
    ),
  );
  return out;
}
