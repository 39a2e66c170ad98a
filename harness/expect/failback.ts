// The return of the primary: the site's failback policy applied on the first heartbeat the returning primary hears
// from the secondary that took over, the handover of an automatic failback, and the roles holding afterwards.

import type { HaRole, Policy } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import { firstTakeoverBeatHeard, handoverStart } from '../check/anchors.js';
import { dualActiveRaisedAt, heldRoles, roleAtInstant, type Sentence } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { dualActiveSpans, is } from '../observe/site-state.js';
import { clipSpans } from '../observe/spans.js';
import type { Expectations } from './context.js';
import { eventWithin } from './shapes.js';

/**
 * The returning primary applies the site's failback policy on the first heartbeat it hears from the secondary that
 * took over; with automatic failback both are ACTIVE at most one heartbeat exchange. The roles then hold.
 */
export async function toFailBack(x: Expectations): Promise<string> {
  const back = x.site.lastHeal ?? x.fail('toFailBack needs the primary’s return (a heal) first', null);
  const { policy } = x.scaled;
  const checks: Sentence[] = [];
  const anchor = await heard(x, back, checks);
  const [primary, secondary] = policyRoles(policy);
  const settle = await decided(x, back.ns, anchor, [primary, secondary], checks);
  // The decision holds: one more heartbeat round without a role change.
  const holdUntil = settle + msToNs(x.t.heartbeatIntervalMs + x.t.heartbeatTimeoutMs);
  await x.untilObserved(holdUntil);
  x.verdicts([
    ...checks,
    ...heldRoles(x.tl, { 'cms-primary': primary, 'cms-secondary': secondary }, settle, holdUntil, anchor, x.ev.startNs),
  ]);
  return `${policy.autoFailback ? 'automatic failback' : policy.returningPrimary}: cms-primary ${primary}, cms-secondary ${secondary}`;
}

/**
 * The decision on the heartbeat itself: the primary's role then; the secondary's once settled (with automatic
 * failback, the handover); under stay-active, DUAL_ACTIVE raised. Waits until it settled; returns when that was.
 */
async function decided(
  x: Expectations,
  backNs: bigint,
  anchor: HeardAnchor,
  [primary, secondary]: [HaRole, HaRole],
  checks: Sentence[],
): Promise<bigint> {
  const { policy } = x.scaled;
  const decidedNs = anchor.ns + msToNs(w.failbackDecision(x.scaled, anchor).toMs);
  const from = policy.autoFailback ? await handoverFrom(x, anchor) : anchor;
  const settle = policy.autoFailback ? from.ns + msToNs(x.t.heartbeatTimeoutMs) : decidedNs;
  await x.untilObserved(settle);
  checks.push(roleAtInstant(x.tl, 'cms-primary', primary, decidedNs, anchor, x.ev.startNs));
  if (policy.autoFailback) checks.push(...handover(x, backNs, from));
  else checks.push(roleAtInstant(x.tl, 'cms-secondary', secondary, settle, anchor, x.ev.startNs));
  // Raised on the heartbeat that told it, or earlier over Admin-Sync when only the heartbeat path was cut.
  if (!policy.autoFailback && policy.returningPrimary === 'stay-active')
    checks.push(dualActiveRaisedAt(x.tl, 'cms-primary', anchor.ns + msToNs(w.SCHEDULING_MS), anchor, x.ev.startNs));
  return settle;
}

/** The first heartbeat the returning primary hears from the secondary that took over, within a heartbeat of the return. */
async function heard(x: Expectations, back: w.HealAnchor, checks: Sentence[]): Promise<HeardAnchor> {
  await eventWithin(x, is.takeoverHeard(), {
    what: 'the returning primary to hear the secondary that took over',
    afterNs: back.ns,
    windows: [w.failbackFromReturn(x.scaled, { ...back, label: 'the primary returned' })],
    fact: 'the primary heard the secondary that took over',
    never: 'the returning primary never heard the secondary that took over',
    into: checks,
  });
  return firstTakeoverBeatHeard(x.tl, back.ns)!;
}

type HeardAnchor = NonNullable<ReturnType<typeof firstTakeoverBeatHeard>>;

/** Where the handover counts from (see handoverStart): after the next heartbeat, if the one heard was already missed. */
async function handoverFrom(x: Expectations, heard: HeardAnchor): Promise<w.Anchor> {
  const now = handoverStart(x.tl, heard.event, heard.label);
  if (now) return now;
  await x.untilObserved(heard.ns + msToNs(x.t.heartbeatIntervalMs + w.SCHEDULING_MS));
  return handoverStart(x.tl, heard.event, heard.label) ?? heard;
}

/** The roles the policy gives the primary and the secondary once the primary is back. */
function policyRoles(policy: Policy): [HaRole, HaRole] {
  if (policy.autoFailback) return ['ACTIVE', 'STANDBY'];
  return policy.returningPrimary === 'hold-standby' ? ['STANDBY', 'ACTIVE'] : ['ACTIVE', 'ACTIVE'];
}

/** The handover: from the heartbeat on which the primary took the role back to the secondary's STANDBY. */
function handover(x: Expectations, backNs: bigint, anchor: w.Anchor): Sentence[] {
  const standby = x.tl.first(is.role('cms-secondary', 'STANDBY'), { afterNs: anchor.ns - msToNs(w.SCHEDULING_MS) });
  if (!standby) {
    const text = 'cms-secondary never went STANDBY after the primary took the ACTIVE role back; expected it within one heartbeat exchange';
    return [{ ok: false, text }];
  }
  const checks = [x.measure(w.handoverDualActive(x.scaled, anchor), standby, 'cms-secondary went STANDBY, ending the handover')];
  const span = clipSpans(dualActiveSpans(x.tl), backNs, standby.ns).at(-1);
  if (!span) return checks;
  const budget = x.budget('dual-active budget', 'both CMS ACTIVE around the return', 'dualActiveMs', {
    ns: span.fromNs,
    label: 'both CMS were ACTIVE',
  });
  return [...checks, ...budget.map((window) => x.measure(window, standby, 'both CMS ACTIVE until the handover'))];
}
