// Failover and roles: the secondary takes over within its windows, roles that must hold, the heartbeat grid, the
// operator's role changes, and the lone primary that decides ACTIVE alone.

import type { CmsName, HaRole } from '../../images/protocol/index.js';
import { beatSlot, firstUnansweredBeat } from '../check/anchors.js';
import { answeredHeartbeats, beatsSent, exactlyOneActive, keptRoles } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { is } from '../observe/site-state.js';
import type { Expectations, FromFault, ObserveOptions } from './context.js';
import { eventWithin, holdsThroughout, stateNow } from './shapes.js';

/** The secondary becomes ACTIVE: from the fault (the operator's view) and from the first unanswered heartbeat. */
export async function toFailOver(x: Expectations, options: FromFault = {}): Promise<void> {
  const fault = x.trigger('a failover', options.from);
  const fact = 'cms-secondary became ACTIVE';
  await eventWithin(x, is.role('cms-secondary', 'ACTIVE'), {
    what: 'cms-secondary to become ACTIVE',
    afterNs: fault.ns,
    windows: [w.failoverFromFault(x.scaled, fault)],
    fact,
    never: 'cms-secondary never became ACTIVE',
    also: (event) => {
      const firstMiss = firstUnansweredBeat(x.tl, fault.ns);
      if (firstMiss) return [x.measure(w.failoverFromFirstMiss(x.scaled, firstMiss, fault.mode), event, fact)];
      const why = 'no unanswered heartbeat was seen after the fault: the failover was not the heartbeat’s';
      return [{ ok: false, text: `cms-secondary became ACTIVE, but ${why}` }];
    },
  });
}

/**
 * The nodes keep the given roles throughout the observation that proves no failover comes: twice the latest a
 * failover could come, from the scenario's fault (or one named, or now), or until the end of the scenario.
 */
export async function toKeepRoles(x: Expectations, roles: Partial<Record<CmsName, HaRole>>, options: ObserveOptions = {}): Promise<void> {
  await holdsThroughout(x, { ...options, judge: (span) => keptRoles(x.tl, roles, span, x.ev.startNs) });
}

/** Heartbeats kept being answered throughout the no-failover observation (or until the end of the scenario). */
export async function toKeepAnsweringHeartbeats(x: Expectations, options: ObserveOptions = {}): Promise<void> {
  await holdsThroughout(x, { ...options, judge: (span) => [answeredHeartbeats(x.tl, span, x.t.heartbeatIntervalMs)] });
}

/** Exactly one observable CMS is ACTIVE now (`node` when given). */
export async function toHaveExactlyOneActive(x: Expectations, node?: CmsName): Promise<void> {
  await stateNow(x, (atNs) => [exactlyOneActive(x.tl, atNs, x.ev.startNs, node)]);
}

/** `node` takes `role` at the acknowledgement of the operator's last action on it. */
export async function toTakeRole(x: Expectations, node: CmsName, role: HaRole): Promise<void> {
  const op = x.site.lastOperator ?? x.fail(`toTakeRole(${node}, ${role}) needs an operator action first`, null);
  await eventWithin(x, is.role(node, role), {
    what: `${node} to become ${role}`,
    afterNs: op.ns,
    windows: [w.manualSwitch({ ns: op.ns, label: `the operator asked ${op.node} to ${op.action}` }, op.requestMs)],
    fact: `${node} became ${role}`,
    never: `${node} never became ${role}`,
  });
}

/** The secondary beats on a fixed grid: every period between two heartbeats over an observation is one interval. */
export async function toBeatAtThePeriod(x: Expectations): Promise<void> {
  await holdsThroughout(x, {
    from: 'now',
    judge: (span) => {
      const { sent, count } = beatsSent(x.tl, span, x.t.heartbeatIntervalMs);
      const periods = sent.slice(1).map((beat, i) => {
        const previous = sent[i]!;
        return x.measure(
          w.heartbeatPeriod(x.scaled, beatSlot(previous, `heartbeat ${previous.beat} was due`)),
          beat,
          `heartbeat ${beat.beat} was sent`,
        );
      });
      return [...periods, count];
    },
  });
}

/**
 * A primary that hears no secondary (started again while the secondary is down) decides ACTIVE alone at its
 * no-secondary deadline, heartbeatMisses·heartbeatInterval + heartbeatTimeout after it began (w.loneActive).
 */
export async function toDecideActiveAlone(x: Expectations): Promise<void> {
  const begun = x.site.lastHeal ?? x.fail('toDecideActiveAlone needs the primary started again (a heal or a restart) first', null);
  await eventWithin(x, is.loneActive(), {
    what: 'cms-primary to decide ACTIVE alone',
    afterNs: begun.ns,
    windows: [w.loneActive(x.scaled, begun)],
    fact: 'cms-primary decided ACTIVE alone (no secondary heard)',
    never: 'cms-primary never decided ACTIVE alone',
  });
}

/**
 * The restarted (or upgraded) primary ends its wait for the secondary's first heartbeat in `role`, by its
 * no-secondary deadline (w.primaryDecision): an operator's procedure checks this before switching over to it.
 */
export async function toRejoinAs(x: Expectations, role: HaRole): Promise<void> {
  const begun = x.site.lastHeal ?? x.fail('toRejoinAs needs the primary started again (a heal, a restart or an upgrade) first', null);
  await eventWithin(x, is.primaryDecided(role), {
    what: `cms-primary to rejoin as ${role}`,
    afterNs: begun.ns,
    windows: [w.primaryDecision(x.scaled, begun)],
    fact: `cms-primary rejoined as ${role}`,
    never: `cms-primary never rejoined as ${role}`,
  });
}
