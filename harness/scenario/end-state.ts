// The state a site ends in, in words a comparison of two runs holds side by side, and whether the site has settled
// enough to read it. Read while a returning primary still waits for its first heartbeat, or while the supervisor is
// between two login attempts, the same site would end one way or the other by the phase of its timers alone, and
// `compare` would call that a change.

import type { CmsName, NodeName, StandinStatus } from '../../images/protocol/index.js';
import type { EndState } from '../core/model.js';

/** The last status of each node that answered; a node missing here did not answer. */
export type Statuses = Partial<Record<NodeName, StandinStatus>>;

export const END_STATE_NODES: readonly NodeName[] = ['cms-primary', 'cms-secondary', 'ess', 'supervisor'];

const CMS: readonly CmsName[] = ['cms-primary', 'cms-secondary'];

function activeCms(statuses: Statuses): CmsName[] {
  return CMS.filter((node) => statuses[node]?.role === 'ACTIVE');
}

/** What the primary is still deciding, in words; null once it holds a role it chose. */
export function primaryUndecided(statuses: Statuses): string | null {
  return statuses['cms-primary']?.pending === true ? 'cms-primary holds STANDBY until it hears the secondary’s first heartbeat' : null;
}

/** Why the supervisor is not yet where it will stay, in words; null once it is logged in to an ACTIVE CMS, or none is ACTIVE. */
export function supervisorAway(statuses: Statuses): string | null {
  const supervisor = statuses.supervisor;
  const active = activeCms(statuses);
  if (supervisor?.loggedInTo === undefined || active.length === 0) return null;
  if (supervisor.loggedInTo !== null && active.includes(supervisor.loggedInTo)) return null;
  const where = supervisor.loggedInTo === null ? 'logged out' : `logged in to ${supervisor.loggedInTo}, which is not ACTIVE`;
  return `the supervisor is ${where} while ${active.join(' and ')} ${active.length === 1 ? 'is' : 'are'} ACTIVE`;
}

/**
 * Each node in a word or two: a CMS's role and DUAL_ACTIVE, the ESS's state, where the supervisor is logged in.
 * With both CMS ACTIVE the supervisor is on whichever it reached first, by the phase of its retries, so it is said
 * to be on one of them.
 */
export function endStateWords(statuses: Statuses): EndState {
  const both = activeCms(statuses).length === 2;
  const words = (node: NodeName): string => {
    const s = statuses[node];
    if (s === undefined) return 'unobservable';
    if (s.role !== undefined) return `${s.role}${s.alarms.includes('DUAL_ACTIVE') ? ' (DUAL_ACTIVE)' : ''}`;
    if (s.ess !== undefined) return s.ess.state;
    if (s.loggedInTo !== undefined) {
      if (s.loggedInTo === null) return 'logged out';
      return both ? 'logged in to one of the two ACTIVE CMS' : `logged in to ${s.loggedInTo}`;
    }
    return 'running';
  };
  return Object.fromEntries(END_STATE_NODES.map((node) => [node, words(node)]));
}
