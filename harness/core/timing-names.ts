// The names of the timings a run measures (the windows of check/windows.ts, and the dual-active span measured with no
// window): what a site file's compare.marginsMs may name. A unit test keeps the list and the windows in step.

export const TIMING_NAMES = [
  'failover from the fault',
  'failover from the first unanswered heartbeat',
  'lone primary ACTIVE',
  'restarted primary decides',
  'heartbeat period',
  'supervisor login after the switch',
  'supervisor outage from the fault',
  'ACD link back after the heal',
  'link loss seen',
  'silent link loss',
  'in data transfer',
  'ESS ACTIVE after its no-service timeout',
  'ESS takeover from the fault',
  'CMS reaches the ESS',
  'ESS reset',
  'Admin-Sync lag',
  'Admin-Sync back up',
  'failback decision',
  'failback from the return',
  'dual-active during the handover',
  'DUAL_ACTIVE cleared',
  'manual switch',
  'DUAL_ACTIVE after the failover',
  'ADMIN_SYNC_LAG raised',
  'ESS return once the CM is back',
  'convergence',
  'NO_ACTIVE_CMS raised',
  'ACD_LINK_DOWN raised',
  'take-back from the last heartbeat heard',
  'take-back from the fault',
  'NO_ACTIVE_CMS from the fault',
  'conflict resolved',
  'ACD_LINK_DOWN from the start',
  'dual-active span',
] as const;

/**
 * Timings named by a number, each window its own: a Dual-IP attempt by its number ("Dual-IP attempt 6"), a held
 * change's drain by its place in the queue ("Admin-Sync drain, place 12").
 */
const NUMBERED = [
  { words: '"Dual-IP attempt N"', pattern: /^Dual-IP attempt [1-9]\d*$/ },
  { words: '"Admin-Sync drain, place N"', pattern: /^Admin-Sync drain, place [1-9]\d*$/ },
];

/** The numbered timings in words, for an error that lists what a site file may name. */
export const NUMBERED_TIMING_WORDS = NUMBERED.map((t) => t.words).join(' or ');

export function isTimingName(name: string): boolean {
  return (TIMING_NAMES as readonly string[]).includes(name) || NUMBERED.some((t) => t.pattern.test(name));
}
