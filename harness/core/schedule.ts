// A schedule of faults, heals, operator commands, administration and waits, as data: one zod schema gives the checks
// and the types, YAML (or JSON) is the file form, and `cmsha replay FILE` runs the same steps at the same phases.

import { Document, isMap, isScalar, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { LINK_NAMES, NODE_NAMES, type CmsName, type LinkName, type NodeName } from '../../images/protocol/index.js';
import { HarnessError } from './errors.js';

export const SCHEDULE_SCHEMA = 1;

/** Protocol events a step can be placed at: it is made as soon as the harness sees the event after the previous step. */
export const PLACEMENT_EVENTS = {
  failover: 'the secondary becomes ACTIVE',
  return: 'the primary hears the secondary that took over (a return)',
  'failback-handover': 'the primary takes the ACTIVE role back by automatic failback (the handover in flight)',
  'heartbeat-missed': 'the secondary misses a heartbeat',
  'dual-active': 'a CMS raises DUAL_ACTIVE',
  'link-lost': "a CMS's ACD link leaves data transfer",
  pumpup: "a CMS's ACD link is accepted and in pump-up (between the accept and data transfer)",
  'dual-ip-cycle': 'a CMS begins a Dual-IP cycle',
  'ess-timing': 'the ESS begins its no-service timing',
  'ess-active': 'the ESS becomes ACTIVE',
  'ess-resetting': 'the ESS begins resetting',
} as const;
export type PlacementEvent = keyof typeof PLACEMENT_EVENTS;

const CMS = ['cms-primary', 'cms-secondary'] as const;
const NODE_FAULTS = ['kill', 'stop', 'pause', 'isolate'] as const;
const LINK_FAULTS = ['cut', 'blackhole', 'latency'] as const;

const phase = z
  .number({ error: 'must be a number' })
  .min(0, { error: 'must be at least 0' })
  .lt(1, { error: 'must be below 1 (a fraction of the heartbeat cycle)' });

const placementSchema = z.union(
  [
    z.strictObject({ phase }),
    z.strictObject({
      event: z.enum(Object.keys(PLACEMENT_EVENTS) as [PlacementEvent, ...PlacementEvent[]], {
        error: `must be one of ${Object.keys(PLACEMENT_EVENTS).join(', ')}`,
      }),
      /** Only this CMS's event (link-lost, pumpup, dual-ip-cycle, dual-active); default either. */
      node: z.enum(CMS).optional(),
      /** How many heartbeat cycles to wait for the event before making the step anyway. Default 40. */
      withinCycles: z.number().positive().optional(),
    }),
  ],
  { error: 'must be { phase: 0…1 } or { event: <protocol event> }' },
);

const faultSchema = z.strictObject({
  /** A name the heal refers to ("f1"). */
  fault: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a short name of lowercase letters, digits and -' }),
  kind: z.enum([...NODE_FAULTS, ...LINK_FAULTS], { error: `must be one of ${[...NODE_FAULTS, ...LINK_FAULTS].join(', ')}` }),
  target: z.enum([...NODE_NAMES, ...LINK_NAMES], { error: 'must be a node or a link of the site' }),
  direction: z.enum(['upstream', 'downstream', 'both']).optional(),
  /** latency: each way, as a fraction of the heartbeat timeout (so the schedule means the same at every time scale). */
  size: z.number().positive().max(2).optional(),
  at: placementSchema,
});

const stepSchema = z.union(
  [
    faultSchema,
    z.strictObject({ heal: z.string(), at: placementSchema }),
    z.strictObject({ operator: z.enum(['set-active', 'set-standby']), node: z.enum(CMS), at: placementSchema }),
    z.strictObject({ operator: z.literal('forced-takeover'), at: placementSchema }),
    z.strictObject({ admin: z.strictObject({ node: z.enum(CMS), object: z.string().min(1), value: z.string() }), at: placementSchema }),
    z.strictObject({ wait: z.strictObject({ cycles: z.number().min(0).max(1_000) }) }),
  ],
  { error: 'is not a step: give one of fault, heal, operator, admin or wait (see the schedule schema)' },
);

export const scheduleSchema = z.strictObject({
  schedule: z.literal(SCHEDULE_SCHEMA, { error: `must be ${SCHEDULE_SCHEMA}` }),
  /** What found it, for people: "explore seed 7, schedule 12, shrunk". */
  title: z.string().optional(),
  /** The site it runs on: the run's site with these changes. */
  site: z
    .strictObject({
      policy: z
        .strictObject({
          autoFailover: z.boolean(),
          autoFailback: z.boolean(),
          returningPrimary: z.enum(['hold-standby', 'stay-active']),
        })
        .partial()
        .optional(),
    })
    .optional(),
  steps: z.array(stepSchema),
});

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleStep = Schedule['steps'][number];
export type Placement = z.infer<typeof placementSchema>;
export type FaultStep = z.infer<typeof faultSchema>;
export type NodeFaultKind = (typeof NODE_FAULTS)[number];

export const isFault = (s: ScheduleStep): s is FaultStep => 'fault' in s;
export const isHeal = (s: ScheduleStep): s is Extract<ScheduleStep, { heal: string }> => 'heal' in s;
export const isWait = (s: ScheduleStep): s is Extract<ScheduleStep, { wait: unknown }> => 'wait' in s;
export const isOperator = (s: ScheduleStep): s is Extract<ScheduleStep, { operator: string }> => 'operator' in s;
export const isAdmin = (s: ScheduleStep): s is Extract<ScheduleStep, { admin: unknown }> => 'admin' in s;

/** Rules between steps a per-step schema cannot state: a node fault on a node, a link fault on a link, heals name faults. */
export function scheduleProblems(schedule: Schedule): string[] {
  const problems: string[] = [];
  const open = new Set<string>();
  const named = new Set<string>();
  schedule.steps.forEach((step, i) => {
    const where = `steps[${i}]`;
    if (isFault(step)) {
      const onNode = (NODE_FAULTS as readonly string[]).includes(step.kind);
      if (onNode !== (NODE_NAMES as readonly string[]).includes(step.target))
        problems.push(`${where}: ${step.kind} needs ${onNode ? 'a node' : 'a link'}, got ${step.target}`);
      if (named.has(step.fault)) problems.push(`${where}: fault name "${step.fault}" is used twice`);
      if (step.kind === 'latency' && step.size === undefined)
        problems.push(`${where}: a latency needs its size (a fraction of the heartbeat timeout)`);
      named.add(step.fault);
      open.add(step.fault);
    } else if (isHeal(step)) {
      if (!open.has(step.heal))
        problems.push(`${where}: heal "${step.heal}" names no fault in force (in force: ${[...open].join(', ') || 'none'})`);
      open.delete(step.heal);
    }
  });
  return problems;
}

/** Checks a schedule read from a file or built in code; throws BAD_INPUT naming every problem and where. */
export function checkSchedule(raw: unknown, where: string): Schedule {
  const parsed = scheduleSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${where}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new HarnessError('BAD_INPUT', `${lines.join('\n')}\nSee a schedule written by \`cmsha explore\` for the form.`, {
      details: { where },
    });
  }
  const problems = scheduleProblems(parsed.data);
  if (problems.length > 0) throw new HarnessError('BAD_INPUT', problems.map((p) => `${where}: ${p}`).join('\n'), { details: { where } });
  return parsed.data;
}

/** Parses a schedule file's text (YAML or JSON). */
export function parseSchedule(text: string, where: string): Schedule {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new HarnessError('BAD_INPUT', `${where}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}. Fix the syntax and run again.`);
  return checkSchedule(doc.toJS(), where);
}

/** The file form: YAML, one step per block, placements and small maps on one line, readable by a person. */
export function scheduleYaml(schedule: Schedule): string {
  const { schedule: version, title, site, steps } = schedule;
  const doc = new Document(
    { schedule: version, ...(title ? { title } : {}), ...(site ? { site } : {}), steps },
    { aliasDuplicateObjects: false },
  );
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && ['at', 'wait', 'admin', 'policy'].includes(String(pair.key.value)) && isMap(pair.value))
        pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 }).replace(/^( {2}- )/gm, '\n$1');
}

/** Every fault still in force after the last step, healed at the end (a schedule ends with the site whole again). */
export function healedAtEnd(schedule: Schedule): Schedule {
  const open: string[] = [];
  for (const step of schedule.steps) {
    if (isFault(step)) open.push(step.fault);
    else if (isHeal(step)) open.splice(open.indexOf(step.heal), 1);
  }
  return { ...schedule, steps: [...schedule.steps, ...open.map((fault) => ({ heal: fault, at: { phase: 0.5 } }))] };
}

/** One step in words: "kill cms-primary at phase 0.25", "heal f1 at the failover". */
export function stepWords(step: ScheduleStep): string {
  const place = (p: Placement): string =>
    'phase' in p ? `at phase ${p.phase.toFixed(2)}` : `at ${p.event}${p.node ? ` of ${p.node}` : ''}`;
  if (isWait(step)) return `wait ${step.wait.cycles} heartbeat cycle(s)`;
  if (isFault(step))
    return `${step.fault}: ${step.kind} ${step.target}${step.direction && step.direction !== 'both' ? ` ${step.direction}` : ''}${step.size !== undefined ? ` (${step.size}× the heartbeat timeout)` : ''} ${place(step.at)}`;
  if (isHeal(step)) return `heal ${step.heal} ${place(step.at)}`;
  if (isOperator(step)) return `operator ${step.operator}${'node' in step ? ` ${step.node}` : ''} ${place(step.at)}`;
  return `admin on ${step.admin.node}: ${step.admin.object} = ${step.admin.value} ${place(step.at)}`;
}

export type { CmsName, LinkName, NodeName };
