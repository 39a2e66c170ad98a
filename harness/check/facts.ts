// What a checker judges: one finished execution, as its timeline, faults and the operator's actions, and the questions
// every checker asks of it (which life of a node an event belongs to, which faults were in force, what a node held).

import type { AlarmName, CmsName, HaRole, LinkName, NodeName } from '../../images/protocol/index.js';
import { toNs } from '../core/clock.js';
import type { ActionRecord, EventOfType, FaultKind, FaultRecord, TestEvidence } from '../core/model.js';
import { scaleSite, type ScaledSite } from '../core/site-config.js';
import { CMS_NODES, is, unobservableSpans } from '../observe/site-state.js';
import { spansOf, subtractSpans, type Span } from '../observe/spans.js';
import { Timeline, type Stamped } from '../observe/timeline.js';

/** A finished execution, everything a pure checker needs. */
export interface ExecutionFacts {
  timeline: Timeline;
  /** The site as the stand-ins ran it (scaled): every bound is computed from it. */
  site: ScaledSite;
  faults: readonly FaultRecord[];
  actions: readonly ActionRecord[];
  /** The start of the observation (the sunny day reached) and its end. */
  startNs: bigint;
  endNs: bigint;
  /** From when the site may settle: the last fault healed or the last step made; convergence counts from here. */
  settleFromNs: bigint;
}

/**
 * The facts of a test from its evidence; null for an execution that was never observed. A running site passes the
 * scaled site it holds; from a record alone the evidence's site is scaled at its time scale.
 */
export function factsOf(evidence: TestEvidence, scaled?: ScaledSite): ExecutionFacts | null {
  if (evidence.site === null || evidence.timeScale === null) return null;
  const timeline = new Timeline();
  timeline.add(evidence.timeline.filter((e) => e.node !== 'harness'));
  for (const e of evidence.timeline) if (e.node === 'harness') timeline.add([e]);
  const startNs = toNs(evidence.startNs);
  const endNs = evidence.endNs === null ? (timeline.observedUntilNs ?? startNs) : toNs(evidence.endNs);
  const faults = evidence.faults;
  const actions = evidence.actions ?? [];
  const lastMove = [
    ...faults.flatMap((f) => [f.appliedNs, f.healedNs ?? f.appliedNs]),
    ...actions.map((a) => a.doneNs),
    ...(evidence.steps ?? []).map((s) => s.madeNs),
    // A wait is observation, not a move: the site settles during it.
    ...(evidence.schedule?.steps ?? []).filter((s) => !s.words.startsWith('wait ')).map((s) => s.madeNs),
  ]
    .map((ns) => toNs(ns))
    .reduce((a, b) => (b > a ? b : a), startNs);
  return {
    timeline,
    site: scaled ?? scaleSite(evidence.site, evidence.timeScale),
    faults,
    actions,
    startNs,
    endNs,
    settleFromNs: lastMove,
  };
}

export const peerOf = (node: CmsName): CmsName => (node === 'cms-primary' ? 'cms-secondary' : 'cms-primary');

/** When each fault was in force: from its request to its heal (open while never healed). */
export function faultSpan(fault: FaultRecord): Span {
  return { fromNs: toNs(fault.appliedNs), toNs: fault.healedNs === null ? null : toNs(fault.healedNs) };
}

/** The spans during which any fault of these kinds on these targets was in force, merged. */
export function inForce(facts: ExecutionFacts, kinds: readonly FaultKind[], targets: ReadonlyArray<NodeName | LinkName>): Span[] {
  return unionSpans(facts.faults.filter((f) => kinds.includes(f.kind) && targets.includes(f.target)).map(faultSpan));
}

/** Sorted, non-overlapping union of spans (null ends are open). */
export function unionSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.fromNs < b.fromNs ? -1 : a.fromNs > b.fromNs ? 1 : 0));
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && (last.toNs === null || s.fromNs <= last.toNs)) {
      if (last.toNs !== null && (s.toNs === null || s.toNs > last.toNs)) last.toNs = s.toNs;
    } else out.push({ ...s });
  }
  return out;
}

/** The parts of [fromNs, toNs] outside every span. */
export function complementSpans(spans: readonly Span[], fromNs: bigint, toNs: bigint): Array<{ fromNs: bigint; toNs: bigint }> {
  return subtractSpans([{ fromNs, toNs }], unionSpans(spans)).map((s) => ({ fromNs: s.fromNs, toNs: s.toNs ?? toNs }));
}

/** Whether an instant lies in one of the spans. */
export function within(spans: readonly Span[], ns: bigint): boolean {
  return spans.some((s) => s.fromNs <= ns && (s.toNs === null || ns < s.toNs));
}

/** A span closed at `endNs` when it is still open. */
export function closed(span: Span, endNs: bigint): { fromNs: bigint; toNs: bigint } {
  return { fromNs: span.fromNs, toNs: span.toNs ?? endNs };
}

/** When `node` could not be observed (killed, stopped, paused: it served nobody then). */
export function unobservable(facts: ExecutionFacts, node: NodeName): Span[] {
  return unobservableSpans(facts.timeline, node);
}

/**
 * When `node` was ACTIVE and observable: a killed or paused CMS serves nobody, whatever its last role said, and a
 * process that started again holds no role until it takes one.
 */
export function servingActive(facts: ExecutionFacts, node: CmsName): Span[] {
  const active = spansOf(facts.timeline.events(), (e) =>
    e.node !== node ? undefined : e.type === 'role' ? e.role === 'ACTIVE' : e.type === 'started' ? false : undefined,
  );
  return subtractSpans(active, unobservable(facts, node));
}

/** When `node` ran its protocol: each life from its `begun`, less the stretches it was killed, stopped or paused. */
export function running(facts: ExecutionFacts, node: NodeName): Span[] {
  const lives = lifeSpans(facts, node).map((life) => ({ fromNs: life.begunNs, toNs: life.toNs }));
  return subtractSpans(lives, unobservable(facts, node));
}

/**
 * Whether `node` had `alarm` raised at `ns`: by its last alarm event of that name in its current life. A process that
 * started again holds no alarm until it raises one.
 */
export function alarmRaised(facts: ExecutionFacts, node: NodeName, alarm: AlarmName | string, ns: bigint): boolean {
  const last = facts.timeline.last((e) => e.node === node && ((e.type === 'alarm' && e.alarm === alarm) || e.type === 'started'), {
    atOrBeforeNs: ns,
  });
  return last?.type === 'alarm' ? last.raised : false;
}

/** When `node` had `alarm` raised, life by life. */
export function alarmSpans(facts: ExecutionFacts, node: NodeName, alarm: AlarmName | string): Span[] {
  return spansOf(facts.timeline.events(), (e) =>
    e.node !== node ? undefined : e.type === 'alarm' && e.alarm === alarm ? e.raised : e.type === 'started' ? false : undefined,
  );
}

/** The role of a CMS at `ns` by its last role event; null before any. */
export function roleOf(facts: ExecutionFacts, node: CmsName, ns: bigint): HaRole | null {
  return facts.timeline.last(is.role(node), { atOrBeforeNs: ns })?.role ?? null;
}

/** The instants each life of `node` began (its `started` events), oldest first. */
export function lives(facts: ExecutionFacts, node: NodeName): bigint[] {
  return facts.timeline.events(is.started(node)).map((e) => e.ns);
}

/** Events of `node` of one life: from the life's start (inclusive) to the next one's (exclusive). */
export function eventsOfLife(facts: ExecutionFacts, node: NodeName, fromNs: bigint, toNs: bigint | null): Stamped[] {
  return facts.timeline.events((e) => e.node === node && e.ns >= fromNs && (toNs === null || e.ns < toNs));
}

/**
 * Each life of `node` as a span, with its events (a life that began before the observation starts at its first event).
 * `begunNs` is when its protocol began: a restarted node is started ahead of its `begun` and does nothing until then.
 */
export function lifeSpans(
  facts: ExecutionFacts,
  node: NodeName,
): Array<{ fromNs: bigint; begunNs: bigint; toNs: bigint | null; events: Stamped[] }> {
  const starts = lives(facts, node);
  const first = facts.timeline.first((e) => e.node === node);
  if (first && (starts.length === 0 || first.ns < starts[0]!)) starts.unshift(first.ns);
  return starts.map((fromNs, i) => {
    const toNs = starts[i + 1] ?? null;
    const events = eventsOfLife(facts, node, fromNs, toNs);
    const begun = events.find((e) => e.type === 'begun');
    return { fromNs, begunNs: begun ? begun.ns : fromNs, toNs, events };
  });
}

/** The accepted administration changes of the operator, with what the site numbered them. */
export function adminChanges(facts: ExecutionFacts): Array<ActionRecord & { node: CmsName; changeSeq: number }> {
  return facts.actions.filter(
    (a): a is ActionRecord & { node: CmsName; changeSeq: number } =>
      a.action === 'admin-change' && a.accepted && a.changeSeq !== undefined && (CMS_NODES as readonly string[]).includes(a.node),
  );
}

/** Sessions as the servers saw them: acd-session events of one server for one CMS. */
export type SessionEvent = EventOfType<'acd-session'>;
