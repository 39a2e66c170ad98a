// Suite efficiency and concurrency: the wall time of a representative subset of the catalogue against the waiting its
// scenarios inherently contain, serial and in parallel; and how many sites can run at once before timing degrades.

import { max, sum } from 'simple-statistics';
import type { TestRecord } from '../core/model.js';
import { emptyOutput, runQuietly, type BenchContext, type FamilyOutput } from './family.js';
import { figureOf, type Figure } from './figures.js';
import { deviationOf, killCommand, runKills } from './fidelity.js';

/**
 * One scenario per family, an ESS takeover among them: the whole catalogue (41 scenarios, about 8 minutes serial)
 * would not fit the bench's budget four times over. Each entry is a piece of one title.
 */
export const SUBSET: readonly string[] = [
  'lets the lag follow a latency on the admin-sync link',
  'sends the heartbeat at the configured period',
  'when the ACD link of the primary is cut (reset)',
  'links both CMS to the main CM and neither to the ESS',
  'makes the ESS ACTIVE after the no-service timeout',
  'makes the primary STANDBY when the primary restarts (hold-standby)',
  'raises DUAL_ACTIVE and measures the dual-active window',
  'does not fail over when the heartbeat is slowed',
  'with neither side aware of the dual-active window',
  'within the heartbeat window when the primary is killed',
  'keeps the roles and every heartbeat answered across the WAN',
];

/**
 * The waiting an execution inherently contains: from the first thing a stand-in did once told to begin (the site's
 * own protocol start-up: links, pump-up, first heartbeat) to the end of its evidence (the phase wait, each window, each
 * observation). What is left of the wall time is the harness: workers, containers, teardown.
 */
export function inherentMs(test: TestRecord): number | null {
  const e = test.evidence;
  if (!e || e.endNs === null) return null;
  const behaviour = e.timeline
    .filter((ev) => ev.node !== 'harness' && ev.type !== 'started' && ev.type !== 'begun' && ev.type !== 'log')
    .map((ev) => BigInt(ev.atNs));
  if (behaviour.length === 0) return null;
  const first = behaviour.reduce((a, b) => (b < a ? b : a));
  return Number(BigInt(e.endNs) - first) / 1e6;
}

export const PARALLEL_SETTINGS = [1, 2, 4, 8] as const;

/** The subset, once, `parallel` sites at once: its records and wall time. */
async function runSubset(ctx: BenchContext, parallel: number): Promise<{ tests: TestRecord[]; seed: number; wallMs: number }> {
  const startedMs = performance.now();
  const result = await runQuietly(ctx, SUBSET, 1, parallel);
  return { tests: result.record.tests, seed: result.record.seed, wallMs: performance.now() - startedMs };
}

/** Serial: wall ÷ Σ inherent. Parallel: wall ÷ the longest, and ÷ max(longest, Σ ÷ N), the soonest any schedule ends. */
function efficiencyFigures(ctx: BenchContext, parallel: number, run: { tests: TestRecord[]; seed: number; wallMs: number }): Figure[] {
  const inherent = run.tests.map(inherentMs).filter((v): v is number => v !== null);
  if (inherent.length === 0) return [];
  const durations = run.tests.map((t) => t.durationMs);
  const { wallMs } = run;
  const command = `runCatalogue({ filters: <${SUBSET.length} titles, one per family>, timeScale: ${ctx.timeScale}, repeat: 1, parallel: ${parallel} }); seed ${run.seed}`;
  const setting = parallel === 1 ? 'serial' : `--parallel ${parallel}`;
  const note = `wall ${Math.round(wallMs)} ms; Σ inherent ${Math.round(sum(inherent))} ms; longest inherent ${Math.round(max(inherent))} ms; Σ execution time ${Math.round(sum(durations))} ms`;
  const ratio = (id: string, label: string, value: number) =>
    figureOf({ id, measurement: 'suite-efficiency', label, unit: '×', command, note }, [value]);
  const wall = (part: string, label: string, samples: number[]) =>
    figureOf(
      { id: `suite-wall.p${parallel}.${part}`, measurement: 'suite-wall', label: `${setting}: ${label}`, unit: 'ms', command },
      samples,
    );
  return [
    ...(parallel === 1
      ? [ratio('suite-efficiency.p1', 'serial: wall ÷ Σ inherent', wallMs / sum(inherent))]
      : [
          ratio(`suite-efficiency.p${parallel}`, `${setting}: wall ÷ longest inherent`, wallMs / max(inherent)),
          ratio(
            `suite-efficiency-ideal.p${parallel}`,
            `${setting}: wall ÷ max(longest, Σ inherent ÷ ${parallel})`,
            wallMs / Math.max(max(inherent), sum(inherent) / parallel),
          ),
        ]),
    wall('wall', 'wall', [wallMs]),
    wall('executions', 'each execution (site start to removal)', durations),
    wall('inherent', 'each execution’s inherent waiting', inherent),
  ];
}

export async function measureSuiteEfficiency(ctx: BenchContext, settings: readonly number[] = PARALLEL_SETTINGS): Promise<FamilyOutput> {
  const out = emptyOutput();
  out.measurements.push(
    {
      id: 'suite-efficiency',
      title: 'Suite efficiency',
      description: `Wall time of ${SUBSET.length} scenarios (one per family) ÷ the waiting they inherently contain (serial: their sum; parallel: the longest).`,
      unit: '×',
      limit: { value: 1.5, label: '1.5×' },
    },
    {
      id: 'suite-wall',
      title: 'Suite wall time and its parts',
      description: 'Wall time of the subset, each execution and its inherent waiting.',
      unit: 'ms',
    },
  );
  for (const parallel of settings) {
    ctx.log(`suite efficiency: ${SUBSET.length} scenarios, --parallel ${parallel}`);
    const run = await runSubset(ctx, parallel);
    const failed = run.tests.filter((t) => t.outcome !== 'passed');
    if (failed.length > 0) out.notes.push(`suite efficiency --parallel ${parallel}: ${failed.length} did not pass:${failures(failed)}`);
    out.figures.push(...efficiencyFigures(ctx, parallel, run));
  }
  return out;
}

/** One step of the concurrency sweep: N sites at once, how their protocol-anchored failovers held. */
export interface ConcurrencyStep {
  sites: number;
  passed: number;
  executions: number;
  /** max |deviation| of the protocol-anchored failover, in % of the heartbeat interval; null when none measured. */
  maxDeviationPercent: number | null;
  /** Fidelity holds: every execution measured its protocol-anchored failover, each within CONCURRENCY_BOUND_PERCENT of the interval. */
  holds: boolean;
  /** Stricter: it holds and every execution passed (no window of the scenario missed under the load). */
  allPassed: boolean;
  wallMs: number;
}

/** |deviation| of the protocol-anchored failover of each execution that measured it, in % of the interval. */
function absolutePercents(tests: readonly TestRecord[]): number[] {
  return tests.flatMap((t) => {
    const d = deviationOf(t).protocol;
    return d === null ? [] : [Math.abs(d) * 100];
  });
}

export function concurrencyStep(sites: number, tests: TestRecord[], wallMs: number, boundPercent: number): ConcurrencyStep {
  const deviations = absolutePercents(tests);
  const passed = tests.filter((t) => t.outcome === 'passed').length;
  const maxDeviationPercent = deviations.length > 0 ? max(deviations) : null;
  const holds =
    tests.length === sites && deviations.length === sites && maxDeviationPercent !== null && maxDeviationPercent <= boundPercent;
  return { sites, passed, executions: tests.length, maxDeviationPercent, holds, allPassed: holds && passed === sites, wallMs };
}

/** The largest step before the first one that does not satisfy `ok` (0 when the first does not). */
export function largestBefore(steps: readonly ConcurrencyStep[], ok: (s: ConcurrencyStep) => boolean): number {
  const firstBad = steps.findIndex((s) => !ok(s));
  return (firstBad < 0 ? steps : steps.slice(0, firstBad)).at(-1)?.sites ?? 0;
}

export const CONCURRENCY_STEPS = [2, 4, 8, 12, 16] as const;

/** " <title>: <first words of its failure> | …" for the executions that did not pass; nothing when all passed. */
function failures(tests: readonly TestRecord[]): string {
  const failed = tests.filter((t) => t.outcome !== 'passed');
  return failed.length > 0
    ? ` ${failed.map((t) => `${t.title.slice(0, 60)}: ${(t.error?.message ?? 'no record').split('\n')[0]!.slice(0, 160)}`).join(' | ')}`
    : '';
}
export const CONCURRENCY_BOUND_PERCENT = 10;

/** What a step of N sites takes on this machine, about: site starts contend for the two cores. */
const stepEstimateMs = (sites: number) => 10_000 + 5_000 * sites;

export async function measureConcurrency(ctx: BenchContext, steps: readonly number[] = CONCURRENCY_STEPS): Promise<FamilyOutput> {
  const out = emptyOutput();
  const done: ConcurrencyStep[] = [];
  for (const sites of steps) {
    if (performance.now() + stepEstimateMs(sites) > ctx.budgetEndsMs) {
      out.notes.push(`concurrency: ${sites} sites at once not tried: it would end past the bench's time budget`);
      break;
    }
    ctx.log(`concurrency: ${sites} sites at once (primary-down kill, --parallel ${sites}, --repeat ${sites})`);
    const startedMs = performance.now();
    const result = await runKills(ctx, sites, sites);
    const step = concurrencyStep(sites, result.record.tests, performance.now() - startedMs, CONCURRENCY_BOUND_PERCENT);
    done.push(step);
    const failed = failures(result.record.tests);
    out.figures.push(
      figureOf(
        {
          id: `concurrency.n${sites}`,
          measurement: 'concurrency',
          label: `${sites} sites at once`,
          unit: '% of interval',
          command: `${killCommand(sites, sites)}; seed ${result.record.seed}`,
          note: `${step.passed} of ${sites} passed; wall ${Math.round(step.wallMs)} ms; ${step.holds ? 'holds' : 'degraded'}${failed ? `; failed:${failed}` : ''}`,
        },
        absolutePercents(result.record.tests),
      ),
    );
    // Past the first step that degrades, larger ones only degrade further: the time is better spent elsewhere.
    if (!step.holds) break;
  }
  out.measurements.push({
    id: 'concurrency',
    title: 'Concurrent topologies and timing fidelity',
    description: `|measured − model| of the protocol-anchored failover of each execution, N sites at once on ${ctx.environment.platform}.`,
    unit: '% of interval',
    limit: { value: CONCURRENCY_BOUND_PERCENT, label: '10% of the interval' },
  });
  out.figures.push(
    figureOf(
      {
        id: 'concurrency.max-sites',
        measurement: 'concurrency-max',
        label: 'most sites at once with fidelity holding',
        unit: 'topologies',
        command: `steps ${steps.join(', ')}; stops at the first that degrades`,
      },
      [largestBefore(done, (s) => s.holds)],
    ),
    figureOf(
      {
        id: 'concurrency.max-sites-all-passed',
        measurement: 'concurrency-max',
        label: 'most sites at once with every execution passing too',
        unit: 'topologies',
        command: `steps ${steps.join(', ')}`,
      },
      [largestBefore(done, (s) => s.allPassed)],
    ),
  );
  out.measurements.push({
    id: 'concurrency-max',
    title: 'Most concurrent topologies',
    description: 'The largest step at which every execution passed within 10% of the interval.',
    unit: 'topologies',
  });
  return out;
}
