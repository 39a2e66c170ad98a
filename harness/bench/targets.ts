// The bench's targets, the performance the harness must have (listed in evaluateTargets), judged on the figures of one run: each met, missed or not measured, and for a miss the measured
// breakdown of where the time goes. Pure: it only reads figures.

import { sum } from 'simple-statistics';
import { findFigure, judge, type Figure, type Target } from './figures.js';

const round = (v: number, digits = 0) => Number(v.toFixed(digits));
const ms = (v: number) => `${round(v)} ms`;

/** "label median ms, …" of every figure of a measurement whose id starts with `prefix`. */
function phaseLine(figures: readonly Figure[], prefix: string): string | null {
  const phases = figures.filter((f) => f.id.startsWith(prefix));
  if (phases.length === 0) return null;
  return phases.map((f) => `${f.label} ${ms(f.median)}`).join('; ');
}

function siteUpTarget(figures: readonly Figure[], other: 'compose' | 'testcontainers' | 'floor', limit: number, text: string): Target {
  const ratio = findFigure(figures, `site-up-ratio.ours-${other}`);
  const breakdown = [
    phaseLine(figures, 'site-up-phases.ours.'),
    phaseLine(figures, `site-up-phases.${other}.`),
    phaseLine(figures, 'site-up-milestones.ours.'),
    phaseLine(figures, `site-up-milestones.${other}.`),
  ].filter((l): l is string => l !== null);
  const ours = findFigure(figures, 'site-up.ours');
  const theirs = findFigure(figures, `site-up.${other}`);
  return judge({
    id: `site-up-${other}`,
    text,
    value: ratio ? round(ratio.median, 2) : null,
    limit,
    direction: 'at-most',
    unit: '×',
    detail:
      ratio && ours && theirs
        ? `median of ${ratio.n} paired ratios; medians ${ms(ours.median)} (ours) and ${ms(theirs.median)} (${theirs.label})`
        : `${other} not measured in this run`,
    breakdown,
  });
}

function faultBiteTarget(figures: readonly Figure[], limitMs: number): Target {
  const bites = figures.filter((f) => f.measurement === 'fault-bite');
  const worst = bites.reduce<Figure | null>((w, f) => (w === null || f.p99 > w.p99 ? f : w), null);
  return judge({
    id: 'fault-bite',
    text: `fault bite p99 at most 2% of the scaled heartbeat interval (${limitMs} ms)`,
    value: worst ? round(worst.p99, 3) : null,
    limit: limitMs,
    direction: 'at-most',
    unit: 'ms',
    detail: worst ? `worst p99 of ${bites.length} kinds: ${worst.label}` : 'not measured',
    breakdown: bites.map((f) => `${f.label}: p50 ${round(f.median, 3)} ms, p99 ${round(f.p99, 3)} ms over ${f.n} (${f.note ?? ''})`),
  });
}

function fidelityTarget(figures: readonly Figure[], which: 'protocol' | 'fault', text: string): Target {
  const f = findFigure(figures, `fidelity.${which}`);
  const late = findFigure(figures, 'fidelity-injection.late');
  return judge({
    id: `fidelity-${which}`,
    text,
    value: f && f.n > 0 ? round(Math.max(Math.abs(f.min), Math.abs(f.max)), 2) : null,
    limit: 5,
    direction: 'at-most',
    unit: '% of interval',
    detail: f ? `max |error| over ${f.n} executions; mean ${round(f.mean, 2)}%, sd ${round(f.sd, 2)}%` : 'not measured',
    breakdown: [
      ...(which === 'fault' && late
        ? [`fault request started ${round(late.median, 2)} ms (median), ${round(late.max, 2)} ms (max) after its planned instant`]
        : []),
      ...(f?.note ? f.note.split(' | ') : []),
    ],
  });
}

function proxyTarget(figures: readonly Figure[]): Target {
  const added = findFigure(figures, 'proxy-added.p50');
  const direct = findFigure(figures, 'proxy-rtt.direct');
  const proxied = findFigure(figures, 'proxy-rtt.proxied');
  return judge({
    id: 'proxy-overhead',
    text: 'proxy overhead at most 1 ms added at p50',
    value: added ? round(added.median, 3) : null,
    limit: 1,
    direction: 'at-most',
    unit: 'ms',
    detail:
      added && direct && proxied
        ? `median over ${added.n} blocks; p50 direct ${round(direct.median, 3)} ms, through Toxiproxy ${round(proxied.median, 3)} ms`
        : 'not measured',
    breakdown: [],
  });
}

/** Where a suite run's wall time went: inherent waiting, the rest of each execution, and what lies between executions. */
function suiteBreakdown(figures: readonly Figure[], p: number): string[] {
  const wall = findFigure(figures, `suite-wall.p${p}.wall`);
  const executions = findFigure(figures, `suite-wall.p${p}.executions`);
  const inherent = findFigure(figures, `suite-wall.p${p}.inherent`);
  if (!wall || !executions || !inherent) return [];
  const [sumExec, sumInherent] = [sum(executions.samples), sum(inherent.samples)];
  const lines = [
    `wall ${ms(wall.median)}; executions (site start to removal) ${ms(sumExec)} in all, of which inherent waiting ${ms(sumInherent)} and harness ${ms(sumExec - sumInherent)} (${ms((sumExec - sumInherent) / executions.n)} per execution)`,
  ];
  if (p === 1)
    lines.push(
      `between executions (a worker process each: node, mocha, the suite file): ${ms(wall.median - sumExec)}, ${ms((wall.median - sumExec) / executions.n)} per execution`,
    );
  const up = findFigure(figures, 'site-up.ours');
  const down = findFigure(figures, 'site-down.ours');
  if (up && down)
    lines.push(
      `for scale, from the site-up family: ours starts a site to the sunny day in ${ms(up.median)} and removes it in ${ms(down.median)} (medians)`,
    );
  return lines;
}

function suiteTargets(figures: readonly Figure[]): Target[] {
  const targets: Target[] = [];
  const unmeasured = (id: string, text: string): Target =>
    judge({ id, text, value: null, limit: 1.5, direction: 'at-most', unit: '×', detail: 'not measured in this run', breakdown: [] });
  if (!figures.some((x) => x.measurement === 'suite-efficiency')) {
    return [
      unmeasured('suite-efficiency-p1', 'suite efficiency serial at most 1.5 (wall ÷ inherent waiting)'),
      unmeasured('suite-efficiency-parallel', 'with parallelism, wall time at most 1.5× its longest scenario'),
    ];
  }
  const serial = findFigure(figures, 'suite-efficiency.p1');
  if (serial) {
    targets.push(
      judge({
        id: 'suite-efficiency-p1',
        text: 'suite efficiency serial at most 1.5 (wall ÷ inherent waiting)',
        value: round(serial.median, 2),
        limit: 1.5,
        direction: 'at-most',
        unit: '×',
        detail: serial.note ?? '',
        breakdown: suiteBreakdown(figures, 1),
      }),
    );
  }
  for (const ideal of figures.filter((x) => x.id.startsWith('suite-efficiency-ideal.p'))) {
    const p = Number(ideal.id.replace('suite-efficiency-ideal.p', ''));
    const worded = findFigure(figures, `suite-efficiency.p${p}`);
    targets.push(
      judge({
        id: `suite-efficiency-p${p}`,
        text: `with --parallel ${p}, wall time at most 1.5× its longest scenario (judged against max(longest, Σ inherent ÷ ${p}): no schedule on ${p} lanes ends sooner)`,
        value: round(ideal.median, 2),
        limit: 1.5,
        direction: 'at-most',
        unit: '×',
        detail: `${worded ? `wall ÷ longest: ${round(worded.median, 2)}×; ` : ''}${ideal.note ?? ''}`,
        breakdown: suiteBreakdown(figures, p),
      }),
    );
  }
  return targets;
}

function concurrencyTarget(figures: readonly Figure[]): Target {
  const most = findFigure(figures, 'concurrency.max-sites');
  const strict = findFigure(figures, 'concurrency.max-sites-all-passed');
  const steps = figures.filter((f) => f.measurement === 'concurrency');
  return judge({
    id: 'concurrency',
    text: 'at least 8 concurrent topologies on 2 cores with fidelity holding (max |deviation| ≤ 10% of the interval)',
    value: most ? most.median : null,
    limit: 8,
    direction: 'at-least',
    unit: 'topologies',
    detail: most
      ? `steps tried: ${steps.map((s) => s.label).join(', ')}${strict ? `; with every execution passing too: ${strict.median}` : ''}`
      : 'not measured',
    breakdown: steps.map((s) => `${s.label}: max |deviation| ${s.n > 0 ? `${round(s.max, 2)}%` : 'none measured'}; ${s.note ?? ''}`),
  });
}

/** Every target, in the report's order; those a run did not measure (e.g. --quick) are there as not measured. */
export function evaluateTargets(figures: readonly Figure[], heartbeatIntervalMs: number): Target[] {
  return [
    siteUpTarget(figures, 'compose', 1, 'site up at most 1.0× docker-compose'),
    siteUpTarget(figures, 'testcontainers', 1, 'site up at most 1.0× testcontainers'),
    siteUpTarget(figures, 'floor', 1.5, 'site up within 1.5× the floor (bare docker run)'),
    faultBiteTarget(figures, 0.02 * heartbeatIntervalMs),
    fidelityTarget(figures, 'protocol', 'fidelity error at most 5% of the heartbeat interval (from the first unanswered heartbeat)'),
    fidelityTarget(figures, 'fault', 'fidelity error at most 5% of the heartbeat interval (from the fault, phase model)'),
    proxyTarget(figures),
    ...suiteTargets(figures),
    concurrencyTarget(figures),
  ];
}
