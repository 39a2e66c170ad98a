// Generated schedules (fast-check arbitraries, replayable by seed and index), biased toward what breaks HA sites:
// compound faults, flapping, faults during recovery, operators racing the automation, administration in a split brain,
// the ESS taking over and handing back, under every failback policy and both autoFailover settings.

import fc from 'fast-check';
import type { CmsName, LinkName, NodeName } from '../../images/protocol/index.js';
import { SCHEDULE_SCHEMA, isFault, type Placement, type Schedule, type ScheduleStep } from '../core/schedule.js';

/** A step before its fault is named: faults are numbered f1, f2… once the motifs are joined. */
type Draft = ScheduleStep;

const phaseOf = fc.integer({ min: 0, max: 19 }).map((n) => n / 20);
const phase = phaseOf.map((p): Placement => ({ phase: p }));
const cycles = (min: number, max: number) => fc.integer({ min: min * 2, max: max * 2 }).map((n): Draft => ({ wait: { cycles: n / 2 } }));
const cms = fc.constantFrom<CmsName>('cms-primary', 'cms-secondary');

/** A fault on one thing, as a step with a placeholder name. */
type FaultDraft = {
  kind: 'kill' | 'stop' | 'pause' | 'isolate' | 'cut' | 'blackhole' | 'latency';
  target: NodeName | LinkName;
  size?: number;
};
const fault = (f: FaultDraft, at: Placement, name: string): Draft => ({ fault: name, ...f, at });
const heal = (name: string, at: Placement): Draft => ({ heal: name, at });

const primaryFault = fc.constantFrom<FaultDraft>(
  { kind: 'kill', target: 'cms-primary' },
  { kind: 'stop', target: 'cms-primary' },
  { kind: 'pause', target: 'cms-primary' },
  { kind: 'isolate', target: 'cms-primary' },
  { kind: 'cut', target: 'heartbeat' },
  { kind: 'blackhole', target: 'heartbeat' },
);
const anyCmsFault = fc.constantFrom<FaultDraft>(
  { kind: 'kill', target: 'cms-secondary' },
  { kind: 'stop', target: 'cms-secondary' },
  { kind: 'pause', target: 'cms-secondary' },
  { kind: 'kill', target: 'cms-primary' },
  { kind: 'pause', target: 'cms-primary' },
  { kind: 'cut', target: 'heartbeat' },
  { kind: 'cut', target: 'admin-sync' },
  { kind: 'blackhole', target: 'admin-sync' },
  { kind: 'cut', target: 'acd-primary' },
  { kind: 'blackhole', target: 'acd-secondary' },
  { kind: 'latency', target: 'heartbeat', size: 0.45 },
  { kind: 'cut', target: 'client-primary' },
);
const linkFault = fc.constantFrom<FaultDraft>(
  { kind: 'cut', target: 'acd-primary' },
  { kind: 'cut', target: 'acd-secondary' },
  { kind: 'blackhole', target: 'acd-primary' },
  { kind: 'cut', target: 'heartbeat' },
  { kind: 'blackhole', target: 'heartbeat' },
  { kind: 'cut', target: 'admin-sync' },
);

/** A fault and its heal, again and again. */
const flapping = fc
  .record({
    f: fc.oneof(primaryFault, linkFault, anyCmsFault),
    times: fc.integer({ min: 2, max: 4 }),
    hold: cycles(0.5, 5),
    gap: cycles(0.5, 5),
    at: phase,
    back: phase,
  })
  .map(({ f, times, hold, gap, at, back }) =>
    Array.from({ length: times }, (_, i) => [fault(f, at, `x${i}`), hold, heal(`x${i}`, back), gap]).flat(),
  );

/** The primary fails, the secondary takes over, the primary returns; something happens while it does. */
const failoverAndReturn = fc
  .record({
    f: primaryFault,
    at: phase,
    settle: cycles(0, 3),
    back: phase,
    during: fc.constantFrom<'return' | 'failback-handover' | 'failover'>('return', 'failback-handover', 'failover'),
    then: fc.oneof(
      fc.record({ operator: fc.constantFrom<'set-active' | 'set-standby'>('set-active', 'set-standby'), node: cms }),
      fc.record({ second: anyCmsFault, hold: cycles(1, 6), back: phase }),
    ),
  })
  .map(({ f, at, settle, back, during, then }) => {
    const act: Draft[] =
      'operator' in then
        ? [{ operator: then.operator, node: then.node, at: { event: during, withinCycles: 8 } }]
        : [fault(then.second, { event: during, withinCycles: 8 }, 'b'), then.hold, heal('b', then.back)];
    // During the failover itself the first fault stays in force; else the primary returns first and the act races it.
    if (during === 'failover') return [fault(f, at, 'a'), ...act, { wait: { cycles: 2 } }, heal('a', back)];
    return [fault(f, at, 'a'), { wait: { cycles: 5 } }, settle, heal('a', back), ...act];
  });

/** Two faults of different kinds overlapping. */
const compound = fc
  .record({
    f1: fc.oneof(primaryFault, anyCmsFault),
    f2: fc.oneof(anyCmsFault, linkFault),
    p1: phase,
    p2: phase,
    w1: cycles(0.5, 4),
    w2: cycles(0.5, 5),
    h1: phase,
    h2: phase,
    order: fc.boolean(),
  })
  .filter(({ f1, f2 }) => f1.target !== f2.target)
  .map(({ f1, f2, p1, p2, w1, w2, h1, h2, order }) => [
    fault(f1, p1, 'a'),
    w1,
    fault(f2, p2, 'b'),
    w2,
    ...(order ? [heal('a', h1), heal('b', h2)] : [heal('b', h2), heal('a', h1)]),
  ]);

/** The operator switches over (both orders of the two commands), then something fails on the new ACTIVE CMS. */
const operatorRace = fc
  .record({
    standbyFirst: fc.boolean(),
    p: phase,
    gap: cycles(0, 2),
    f: fc.constantFrom<FaultDraft>(
      { kind: 'kill', target: 'cms-secondary' },
      { kind: 'stop', target: 'cms-secondary' },
      { kind: 'pause', target: 'cms-secondary' },
      { kind: 'cut', target: 'heartbeat' },
      { kind: 'kill', target: 'cms-primary' },
    ),
    fp: phase,
    hold: cycles(2, 6),
    hp: phase,
  })
  .map(({ standbyFirst, p, gap, f, fp, hold, hp }) => {
    const commands: Draft[] = [
      { operator: 'set-standby', node: 'cms-primary', at: p },
      { operator: 'set-active', node: 'cms-secondary', at: p },
    ];
    if (!standbyFirst) commands.reverse();
    return [commands[0]!, gap, commands[1]!, { wait: { cycles: 2 } }, fault(f, fp, 'a'), hold, heal('a', hp)];
  });

/** A partition, the same object administered on both ACTIVE CMS, then the heal. */
const splitBrainAdmin = fc
  .record({
    object: fc.constantFrom('vector-12', 'skill-7', 'split-3'),
    p: phase,
    hp: phase,
    first: fc.boolean(),
    viaIsolate: fc.boolean(),
  })
  .map(({ object, p, hp, first, viaIsolate }) => {
    const cutSteps: Draft[] = viaIsolate
      ? [fault({ kind: 'isolate', target: 'cms-primary' }, p, 'a')]
      : [fault({ kind: 'cut', target: 'heartbeat' }, p, 'a'), fault({ kind: 'cut', target: 'admin-sync' }, p, 'b')];
    const admin = (node: CmsName, value: string): Draft => ({ admin: { node, object, value }, at: { phase: 0.5 } });
    const changes = [admin('cms-primary', 'set on the primary'), admin('cms-secondary', 'set on the secondary')];
    if (!first) changes.reverse();
    return [
      ...cutSteps,
      { wait: { cycles: 5 } },
      ...changes,
      { wait: { cycles: 1 } },
      ...(viaIsolate ? [heal('a', hp)] : [heal('a', hp), heal('b', hp)]),
    ];
  });

/** The main CM down until the ESS takes over; the CM back; then a CMS link drops or the operator hands back. */
const essTakeover = fc
  .record({
    f: fc.constantFrom<FaultDraft>({ kind: 'stop', target: 'cm' }, { kind: 'kill', target: 'cm' }),
    p: phase,
    after: cycles(1, 6),
    hp: phase,
    then: fc.constantFrom<'kill-secondary' | 'cut-ess-link' | 'forced-takeover' | 'restart-primary' | 'nothing'>(
      'kill-secondary',
      'cut-ess-link',
      'forced-takeover',
      'restart-primary',
      'nothing',
    ),
    tp: phase,
  })
  .map(({ f, p, after, hp, then, tp }) => {
    // At the default timers the ESS is ACTIVE 15 cycles after the CM stops, and both CMS reach it at the ESS slot of
    // their second Dual-IP cycle, 18 to 20 cycles after: the CM comes back once they are on the ESS.
    const steps: Draft[] = [fault(f, p, 'a'), { wait: { cycles: 19 } }, after, heal('a', hp), { wait: { cycles: 2 } }];
    if (then === 'kill-secondary')
      steps.push(fault({ kind: 'kill', target: 'cms-secondary' }, tp, 'b'), { wait: { cycles: 1 } }, heal('b', tp));
    if (then === 'restart-primary')
      steps.push(fault({ kind: 'kill', target: 'cms-primary' }, tp, 'b'), { wait: { cycles: 1 } }, heal('b', tp));
    if (then === 'cut-ess-link')
      steps.push(fault({ kind: 'cut', target: 'acd-secondary-ess' }, tp, 'b'), { wait: { cycles: 3 } }, heal('b', tp));
    if (then === 'forced-takeover') steps.push({ operator: 'forced-takeover', at: tp });
    return steps;
  });

/** A node restarted at once, perhaps while its own CM link is cut. */
const restart = fc
  .record({
    node: fc.constantFrom<NodeName>('cms-primary', 'cms-secondary', 'cm'),
    linkCut: fc.boolean(),
    p: phase,
    hp: phase,
    hold: cycles(1, 5),
  })
  .map(({ node, linkCut, p, hp, hold }) => {
    const link: LinkName = node === 'cms-secondary' ? 'acd-secondary' : 'acd-primary';
    const steps: Draft[] = [fault({ kind: 'kill', target: node }, p, 'a'), { wait: { cycles: 0.5 } }, heal('a', hp)];
    if (!linkCut || node === 'cm') return steps;
    return [fault({ kind: 'cut', target: link }, p, 'c'), { wait: { cycles: 1 } }, ...steps, hold, heal('c', hp)];
  });

/** A CMS's CM link lost, healed, and cut again while it pumps up; or the CMS frozen across several Dual-IP slots. */
const dualIp = fc
  .record({ node: cms, p: phase, hp: phase, freeze: fc.boolean(), hold: cycles(2, 6) })
  .map(({ node, p, hp, freeze, hold }) => {
    const link: LinkName = node === 'cms-primary' ? 'acd-primary' : 'acd-secondary';
    if (freeze)
      return [
        fault({ kind: 'cut', target: link }, p, 'a'),
        { wait: { cycles: 1 } },
        fault({ kind: 'pause', target: node }, p, 'b'),
        hold,
        heal('b', hp),
        { wait: { cycles: 2 } },
        heal('a', hp),
      ];
    return [
      fault({ kind: 'cut', target: link }, p, 'a'),
      { wait: { cycles: 1 } },
      heal('a', hp),
      fault({ kind: 'cut', target: link }, { event: 'pumpup', node, withinCycles: 6 }, 'b'),
      hold,
      heal('b', hp),
    ];
  });

const motif = fc.oneof(
  { weight: 3, arbitrary: failoverAndReturn },
  { weight: 3, arbitrary: flapping },
  { weight: 2, arbitrary: compound },
  { weight: 2, arbitrary: operatorRace },
  { weight: 2, arbitrary: splitBrainAdmin },
  { weight: 2, arbitrary: essTakeover },
  { weight: 2, arbitrary: restart },
  { weight: 2, arbitrary: dualIp },
);

const policy = fc.record({
  autoFailover: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  failback: fc.constantFrom('hold-standby', 'stay-active', 'auto-failback'),
});

/** Administration now and then, on whichever CMS: a STANDBY one refuses it, which is fine. */
const sprinkle = fc.option(
  fc
    .record({ node: cms, p: phaseOf, object: fc.constantFrom('vector-12', 'trunk-5', 'agent-4711') })
    .map(({ node, p, object }): Draft => ({ admin: { node, object, value: `v${Math.round(p * 20)}` }, at: { phase: p } })),
  { freq: 3 },
);

/** A whole schedule: a policy and one or two motifs, administration sprinkled in, faults named f1, f2… */
export const scheduleArbitrary: fc.Arbitrary<Schedule> = fc
  .record({ policy, motifs: fc.array(fc.record({ steps: motif, admin: sprinkle, gap: cycles(1, 4) }), { minLength: 1, maxLength: 2 }) })
  .map(({ policy: p, motifs }) => {
    const steps: ScheduleStep[] = [];
    motifs.forEach(({ steps: drafts, admin, gap }, m) => {
      if (m > 0) steps.push(gap);
      if (admin) steps.push(admin);
      steps.push(...rename(drafts, `m${m}`));
    });
    return {
      schedule: SCHEDULE_SCHEMA,
      site: {
        policy: {
          autoFailover: p.autoFailover,
          autoFailback: p.failback === 'auto-failback',
          returningPrimary: p.failback === 'stay-active' ? 'stay-active' : 'hold-standby',
        },
      },
      steps: numberFaults(steps),
    } satisfies Schedule;
  });

/** Gives each motif's placeholder fault names a prefix, so two motifs never share one. */
function rename(steps: readonly Draft[], prefix: string): Draft[] {
  return steps.map((s) => (isFault(s) ? { ...s, fault: `${prefix}${s.fault}` } : 'heal' in s ? { ...s, heal: `${prefix}${s.heal}` } : s));
}

/** Names the faults f1, f2… in the order they are applied. */
export function numberFaults(steps: readonly ScheduleStep[]): ScheduleStep[] {
  const names = new Map<string, string>();
  for (const s of steps) if (isFault(s)) names.set(s.fault, `f${names.size + 1}`);
  return steps.map((s) =>
    isFault(s) ? { ...s, fault: names.get(s.fault)! } : 'heal' in s ? { ...s, heal: names.get(s.heal) ?? s.heal } : s,
  );
}

/** Schedule `index` (0-based) of the exploration with `seed`: the same pair always gives the same schedule. */
export function generatedSchedule(seed: number, index: number): Schedule {
  const [schedule] = fc.sample(scheduleArbitrary, { seed: (seed ^ Math.imul(index + 1, 0x9e37_79b1)) >>> 0, numRuns: 1 });
  return { schedule: SCHEDULE_SCHEMA, title: `explore seed ${seed}, schedule ${index + 1}`, site: schedule!.site, steps: schedule!.steps };
}
